/// The `MESSAGE_ID`s of the entries Cordon writes. Fixed forever: operators filter on them
/// (`journalctl MESSAGE_ID=…`) and the message catalog is keyed by them.
public enum CordonMessageID {
    /// "Cordon alert": a rule matched.
    public static let alert = "fd6124ceebc04ab88e3c90e4716a16b1"
    /// "Cordon started": written at start-up; also the barrier that tells Cordon every alert
    /// it wrote before a crash has reached the journal.
    public static let started = "b1ff8caa526343b3990ec5a5a631d34f"

    /// "Cordon action applied": a hook ran in enforce mode and succeeded.
    public static let actionApplied = "68d48963563642d290e27ebcda5fe625"
    /// "Cordon action would run": dry-run mode; nothing was changed.
    public static let actionWouldRun = "3be7751b0c454a2f935ca5b633836300"
    /// "Cordon action failed": a hook failed, timed out or could not start (apply or release).
    public static let actionFailed = "9c83352d3e9f4f43ad221c3fd1434d1c"
    /// "Cordon action released": an applied action was undone (TTL or operator).
    public static let actionReleased = "aa7c5c14fb7e44068ce3a056411bcb8a"
    /// "Cordon action skipped": an alert triggered an action that a guardrail stopped
    /// (allowlist, budget, a field missing).
    public static let actionSkipped = "86c28cdd6cdf49829d3c28eefe39b820"

    /// "Cordon tampering sign": an alert raised by Cordon itself, not a rule file: the journal's
    /// clock went back, a gap, a boot without shutdown, journald restarted, files vacuumed or
    /// replaced (rule ids `cordon-journal-*`). Carries every alert field.
    public static let tamperingSign = "29478e7a3a054ce39312c24915419051"
    /// "Cordon correlation state evicted": an alert that the cap on correlation groups was
    /// reached and the least recently updated groups were dropped. Carries every alert field.
    public static let stateEvicted = "cfc100c7f633440a8bd4fcd0e9de56e0"
    /// "Cordon anomaly": a learned anomaly detector (`rare_category`, `category_rate`,
    /// `rare_process`, `rare_login`) found something not seen while learning. Carries every alert
    /// field and `CORDON_ANOMALY_*`.
    public static let anomaly = "442695e0da654c9580ad70794229ad43"
    /// "Cordon rules not loaded": a reload (SIGHUP) found an error in the rules or the
    /// configuration; the rules loaded before stay active. `CORDON_ERROR` holds `file:line: …`.
    public static let loadFailed = "6729559a23474799bfd69ab496b3f8be"
    /// "Cordon reloaded": a reload (SIGHUP) put new rules and configuration into effect.
    public static let reloaded = "b825c25396af4da69f582d33090c6650"
    /// "Cordon stopped": the daemon stopped on request and saved its checkpoint.
    public static let stopped = "f1f9e7e188304fdda5200a28ae282100"

    /// The ids of entries that are alerts (they carry every `CORDON_*` alert field):
    /// `cordon alerts` lists them and a restart finds them to avoid writing one twice.
    public static let alerts: Set<String> = [alert, tamperingSign, stateEvicted, anomaly]

    /// The ids of action entries (they carry `CORDON_ACTION_*` and the triggering alert's
    /// `CORDON_RULE_ID` and `CORDON_SOURCE_CURSOR`).
    public static let actions: Set<String> = [actionApplied, actionWouldRun, actionFailed, actionReleased, actionSkipped]

    /// Every id Cordon writes.
    public static let all: Set<String> = alerts.union(actions).union([started, loadFailed, reloaded, stopped])
}
