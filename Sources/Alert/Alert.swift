import Detect
import Journal
import Parse
import Rules

/// One alert: a rule matched one journal entry.
///
/// Everything an operator needs to review it and jump to the evidence: the rule, the host, the
/// source entry's cursor and time, and the field values the rule matched on.
public struct Alert: Sendable {
    public let ruleIdentifier: String
    public let ruleTitle: String
    /// The rule's level (an anomaly detector may raise it for one alert).
    public var level: Level
    public let tags: [String]
    /// The rule's Sigma `author`: SigmaHQ's Detection Rule License requires it with every match.
    public let ruleAuthor: String?
    /// Whether journald vouches for the source entry's origin (its log source's `trusted`
    /// selection held). Only trusted alerts may trigger responses.
    public let isTrusted: Bool
    /// The log source the rule ran under, e.g. `product:linux service:sshd`.
    public let logSource: String?
    /// The host the source entry came from (`_HOSTNAME`), or "unknown".
    public let host: String
    /// The machine the source entry came from (`_MACHINE_ID`, 32 lower-case hex digits), or nil
    /// when the entry has none or not a valid one. In fleet mode it tells the hosts apart.
    public let machineID: String?
    /// Where the source entry is: the alert's evidence, and its identity with `ruleIdentifier`.
    public let sourceCursor: Cursor
    /// The source entry's realtime timestamp, µs since the epoch.
    public let sourceRealtime: UInt64
    /// The source entry's monotonic timestamp within its boot, µs.
    public let sourceMonotonic: UInt64
    /// The boot the source entry was written in.
    public let sourceBootID: String
    /// The fields the rule matched on, raw; for a correlation, its group's values.
    public let fields: [MatchedField]
    /// For a correlation rule or detector: its type (`event_count`, `first_seen` …), else nil.
    public var correlationType: String?
    /// The entry's `MESSAGE_ID`: `CordonMessageID.alert`, or for alerts Cordon raises itself
    /// `tamperingSign` or `stateEvicted` (one of `CordonMessageID.alerts`).
    public var messageID = CordonMessageID.alert
    /// For a correlation: the group key, `name=value` pairs in group-by order.
    public var group: [MatchedField] = []
    /// For a correlation: the entries it was built from (first and last 10).
    public var evidence: [Cursor] = []
    /// For a correlation: the number its condition held for (count, distinct values …).
    public var correlationValue: Double?
    /// For an anomaly: why it is one, in a sentence (after the summary in `MESSAGE`, and in
    /// `CORDON_ANOMALY_EXPLANATION`).
    public var explanation: String?
    /// For an anomaly: `CORDON_ANOMALY_*` and `CORDON_CATEGORY`/`CORDON_TEMPLATE` fields, named
    /// in full, values as text (escaped when written).
    public var anomalyFields: [(name: String, value: String)] = []

    /// Makes the alert for `match` on `entry`.
    /// - Parameters:
    ///   - cursor: the entry's cursor. The reader fetches it only for entries that raise an
    ///     alert, so `entry.cursor` may be nil.
    public init(match: Match, entry: JournalEntry, cursor: Cursor) {
        ruleIdentifier = match.rule.identifier
        ruleTitle = match.rule.title
        level = match.rule.level
        tags = match.rule.tags
        ruleAuthor = match.rule.author
        isTrusted = match.isTrusted
        logSource = match.logSource.map(\.description)
        host = Alert.host(of: entry)
        machineID = Alert.machineID(of: entry)
        sourceCursor = cursor
        sourceRealtime = entry.realtime
        sourceMonotonic = entry.monotonic
        sourceBootID = entry.bootID
        fields = match.fields
    }

    /// The host an entry came from (`_HOSTNAME`, escaped), or "unknown".
    static func host(of entry: JournalEntry?) -> String {
        entry?.value(of: "_HOSTNAME").map { Escaping.text($0, limit: 255) } ?? "unknown"
    }

    /// The machine an entry came from: its `_MACHINE_ID` if that is 32 hex digits (lower-cased),
    /// else nil.
    static func machineID(of entry: JournalEntry?) -> String? {
        guard let value = entry?.value(of: "_MACHINE_ID"), value.count == 32 else { return nil }
        return ID128(String(decoding: value, as: UTF8.self))?.description
    }

    /// Makes the alert for a correlation rule or detector that fired.
    /// - Parameter entry: the entry being processed when it fired: its host, machine, monotonic
    ///   time and boot go into the alert (nil: unknown).
    public init(correlation: CorrelationMatch, entry: JournalEntry?) {
        let rule = correlation.rule
        ruleIdentifier = rule.identifier
        ruleTitle = rule.title
        level = rule.level
        tags = rule.tags
        ruleAuthor = rule.author
        isTrusted = correlation.isTrusted
        logSource = nil
        host = Alert.host(of: entry)
        machineID = Alert.machineID(of: entry)
        sourceCursor = correlation.cursor
        sourceRealtime = correlation.realtime
        sourceMonotonic = entry?.monotonic ?? 0
        sourceBootID = (entry?.boot ?? .zero).description
        let group = correlation.group.map { MatchedField(name: $0.name, value: $0.value) }
        fields = group
        self.group = group
        correlationType = rule.kind.rawValue
        evidence = correlation.evidence
        correlationValue = correlation.value
    }

    /// The alert's identity: a restart suppresses an alert whose key it has already seen written.
    public var key: AlertKey { AlertKey(sourceCursor: sourceCursor.rawValue, ruleIdentifier: ruleIdentifier) }

    /// The syslog priority for the rule level: critical 2 (crit), high 3 (err), medium 4 (warning),
    /// low 5 (notice), informational 6 (info).
    public var priority: Int {
        switch level {
        case .critical: 2
        case .high: 3
        case .medium: 4
        case .low: 5
        case .informational: 6
        }
    }

    /// The readable summary: `cordon: <rule title> [<level>] on <host>: <key facts>`, one line,
    /// with `, untrusted source` after the level when journald does not vouch for the source,
    /// at most 1 KiB, with every piece of log content escaped.
    public var message: String {
        var facts: [String] = []
        var budget = 700
        for field in fields where budget > 0 {
            let fact = field.name + "=" + Escaping.text(field.value, limit: min(160, budget))
            budget -= fact.utf8.count
            facts.append(fact)
        }
        let title = Escaping.text(Array(ruleTitle.utf8), limit: 200)
        var summary = "cordon: \(title) [\(level.rawValue)\(isTrusted ? "" : ", untrusted source")] on \(host)"
        if let correlationType, let correlationValue {
            summary += " (\(correlationType) \(Alert.number(correlationValue)))"
        }
        let text = facts.isEmpty ? summary : summary + ": " + facts.joined(separator: ", ")
        guard let explanation else { return text }
        return text + " — " + Escaping.text(Array(explanation.utf8), limit: 600)
    }
}

extension Alert {
    /// `12` for whole numbers, else up to three decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String((value * 1000).rounded() / 1000)
    }
}

/// Identifies an alert across restarts: the same rule on the same source entry.
public struct AlertKey: Hashable, Sendable {
    public let sourceCursor: String
    public let ruleIdentifier: String

    public init(sourceCursor: String, ruleIdentifier: String) {
        self.sourceCursor = sourceCursor
        self.ruleIdentifier = ruleIdentifier
    }
}
