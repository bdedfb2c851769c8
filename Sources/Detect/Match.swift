import Rules

/// One rule matching one event.
public struct Match: Sendable {
    /// The rule that matched.
    public let rule: Rule
    /// The fields the match rests on, each once, in the order the rule tested them.
    public let fields: [MatchedField]
    /// Whether journald vouches for the entry's source (the log source mapping's `trusted`
    /// selection held). Only trusted matches may trigger responses.
    public let isTrusted: Bool
    /// The log source mapping the rule ran under, as `LogSource` (nil for rules built without one).
    public let logSource: LogSource?
    /// Values of the fields correlation rules read from this rule's events (`Engine.capture`),
    /// by field name; a field the event lacked is absent. Empty for rules no correlation uses.
    public var captured: [String: [UInt8]] = [:]

    /// Makes a match.
    /// - Parameters:
    ///   - rule: the rule that matched.
    ///   - fields: the fields the match rests on.
    ///   - isTrusted: whether journald vouches for the entry's source.
    ///   - logSource: the mapping's log source.
    public init(rule: Rule, fields: [MatchedField], isTrusted: Bool = false, logSource: LogSource? = nil) {
        self.rule = rule
        self.fields = fields
        self.isTrusted = isTrusted
        self.logSource = logSource
    }
}
