import Parse

/// Which log source groups can select an entry, from one lookup per field that the groups'
/// selections test for a fixed value, instead of testing every group's selection on every entry.
///
/// Why: with the shipped pack about fifteen log sources have rules, each selecting entries by a
/// few alternatives (`_COMM`, `_EXE`, `_SYSTEMD_UNIT`, `SYSLOG_IDENTIFIER` …). Testing all of them
/// on every entry was the largest single cost of `replay` (`perf record` on `make bench`'s journal:
/// a sixth of the samples, two thirds of them retains and releases), although an entry belongs to
/// one or two sources.
///
/// A group is *indexed* when every alternative of its selection has a predicate that requires a
/// field to equal (or start with) one of some literals. Its selection can then hold only if the
/// entry has one of those values, so a group none of whose keys the entry has is skipped; a group
/// that has a key is still tested with its full selection, so the result is exactly that of
/// testing every selection. Groups that are not indexed (no selection, or an alternative with
/// only other tests) are always tested.
struct GroupDispatch: Sendable {
    /// A literal a group's selection requires a field to equal, or to start with.
    struct Literal: Hashable, Sendable {
        /// The literal, lower-cased when `isCaseSensitive` is false.
        let bytes: [UInt8]
        let isCaseSensitive: Bool
        /// `startswith`: the value must begin with the literal instead of being it.
        let isPrefix: Bool
    }

    /// A literal and the groups that need it.
    struct Key: Sendable {
        let literal: Literal
        /// Positions (in the groups given to `init`) of the groups that need this literal.
        let groups: [Int]
    }

    /// A field tested by keys, looked up once per entry; a class so looping copies nothing.
    final class Field: Sendable {
        let name: [UInt8]
        let keys: [Key]

        init(name: [UInt8], keys: [Key]) {
            self.name = name
            self.keys = keys
        }
    }

    /// The fields to look up.
    let fields: [Field]
    /// For each group position, whether it is tested whatever the keys say.
    let alwaysTested: [Bool]

    /// Indexes `groups` (entry groups, in evaluation order).
    init(groups: [RuleGroup]) {
        var always: [Bool] = []
        var byField: [[UInt8]: [Literal: [Int]]] = [:]
        for (position, group) in groups.enumerated() {
            guard let keys = group.select.flatMap(GroupDispatch.keys(of:)) else {
                always.append(true)
                continue
            }
            always.append(false)
            // Positions only grow, so a group that needs a literal twice is listed once.
            for (field, literal) in keys where byField[field]?[literal]?.last != position {
                byField[field, default: [:]][literal, default: []].append(position)
            }
        }
        self.fields = byField.map { name, literals in
            Field(name: name, keys: literals.map { Key(literal: $0.key, groups: $0.value) })
        }
        self.alwaysTested = always
    }

    /// Sets `candidates[position]` for every group whose selection can hold for `event`.
    func mark(_ event: Event, into candidates: inout [Bool]) {
        for position in alwaysTested.indices { candidates[position] = alwaysTested[position] }
        for field in fields {
            guard let value = field.name.withUnsafeBytes({ event.value(ofName: $0) }) else { continue }
            value.withUnsafeBufferPointer { input in
                for key in field.keys where GroupDispatch.holds(key.literal, input) {
                    for group in key.groups { candidates[group] = true }
                }
            }
        }
    }

    /// Whether the field value `input` satisfies `literal`.
    private static func holds(_ literal: Literal, _ input: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = literal.bytes.count
        guard literal.isPrefix ? input.count >= count : input.count == count else { return false }
        return literal.bytes.withUnsafeBufferPointer { bytes in
            if literal.isCaseSensitive {
                for index in 0..<count where input[index] != bytes[index] { return false }
            } else {
                for index in 0..<count where ASCIICase.lowercased(input[index]) != bytes[index] { return false }
            }
            return true
        }
    }

    /// For each alternative of `selection`, one field and the literals it must equal or start
    /// with; nil when some alternative has no such predicate.
    private static func keys(of selection: CompiledSelection) -> [([UInt8], Literal)]? {
        var keys: [([UInt8], Literal)] = []
        for alternative in selection.alternatives {
            guard let (field, literals) = alternative.lazy.compactMap({ predicate in
                literals(of: predicate).map { (predicate.fieldBytes, $0) }
            }).first else { return nil }
            for literal in literals { keys.append((field, literal)) }
        }
        return keys
    }

    /// The literals a predicate requires its field to equal or start with (any one of them), or
    /// nil when it tests something else (other placements, wildcards, `?`, regexes, numbers,
    /// `all`, `neq`, `exists`, null).
    private static func literals(of predicate: CompiledPredicate) -> [Literal]? {
        guard case .values(let tests, let matchesAll, let isNegated) = predicate.test, !matchesAll, !isNegated, !tests.isEmpty
        else { return nil }
        var literals: [Literal] = []
        for test in tests {
            guard case .pattern(let pattern) = test else { return nil }
            let segments = pattern.segments
            if segments.count == 1, segments[0].isAnyByte == nil {
                literals.append(Literal(bytes: segments[0].bytes, isCaseSensitive: pattern.isCaseSensitive, isPrefix: false))
            } else if segments.count == 2, segments[0].isAnyByte == nil, segments[1].count == 0, segments[0].count > 0 {
                literals.append(Literal(bytes: segments[0].bytes, isCaseSensitive: pattern.isCaseSensitive, isPrefix: true))
            } else {
                return nil
            }
        }
        return literals
    }
}
