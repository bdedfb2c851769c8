import Parse
import Rules

/// Evaluates Sigma rules against events.
///
/// The engine compiles each rule once: field names to bytes, values to byte patterns. Matching
/// then works on the event's bytes without building strings, so binary and invalid UTF-8
/// values are matched like any other.
public struct Engine: Sendable {
    /// The rules, in the order given.
    public let rules: [Rule]
    private let compiledRules: [CompiledRule]
    private let readFields: Set<String>

    /// Compiles `rules`.
    ///
    /// A condition name or pattern that resolves to no selection is false; `RuleLoader` never
    /// produces such rules.
    /// - Parameters:
    ///   - rules: the rules to evaluate, in the order matches are reported.
    public init(rules: [Rule]) {
        self.rules = rules
        self.compiledRules = rules.map(CompiledRule.init)
        var fields: Set<String> = []
        for rule in rules {
            for selection in rule.detection.selections.values {
                for alternative in selection.alternatives {
                    for predicate in alternative { fields.insert(predicate.field) }
                }
            }
        }
        self.readFields = fields
    }

    /// Every field name any rule reads.
    public var fieldNames: Set<String> { readFields }

    /// Appends a `Match` to `matches` for each rule that matches `event`, in rule order.
    /// - Parameters:
    ///   - event: the event to test.
    ///   - matches: where matches are appended; existing elements are kept.
    public func evaluate(_ event: Event, into matches: inout [Match]) {
        var matched: [MatchedSlice] = []
        for (index, compiled) in compiledRules.enumerated() {
            matched.removeAll(keepingCapacity: true)
            guard compiled.evaluate(event, into: &matched) else { continue }
            matches.append(Match(rule: rules[index], fields: Engine.unique(matched)))
        }
    }

    /// The matched fields in first-seen order, each name once, copied out of the event.
    private static func unique(_ matched: [MatchedSlice]) -> [MatchedField] {
        var fields: [MatchedField] = []
        for slice in matched where !fields.contains(where: { $0.name == slice.name }) {
            fields.append(MatchedField(name: slice.name, value: Array(slice.value)))
        }
        return fields
    }
}
