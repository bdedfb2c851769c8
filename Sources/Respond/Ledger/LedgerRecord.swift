/// Apply (the alert's action) or release (undo it).
public enum ActionVerb: String, Sendable, Codable {
    case apply, release
}

/// How a decision or a hook run ended.
public enum ActionResult: String, Sendable, Codable {
    /// The hook's apply succeeded (enforce).
    case applied
    /// Dry-run: the hook was not run.
    case wouldRun = "would-run"
    /// A guardrail stopped the action (allowlist, budget, a missing field); the hook was not run.
    case skipped
    /// The hook failed, timed out or could not start.
    case failed
    /// The hook's release succeeded.
    case released
}

/// One line of the action ledger (`actions` in the state directory), JSON.
///
/// An `intent` is written, and synced, before a hook is spawned; an `outcome` when it ended.
/// An intent without an outcome after a restart is run again, with the same action id.
struct LedgerRecord: Codable, Sendable {
    enum Kind: String, Codable { case intent, outcome }

    var kind: Kind
    var id: String
    var verb: ActionVerb
    /// Wall clock, µs since the epoch.
    var at: UInt64

    // An apply intent: what was decided, and everything needed to run (and later release) it.
    var action: String?
    var mode: ActionMode?
    var rule: String?
    var ruleTitle: String?
    var level: String?
    var host: String?
    var key: String?
    /// The alert's entry time: cooldowns and the budget count in entry time.
    var alertRealtime: UInt64?
    var alertCursor: String?
    /// µs of wall clock from apply to release; nil: never.
    var ttl: UInt64?
    var hook: String?
    var environment: [[String]]?
    /// The alert as JSON, the hook's stdin.
    var alert: String?
    /// A remote host's alert: the host the hook acts on and its machine id. Absent for this
    /// machine's alerts and in ledgers written before fleet mode.
    var target: String?
    var targetMachineID: String?

    // A release intent: who asked for it (`ttl`, `operator`).
    var by: String?

    // An outcome.
    var result: ActionResult?
    var detail: String?
}
