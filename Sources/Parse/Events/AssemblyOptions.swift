/// Limits and timing of event assembly. Every limit, when hit, is counted in
/// `AssemblyStatistics`; none stops processing.
public struct AssemblyOptions: Sendable, Equatable {
    /// Audit events in flight at once; past it, the oldest is completed as it stands.
    public var maximumPendingEvents = 256
    /// Records kept of one audit event (an execve with 10,000 arguments takes about 15);
    /// later records of a larger event are dropped.
    public var maximumRecordsPerEvent = 256
    /// Bytes of record text kept of one audit event; later records are dropped.
    public var maximumEventBytes = 1 << 20
    /// Bytes of record text kept of all events in flight together; past it, the oldest is
    /// completed as it stands (so the default limits hold at most 16 MiB, not 256 × 1 MiB).
    public var maximumPendingBytes = 16 << 20
    /// Entry time after an audit event's first record at which it is complete even without
    /// its PROCTITLE record, in µs. journald stamps each record with the kernel's own time, and
    /// the kernel writes an event's records together, so one second is generous.
    public var timeoutMicroseconds: UInt64 = 1_000_000
    /// Processes remembered (by boot and pid) for `ParentImage` and `ParentCommandLine`;
    /// the oldest is forgotten first.
    public var processTableCapacity = 16_384

    /// The defaults.
    public init() {}
}

/// Counters of event assembly.
public struct AssemblyStatistics: Sendable, Equatable {
    /// Audit records read.
    public var auditRecords = 0
    /// Audit events completed.
    public var auditEvents = 0
    /// Audit events completed before their end because `maximumPendingEvents` or
    /// `maximumPendingBytes` was reached.
    public var auditEventsCompletedEarly = 0
    /// Audit records dropped because their event was over `maximumRecordsPerEvent` or
    /// `maximumEventBytes`.
    public var auditRecordsDropped = 0
    /// Processes forgotten because the process table was full.
    public var processTableEvictions = 0
    /// Process-creation events whose parent was found (process table, or `/proc` when live).
    public var parentsFound = 0
    /// Sysmon entries read as events.
    public var sysmonEvents = 0
    /// Entries claiming to be Sysmon's whose message is not a Sysmon event.
    public var sysmonUnreadable = 0

    /// All zero.
    public init() {}
}
