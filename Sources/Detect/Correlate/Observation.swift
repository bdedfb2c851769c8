import Journal
import Rules

/// What correlation sees of one match: of a base rule on an entry or assembled event, or of a
/// correlation rule (which other correlation rules may refer to).
public struct Observation: Sendable {
    /// The matching rule's `id` (base or correlation rule).
    public let ruleIdentifier: String
    /// The matching rule's Sigma `name`, if it has one.
    public let ruleName: String?
    /// Entry time of the match (`__REALTIME_TIMESTAMP` of its entry), µs since the epoch.
    public let realtime: UInt64
    /// The entry that matched: the evidence.
    public let cursor: Cursor
    /// Whether journald vouched for the entry's source.
    public let isTrusted: Bool
    /// Values of the fields correlation rules read from this rule's events (group-by fields,
    /// aliased fields, `condition.field`); a field the event lacked is absent.
    public let fields: [String: [UInt8]]
    /// For a correlation rule's match: the cursors it was built from (bounded), else empty.
    public let evidence: [Cursor]

    public init(ruleIdentifier: String, ruleName: String?, realtime: UInt64, cursor: Cursor, isTrusted: Bool,
                fields: [String: [UInt8]], evidence: [Cursor] = []) {
        self.ruleIdentifier = ruleIdentifier
        self.ruleName = ruleName
        self.realtime = realtime
        self.cursor = cursor
        self.isTrusted = isTrusted
        self.fields = fields
        self.evidence = evidence
    }
}

extension Observation {
    /// A base rule's match on the entry (or assembled event) at `cursor`, with the fields the
    /// engine captured for correlation.
    public init(_ match: Match, realtime: UInt64, cursor: Cursor) {
        self.init(ruleIdentifier: match.rule.identifier, ruleName: match.rule.name, realtime: realtime, cursor: cursor,
                  isTrusted: match.isTrusted, fields: match.captured)
    }
}

/// A correlation rule or detector that fired.
public struct CorrelationMatch: Sendable {
    /// The rule that fired.
    public let rule: CorrelationRule
    /// The group: each `group-by` name with its value (empty bytes for a missing field).
    public let group: [(name: String, value: [UInt8])]
    /// Entry time of the observation that made it fire.
    public let realtime: UInt64
    /// That observation's entry: the alert's evidence and, with the rule id, its identity.
    public let cursor: Cursor
    /// The entries it was built from: the first 10 and the last 10 (in entry time).
    public let evidence: [Cursor]
    /// The number the condition held for (count, distinct values, sum …), if any.
    public let value: Double?
    /// Whether every observation it was built from was trusted.
    public let isTrusted: Bool

    public init(rule: CorrelationRule, group: [(name: String, value: [UInt8])], realtime: UInt64, cursor: Cursor,
                evidence: [Cursor], value: Double?, isTrusted: Bool) {
        self.rule = rule
        self.group = group
        self.realtime = realtime
        self.cursor = cursor
        self.evidence = evidence
        self.value = value
        self.isTrusted = isTrusted
    }
}
