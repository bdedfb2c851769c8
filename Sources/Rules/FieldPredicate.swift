/// One `field|modifier…: values` line of a selection.
///
/// The values are OR-ed, or AND-ed when the `all` modifier is present (`matchesAll`).
public struct FieldPredicate: Sendable {
    /// The event field to test: a journal field name such as `MESSAGE` or `_COMM`
    /// (case-sensitive). Keywords use `MESSAGE`.
    public let field: String
    /// The modifiers in the order written. Keywords carry an implied `contains`.
    public let modifiers: [Modifier]
    /// The values to compare with; for `exists`, the single value `true` or `false`.
    public let values: [Value]
    /// Whether every value must match (the `all` modifier) rather than any one.
    public let matchesAll: Bool
    /// Where the predicate is written.
    public let location: SourceLocation

    /// Makes a predicate.
    /// - Parameters:
    ///   - field: the event field name.
    ///   - modifiers: the modifiers in the order written.
    ///   - values: the values to compare with.
    ///   - matchesAll: whether every value must match; defaults to whether `modifiers` has `all`.
    ///   - location: where the predicate is written.
    public init(
        field: String,
        modifiers: [Modifier] = [],
        values: [Value],
        matchesAll: Bool? = nil,
        location: SourceLocation
    ) {
        self.field = field
        self.modifiers = modifiers
        self.values = values
        self.matchesAll = matchesAll ?? modifiers.contains(.all)
        self.location = location
    }
}
