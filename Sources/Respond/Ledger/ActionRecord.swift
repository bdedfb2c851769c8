/// What the ledger knows of one action: its decision, its hook runs and where it stands.
public struct ActionRecord: Sendable {
    /// Where an action stands.
    public enum Status: String, Sendable {
        /// The apply intent is recorded; the hook runs (or must run again after a crash).
        case applying
        /// Applied and not yet released: active.
        case applied
        /// The release intent is recorded; the hook runs (or must run again after a crash).
        case releasing
        case released
        case failed
        case wouldRun = "would-run"
        case skipped
    }

    public let id: String
    public let action: String
    public let mode: ActionMode
    public let ruleIdentifier: String
    public let ruleTitle: String
    public let level: String
    public let host: String
    /// The value of the action's key field, "" when it has none.
    public let key: String
    public let alertRealtime: UInt64
    public let alertCursor: String
    public let timeToLive: UInt64?
    public let hook: String
    /// The hook's environment, without `CORDON_VERB` (added per run).
    public let environment: [(String, String)]
    /// The alert as JSON: the hook's stdin.
    public let alertJSON: String
    public var status: Status
    /// When the apply intent was recorded (wall clock, µs).
    public let decidedAt: UInt64
    /// When apply succeeded (wall clock, µs).
    public var appliedAt: UInt64?
    /// When it is to be released (wall clock, µs): applied plus TTL, or a retry after a failed release.
    public var expiresAt: UInt64?
    public var releasedAt: UInt64?
    /// Who asked for the release.
    public var releasedBy: String?
    /// Why it was skipped or failed, the last hook result.
    public var detail: String?
    /// For a remote host's alert: the host the hook acts on (its second argument,
    /// `CORDON_TARGET_HOST`); nil for this machine. Set once, at the decision.
    public var targetHost: String?
    /// For a remote host's alert: its machine id, the scope of the action's key; nil for this machine.
    public var targetMachineID: String?

    /// Whether it holds something in place that a release undoes.
    public var isActive: Bool { status == .applying || status == .applied || status == .releasing }
}

extension ActionRecord {
    init?(intent record: LedgerRecord) {
        guard record.kind == .intent, record.verb == .apply, let action = record.action, let mode = record.mode,
              let hook = record.hook else { return nil }
        id = record.id
        self.action = action
        self.mode = mode
        ruleIdentifier = record.rule ?? ""
        ruleTitle = record.ruleTitle ?? ""
        level = record.level ?? ""
        host = record.host ?? ""
        key = record.key ?? ""
        alertRealtime = record.alertRealtime ?? 0
        alertCursor = record.alertCursor ?? ""
        timeToLive = record.ttl
        self.hook = hook
        environment = (record.environment ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
        alertJSON = record.alert ?? "{}"
        status = .applying
        decidedAt = record.at
        targetHost = record.target
        targetMachineID = record.targetMachineID
    }

    /// The apply intent that records this action.
    var intentRecord: LedgerRecord {
        LedgerRecord(kind: .intent, id: id, verb: .apply, at: decidedAt, action: action, mode: mode, rule: ruleIdentifier,
                     ruleTitle: ruleTitle, level: level, host: host, key: key, alertRealtime: alertRealtime,
                     alertCursor: alertCursor, ttl: timeToLive, hook: hook, environment: environment.map { [$0.0, $0.1] },
                     alert: alertJSON, target: targetHost, targetMachineID: targetMachineID)
    }
}
