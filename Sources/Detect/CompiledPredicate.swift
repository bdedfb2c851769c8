import Parse
import Rules

/// A `FieldPredicate` ready to test events: field name as bytes, values compiled to tests.
///
/// A class, immutable: the evaluation loops pass predicates around, and copying a struct of
/// arrays and strings cost a retain and release per member each time (a third of the time with
/// 1,000 rules, measured with `perf record` on `make bench`'s journal).
final class CompiledPredicate: Sendable {
    /// What the predicate tests.
    enum Test: Sendable {
        /// The field's value against each value test: any one (or every one, for `all`) must
        /// hold; with `neq`, none may.
        case values([ValueTest], matchesAll: Bool, isNegated: Bool)
        /// Whether the field is present (`true`) or absent (`false`).
        case exists(Bool)
    }

    /// The field name as the rule wrote it (for matched fields and explanations).
    let field: String
    /// The name of the field actually read (after the log source's renames), as bytes.
    let fieldBytes: [UInt8]
    let test: Test
    /// Where the predicate is written.
    let location: SourceLocation

    init(field: String, fieldBytes: [UInt8], test: Test, location: SourceLocation) {
        self.field = field
        self.fieldBytes = fieldBytes
        self.test = test
        self.location = location
    }

    /// Whether the predicate holds for `event`. When it holds, `collect` is true and the event
    /// has the field, the field is appended to `matched`.
    func evaluate(_ event: Event, collect: Bool, into matched: inout [MatchedSlice],
                  context: inout EvaluationContext) -> Bool {
        let value = fieldBytes.withUnsafeBytes { event.value(ofName: $0) }
        let holds: Bool
        switch test {
        case .exists(let expected):
            holds = (value != nil) == expected
        case .values(let tests, let matchesAll, let isNegated):
            let any = matchesAll
                ? tests.allSatisfy { $0.matches(value, in: event, context: &context) }
                : tests.contains { $0.matches(value, in: event, context: &context) }
            holds = any != isNegated
        }
        if holds, collect, let value {
            matched.append(MatchedSlice(name: field, value: value))
        }
        return holds
    }
}

/// A matched field still pointing into the event, copied only when the whole rule matches.
struct MatchedSlice {
    let name: String
    let value: ArraySlice<UInt8>
}

/// What one evaluation counts as it goes: limits hit, for the statistics.
public struct EvaluationContext: Sendable {
    /// `|re` matches stopped by the match or depth limit (counted as no match).
    public var regexLimitHits = 0

    /// A fresh context.
    public init() {}
}
