import Rules

/// One rule that matched one event.
public struct Match: Sendable {
    /// The rule that matched.
    public let rule: Rule
    /// The fields the rule matched on, in the order first seen, each name once.
    ///
    /// Only predicates that held in selections that made the rule match count: a selection
    /// under `not` (an odd number of them) never contributes fields, and a field the event
    /// lacks (matched by `null` or `exists: false`) has no value to report.
    public let fields: [MatchedField]

    /// Makes a match.
    /// - Parameters:
    ///   - rule: the rule that matched.
    ///   - fields: the fields it matched on.
    public init(rule: Rule, fields: [MatchedField]) {
        self.rule = rule
        self.fields = fields
    }
}
