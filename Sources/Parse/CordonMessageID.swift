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

    /// Every id Cordon writes.
    public static let all: Set<String> = [alert, started, actionApplied, actionWouldRun, actionFailed, actionReleased, actionSkipped]
}
