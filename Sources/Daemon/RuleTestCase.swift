import Journal
import Parse

/// One case of a rule test file: an event, and which rules must and must not match it.
public struct RuleTestCase: Sendable {
    /// The case's `name`, unique within its file.
    public let name: String
    /// The test file's path, as found.
    public let file: String
    /// The line the case starts on, from 1.
    public let line: Int
    /// The event's journal entries, in order, as the journal reader would return them: one for
    /// `event:`, one or more for `export:` (the records of an audit event, say). With `kind`,
    /// the one entry holds the fields of an assembled event instead.
    public let entries: [JournalEntry]
    /// With `kind:`, the kind of assembled event the `event:` map is; nil when the entries are
    /// journal entries, evaluated and assembled as `run` and `replay` do.
    public let kind: EventKind?
    /// What the case expects, in the order written (`match` first, then `no_match`).
    public let expectations: [RuleTestExpectation]
    /// With `trusted:`, whether every rule under `match` must match with CORDON_TRUSTED=1 (true)
    /// or 0 (false): whether journald vouches for the event's source.
    public var expectedTrust: Bool?

    /// Makes a case.
    /// - Parameters:
    ///   - name: the case's name.
    ///   - file: the test file's path.
    ///   - line: the line the case starts on.
    ///   - entries: the event's journal entries, in order; with `kind`, the assembled event's fields.
    ///   - kind: the kind of assembled event, or nil for journal entries.
    ///   - expectations: what the case expects.
    public init(name: String, file: String, line: Int, entries: [JournalEntry], kind: EventKind? = nil,
                expectations: [RuleTestExpectation]) {
        self.name = name
        self.file = file
        self.line = line
        self.entries = entries
        self.kind = kind
        self.expectations = expectations
    }
}

/// That one rule matches, or does not match, a case's event.
public struct RuleTestExpectation: Sendable, Hashable {
    /// The rule's `id`.
    public let ruleIdentifier: String
    /// True under `match`, false under `no_match`.
    public let shouldMatch: Bool
    /// The line the rule id is written on, from 1.
    public let line: Int

    /// Makes an expectation.
    /// - Parameters:
    ///   - ruleIdentifier: the rule's `id`.
    ///   - shouldMatch: true when the rule must match, false when it must not.
    ///   - line: the line the rule id is written on.
    public init(ruleIdentifier: String, shouldMatch: Bool, line: Int) {
        self.ruleIdentifier = ruleIdentifier
        self.shouldMatch = shouldMatch
        self.line = line
    }
}
