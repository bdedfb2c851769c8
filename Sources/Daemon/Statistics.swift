import Detect
import Parse

/// Counters of one run or replay.
public struct Statistics: Sendable, Equatable {
    /// Entries read from the journal.
    public var entries = 0
    /// Alerts written.
    public var alerts = 0
    /// Cordon's own entries (alerts, start markers), never fed back into detection.
    public var ownEntriesSkipped = 0
    /// Alerts not written again after a restart because the journal already had them.
    public var duplicatesSuppressed = 0
    /// Entries with a field cut at the data threshold (processed with the cut value).
    public var truncatedEntries = 0
    /// Entries without a MESSAGE field (processed; rules on MESSAGE do not match them).
    public var entriesWithoutMessage = 0
    /// Entries that could not be read and were skipped.
    public var unreadableEntries = 0
    /// Checkpoint saves.
    public var checkpoints = 0
    /// `|re` matches stopped by PCRE2's match or depth limit (each counted as no match).
    public var regexLimitHits = 0
    /// Rules evaluated on entries (their log source selected the entry and the prefilter kept them).
    public var ruleEvaluations = 0
    /// Rules the literal prefilter left out.
    public var rulesPrefilteredOut = 0
    /// Events Cordon assembled (audit records into events, Sysmon entries) and their limits.
    public var assembly = AssemblyStatistics()
    /// Assembled events the rules were evaluated on.
    public var assembledEvents = 0
    /// Alerts raised by correlation rules and detectors (before restart de-duplication).
    public var correlationAlerts = 0
    /// Groups correlation rules and detectors hold now.
    public var correlationGroups = 0
    /// Groups evicted because a rule's group cap was reached.
    public var correlationEvictions = 0
    /// Alerts raised by learned anomaly detectors (before restart de-duplication).
    public var anomalyAlerts = 0
    /// The anomaly model's counters (its own since it was made or restored): entries
    /// categorised, findings suppressed by the hourly limits, evictions at its caps.
    public var anomaly = AnomalyStatistics()
    /// Categories the anomaly model holds now.
    public var categories = 0

    public init() {}

    /// Adds the counters of an earlier part of the same run (before a reload); the gauge
    /// `correlationGroups` stays this part's.
    mutating func accumulate(_ earlier: Statistics) {
        entries += earlier.entries
        alerts += earlier.alerts
        ownEntriesSkipped += earlier.ownEntriesSkipped
        duplicatesSuppressed += earlier.duplicatesSuppressed
        truncatedEntries += earlier.truncatedEntries
        entriesWithoutMessage += earlier.entriesWithoutMessage
        unreadableEntries += earlier.unreadableEntries
        checkpoints += earlier.checkpoints
        regexLimitHits += earlier.regexLimitHits
        ruleEvaluations += earlier.ruleEvaluations
        rulesPrefilteredOut += earlier.rulesPrefilteredOut
        assembledEvents += earlier.assembledEvents
        correlationAlerts += earlier.correlationAlerts
        correlationEvictions += earlier.correlationEvictions
        anomalyAlerts += earlier.anomalyAlerts
        anomaly.accumulate(earlier.anomaly)
        assembly.auditRecords += earlier.assembly.auditRecords
        assembly.auditEvents += earlier.assembly.auditEvents
        assembly.auditEventsCompletedEarly += earlier.assembly.auditEventsCompletedEarly
        assembly.auditRecordsDropped += earlier.assembly.auditRecordsDropped
        assembly.processTableEvictions += earlier.assembly.processTableEvictions
        assembly.parentsFound += earlier.assembly.parentsFound
        assembly.sysmonEvents += earlier.assembly.sysmonEvents
        assembly.sysmonUnreadable += earlier.assembly.sysmonUnreadable
    }
}
