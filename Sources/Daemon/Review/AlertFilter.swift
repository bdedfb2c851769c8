import Journal
import Parse
import Rules

/// Which alerts `cordon alerts` lists. Everything but a rule given by title becomes an sd-journal
/// match (`AlertQuery`); `accepts` checks each entry read once more, so an entry that reached the
/// reader some other way is still judged by the same filter.
public struct AlertFilter: Sendable {
    /// Only alerts written at or after this time, µs since the epoch.
    public var since: UInt64?
    /// Only alerts written at or before this time, µs since the epoch.
    public var until: UInt64?
    /// Rule ids (exact) or titles (case-insensitive substrings); any of them. Empty: every rule.
    public var rules: [String] = []
    /// Only alerts of this level and above.
    public var minimumLevel: Level?
    /// Only alerts about these hosts (`CORDON_HOST`); empty: every host.
    public var hosts: [String] = []
    /// Only alerts whose source journald vouched for (`CORDON_TRUSTED=1`).
    public var trustedOnly = false

    /// No filter: every alert.
    public init() {}

    /// The `CORDON_LEVEL` values the filter keeps, or nil for every level.
    var levels: [Level]? {
        minimumLevel.map { minimum in Level.allCases.filter { $0 >= minimum } }
    }

    /// Whether an alert entry passes every filter.
    public func accepts(_ entry: JournalEntry) -> Bool {
        if let since, entry.realtime < since { return false }
        if let until, entry.realtime > until { return false }
        if let levels {
            guard let level = entry.string("CORDON_LEVEL").flatMap(Level.init(rawValue:)), levels.contains(level) else { return false }
        }
        if !hosts.isEmpty {
            guard let host = entry.string("CORDON_HOST"), hosts.contains(host) else { return false }
        }
        if trustedOnly, entry.string("CORDON_TRUSTED") != "1" { return false }
        if !rules.isEmpty, !rules.contains(where: { matchesRule($0, entry) }) { return false }
        return true
    }

    /// Whether `rule` is the entry's rule id or part of its title (case-insensitive).
    private func matchesRule(_ rule: String, _ entry: JournalEntry) -> Bool {
        if entry.string("CORDON_RULE_ID") == rule { return true }
        guard let title = entry.string("CORDON_RULE_TITLE") else { return false }
        return Self.title(title, contains: rule)
    }

    /// Case-insensitive substring test for `--rule TITLE`.
    static func title(_ title: String, contains part: String) -> Bool {
        !part.isEmpty && title.lowercased().contains(part.lowercased())
    }
}
