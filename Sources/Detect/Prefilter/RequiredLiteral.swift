import Rules

/// A literal that must occur (ASCII case-insensitively) in a field for a rule to be able to
/// match: the rule's prefilter key.
struct RequiredLiteral: Sendable, Hashable {
    /// The name of the field read (after renames), as bytes.
    let field: [UInt8]
    /// The literal.
    let bytes: [UInt8]

    /// The shortest literal a prefilter indexes: shorter ones occur in too many values to
    /// save work.
    static let minimumLength = 3
}

/// Derives, from a compiled detection, literals of which at least one must occur for it to
/// match. Nil means no such set exists (a negation, a regular expression, a number …), and
/// the rule is always evaluated.
///
/// The derivation is conservative: it may keep a rule that cannot match, never drop one that can.
enum Requirement {
    /// At least one of the returned literals occurs in every event `detection` matches; nil when unknown.
    static func of(_ detection: CompiledDetection) -> [RequiredLiteral]? {
        of(detection.condition, detection.selections.map(of))
    }

    private static func of(_ condition: CompiledCondition, _ selections: [[RequiredLiteral]?]) -> [RequiredLiteral]? {
        switch condition {
        case .selection(let index): return selections[index]
        case .not, .never: return nil
        case .and(let left, let right): return better(of(left, selections), of(right, selections))
        case .or(let left, let right): return union([of(left, selections), of(right, selections)])
        case .any(let indexes): return union(indexes.map { selections[$0] })
        case .all(let indexes): return indexes.map { selections[$0] }.reduce(nil, better)
        }
    }

    /// OR over the alternatives; within one, the best of its predicates (they are all required).
    private static func of(_ selection: CompiledSelection) -> [RequiredLiteral]? {
        union(selection.alternatives.map { $0.map(of).reduce(nil, better) })
    }

    private static func of(_ predicate: CompiledPredicate) -> [RequiredLiteral]? {
        guard case .values(let tests, let matchesAll, let isNegated) = predicate.test, !isNegated, !tests.isEmpty
        else { return nil }
        let literals = tests.map { literal(of: $0, field: predicate.fieldBytes) }
        if matchesAll {
            // Every value must match: any one value's literal is required.
            return literals.compactMap { $0.map { [$0] } }.reduce(nil, better)
        }
        let all = literals.compactMap { $0 }
        return all.count == literals.count ? all : nil
    }

    /// The longest run of plain bytes in a pattern value, if long enough.
    private static func literal(of test: ValueTest, field: [UInt8]) -> RequiredLiteral? {
        guard case .pattern(let pattern) = test,
              let longest = pattern.segments.filter({ $0.isAnyByte == nil }).max(by: { $0.count < $1.count }),
              longest.count >= RequiredLiteral.minimumLength
        else { return nil }
        return RequiredLiteral(field: field, bytes: longest.bytes)
    }

    /// Both hold: either side's literals are required; the fewer, longer ones filter better.
    private static func better(_ left: [RequiredLiteral]?, _ right: [RequiredLiteral]?) -> [RequiredLiteral]? {
        guard let left else { return right }
        guard let right else { return left }
        func score(_ literals: [RequiredLiteral]) -> (Int, Int) {
            (literals.count, -(literals.map(\.bytes.count).min() ?? 0))
        }
        return score(right) < score(left) ? right : left
    }

    /// One of several holds: all their literals together; unknown if any is.
    private static func union(_ parts: [[RequiredLiteral]?]) -> [RequiredLiteral]? {
        var literals: [RequiredLiteral] = []
        for part in parts {
            guard let part else { return nil }
            literals += part
        }
        return literals
    }
}
