/// How one Sigma log source maps onto journal entries: which entries belong to it, which of
/// those journald itself vouches for, and which parser derives its fields.
///
/// Mappings are written in YAML (`rules/logsources.yml`, a document with a top-level
/// `logsources:` list) with the same selection syntax as rules, so an operator can map a new
/// service without touching code.
public struct LogSourceMapping: Sendable {
    /// Whether journald vouches for an entry of this source.
    public enum Trust: Sendable {
        /// Never: everything that selects the entry can be written by any local user.
        case never
        /// Always: the selection itself only matches fields journald sets (e.g. `_TRANSPORT=audit`).
        case always
        /// When this selection holds; it should test only fields journald sets
        /// (`_SYSTEMD_UNIT`, `_EXE`, `_UID`, `_PID`, `_TRANSPORT`).
        case when(Selection)
    }

    /// The Sigma log source this maps: a rule whose `category` and `service` equal these (and
    /// whose `product`, if it has one, equals this one) runs on the entries `select` picks.
    public let logSource: LogSource
    /// What the mapping is for, for people.
    public let description: String?
    /// The entries of this source; nil means every entry.
    public let select: Selection?
    /// Which of them journald vouches for.
    public let trust: Trust
    /// The field parser to run on the entries (`FieldParser.name`), if any.
    public let parser: String?
    /// Sigma field names to read from another journal field (`exe: _EXE`).
    public let fieldNames: [String: String]
    /// The kind of event Cordon assembles that the mapping reads (`process_creation`,
    /// `audit_record` …) instead of journal entries; nil for journal entries.
    public let events: String?
    /// Where the mapping is written.
    public let location: SourceLocation

    /// Makes a mapping.
    public init(logSource: LogSource, description: String? = nil, select: Selection?, trust: Trust,
                parser: String? = nil, fieldNames: [String: String] = [:], events: String? = nil,
                location: SourceLocation) {
        self.logSource = logSource
        self.description = description
        self.select = select
        self.trust = trust
        self.parser = parser
        self.fieldNames = fieldNames
        self.events = events
        self.location = location
    }

    /// Whether a rule with `ruleSource` runs on this mapping's entries: category and service
    /// must be equal (both absent counts as equal), and a product the rule names must be this one.
    public func applies(to ruleSource: LogSource) -> Bool {
        ruleSource.category == logSource.category && ruleSource.service == logSource.service
            && (ruleSource.product == nil || ruleSource.product == logSource.product)
    }
}
