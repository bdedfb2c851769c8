import Rules

/// A literal that must occur (ASCII case-insensitively) in a field for a rule to be able to
/// match: the rule's prefilter key.
struct RequiredLiteral: Sendable, Hashable {
    /// The name of the field read (after renames), as bytes.
    let field: [UInt8]
    /// The literal (empty for a network).
    let bytes: [UInt8]
    /// For `|cidr`: the network the field's address must be in, instead of bytes to contain.
    let network: IPNetwork?

    init(field: [UInt8], bytes: [UInt8]) {
        self.field = field
        self.bytes = bytes
        self.network = nil
    }

    init(field: [UInt8], network: IPNetwork) {
        self.field = field
        self.bytes = []
        self.network = network
    }

    /// How selective the literal is, for ranking clauses: its length; a network counts as a
    /// literal of 8 bytes (an address in a given network is about as rare as that).
    var selectivity: Int { network == nil ? bytes.count : 8 }

    /// The shortest literal a prefilter indexes: shorter ones occur in too many values to
    /// save work.
    static let minimumLength = 3
}

/// What a rule needs to be able to match, as clauses that must all hold, each satisfied when
/// one of its literals occurs: `(sshd.service) and (kali)` for a rule on sshd's unit whose
/// regular expression contains `kali`.
///
/// The derivation is conservative: it may keep a rule that cannot match, never drop one that can.
enum Requirement {
    /// A clause: one of its literals must occur.
    typealias Clause = [RequiredLiteral]

    /// The most clauses kept per rule: each more one costs a lookup per literal found, and the
    /// best few filter nearly as well as all (measured on `make bench`'s 1,000 synthetic rules).
    static let clauseLimit = 4

    /// The clauses every event `detection` matches satisfies, most selective first; nil when
    /// none is known. Clauses on a program's identity (`_EXE`, `_SYSTEMD_UNIT` …, the same for
    /// most entries of a log source) are kept only when there is nothing else.
    static func of(_ detection: CompiledDetection) -> [Clause]? {
        guard let clauses = of(detection.condition, detection.selections.map(of)) else { return nil }
        let ranked = ranked(clauses)
        let content = ranked.filter { !isIdentity($0) }
        return Array((content.isEmpty ? [ranked[0]] : content).prefix(clauseLimit))
    }

    /// Whether every literal of the clause is on a field naming the sender (journald's `_`
    /// fields, `SYSLOG_IDENTIFIER`): values that recur on every entry of a program.
    private static func isIdentity(_ clause: Clause) -> Bool {
        clause.allSatisfy { $0.field.first == UInt8(ascii: "_") || $0.field.elementsEqual("SYSLOG_IDENTIFIER".utf8) }
    }

    private static func of(_ condition: CompiledCondition, _ selections: [[Clause]?]) -> [Clause]? {
        switch condition {
        case .selection(let index): return selections[index]
        case .not, .never: return nil
        case .and(let left, let right): return all([of(left, selections), of(right, selections)])
        case .or(let left, let right): return any([of(left, selections), of(right, selections)])
        case .any(let indexes): return any(indexes.map { selections[$0] })
        case .all(let indexes): return all(indexes.map { selections[$0] })
        }
    }

    /// AND within an alternative, OR over the alternatives.
    private static func of(_ selection: CompiledSelection) -> [Clause]? {
        any(selection.alternatives.map { all($0.map(of)) })
    }

    private static func of(_ predicate: CompiledPredicate) -> [Clause]? {
        guard case .values(let tests, let matchesAll, let isNegated) = predicate.test, !isNegated, !tests.isEmpty
        else { return nil }
        // A single regular expression: every run it requires is a clause of its own.
        if tests.count == 1, case .regex(let regex) = tests[0] {
            let runs = RegexLiteral.required(in: regex.pattern)
            return runs.isEmpty ? nil : runs.map { [RequiredLiteral(field: predicate.fieldBytes, bytes: $0)] }
        }
        let literals = tests.map { literal(of: $0, field: predicate.fieldBytes) }
        if matchesAll {
            // Every value must match: each value's literal is a clause of its own.
            let clauses = literals.compactMap { $0.map { [$0] } }
            return clauses.isEmpty ? nil : clauses
        }
        let clause = literals.compactMap { $0 }
        return clause.count == literals.count ? [clause] : nil
    }

    /// The longest run of plain bytes every value the test accepts contains, if long enough.
    private static func literal(of test: ValueTest, field: [UInt8]) -> RequiredLiteral? {
        switch test {
        case .pattern(let pattern):
            guard let longest = pattern.segments.filter({ $0.isAnyByte == nil }).max(by: { $0.count < $1.count }),
                  longest.count >= RequiredLiteral.minimumLength
            else { return nil }
            return RequiredLiteral(field: field, bytes: longest.bytes)
        case .regex(let regex):
            return RegexLiteral.required(in: regex.pattern).first.map { RequiredLiteral(field: field, bytes: $0) }
        case .network(let network):
            return RequiredLiteral(field: field, network: network)
        case .null, .number, .fieldReference:
            return nil
        }
    }

    /// All must hold: every known part's clauses.
    private static func all(_ parts: [[Clause]?]) -> [Clause]? {
        let clauses = parts.compactMap { $0 }.flatMap { $0 }
        return clauses.isEmpty ? nil : clauses
    }

    /// One of several holds: from each, its most selective clause, joined into one clause;
    /// unknown if any part is.
    private static func any(_ parts: [[Clause]?]) -> [Clause]? {
        guard !parts.isEmpty else { return nil }
        if parts.count == 1 { return parts[0] }
        var joined: Clause = []
        for part in parts {
            guard let best = part.flatMap({ ranked($0).first }) else { return nil }
            joined += best
        }
        return [joined]
    }

    /// Clauses most selective first: fewer literals, then longer shortest literal. `clauses` is
    /// never empty where the result's first element is used.
    private static func ranked(_ clauses: [Clause]) -> [Clause] {
        clauses.sorted { left, right in
            let leftKey = (left.count, -(left.map(\.selectivity).min() ?? 0))
            let rightKey = (right.count, -(right.map(\.selectivity).min() ?? 0))
            return leftKey < rightKey
        }
    }
}
