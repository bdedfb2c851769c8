/// Counts of what the responder did and did not do, for the daemon's summary.
public struct ResponseStatistics: Sendable, Equatable {
    /// Alerts that triggered an action but were untrusted (`CORDON_TRUSTED=0`): never acted on.
    public var untrustedIgnored = 0
    /// Alerts for a key whose action was in place or cooling down.
    public var coolingDown = 0
    public var applied = 0
    public var wouldRun = 0
    public var skipped = 0
    public var failed = 0
    public var released = 0
    /// Runs refused because `max_queued` runs were waiting.
    public var queueFull = 0
    /// Runs ended by a signal from outside (a service manager's stop): run again at the next start.
    public var interrupted = 0

    public init() {}
}
