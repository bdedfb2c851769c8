/// The Sigma `detection` of a rule: named selections and the condition that combines them.
public struct Detection: Sendable {
    /// The search identifiers by name (every key of `detection` except `condition`).
    public let selections: [String: Selection]
    /// The parsed condition.
    public let condition: Condition
    /// The condition as written; a list of conditions is joined with `or`.
    public let conditionText: String

    /// Makes a detection.
    /// - Parameters:
    ///   - selections: the search identifiers by name.
    ///   - condition: the parsed condition; every name and pattern in it should resolve
    ///     against `selections` (the loader checks this).
    ///   - conditionText: the condition as written.
    public init(selections: [String: Selection], condition: Condition, conditionText: String) {
        self.selections = selections
        self.condition = condition
        self.conditionText = conditionText
    }
}

extension Detection {
    /// The names of the selections that `1 of pattern` and `all of pattern` range over, sorted.
    ///
    /// `*` in the pattern matches any run of characters. The pattern `*` stands for `them`:
    /// as Sigma says, it leaves out selections whose names start with `_`.
    /// - Parameters:
    ///   - pattern: a selection name with `*` wildcards, or `*` for `them`.
    public func selectionNames(matching pattern: String) -> [String] {
        NamePattern.names(in: selections.keys, matching: pattern)
    }
}
