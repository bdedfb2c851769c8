import Alert
import Detect
import Glibc
import Journal
import Logging
import Parse
import Respond

/// `cordon run`: tail a journal, write alerts to the local journal, keep a crash-safe checkpoint.
public struct Runner {
    public var configuration: Configuration
    /// What to read; alerts always go to the local journal.
    public var source: Journal.Source
    /// On a first start (no checkpoint), begin at the oldest entry rather than the tail.
    public var fromStart: Bool
    public var logger: Logger

    public init(configuration: Configuration, source: Journal.Source, fromStart: Bool, logger: Logger) {
        self.configuration = configuration
        self.source = source
        self.fromStart = fromStart
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT, then saves the checkpoint and returns the counters.
    /// - Throws: `Failure` for bad rules, an unreadable journal, an unwritable state directory.
    public func run() throws(Failure) -> Statistics {
        let signals = try StopSignals()
        let store = CheckpointStore(directory: configuration.stateDirectory)
        try store.prepare()
        let checkpoint = try store.load()
        let (detection, snapshotProblem) = try RuleLoading.detection(
            paths: configuration.rulePaths, placeholders: configuration.placeholders,
            maximumGroups: configuration.correlationMaximumGroups, snapshot: checkpoint?.state)
        let engine = detection.engine
        RuleLoading.log(detection.warnings, engine: engine, logger: logger)
        if let snapshotProblem {
            logger.warning("The saved correlation state cannot be used; correlation starts afresh from the checkpoint",
                           metadata: ["reason": "\(snapshotProblem)", "state.file": "\(store.path)"])
        }
        let responder = try makeResponder(detection)
        let journal = try JournalOpening.open(source, dataThreshold: configuration.dataThreshold)
        let ownEntries = OwnEntries(userID: geteuid())

        let summary = "\(engine.rules.count) rules, state in \(configuration.stateDirectory)"
        let markerSeen = try WrittenAlerts.writeStartMarker(summary: summary, timeoutMilliseconds: 5000,
                                                            dataThreshold: configuration.dataThreshold)
        if !markerSeen {
            logger.warning("The start marker did not reach the journal within 5 s; alerts written just before a crash may be written again")
        }
        var alreadyWritten = Set<AlertKey>()
        if let checkpoint {
            alreadyWritten = try WrittenAlerts.keys(since: checkpoint.savedRealtime, ownEntries: ownEntries,
                                                    dataThreshold: configuration.dataThreshold)
        }
        let pipeline = Pipeline(engine: engine, ownEntries: ownEntries, sinks: [JournalAlertSink()],
                                alreadyWritten: alreadyWritten, host: LiveHost(source: source),
                                assemblyOptions: configuration.assembly, correlator: detection.correlator,
                                journalTampering: configuration.journalTampering ? JournalTampering() : nil,
                                responder: responder, logger: logger)

        var loop = Loop(journal: journal, fields: ReadFields.selection(for: engine, journalTampering: configuration.journalTampering), pipeline: pipeline, store: store,
                        configuration: configuration, logger: logger)
        try loop.position(at: checkpoint, fromStart: fromStart)
        // Logged once positioned: an entry written after this line is read.
        logger.info("Cordon started", metadata: [
            "rules.count": "\(engine.rules.count)",
            "state.checkpoint": "\(checkpoint.map { "\($0.position)" } ?? "none")",
            "restart.known_alerts": "\(alreadyWritten.count)",
        ])
        responder?.start()
        defer { responder?.stop(timeout: 5) }
        try loop.run(signals: signals)
        let statistics = pipeline.statistics
        if let response = responder?.statistics {
            logger.info("Actions", metadata: [
                "actions.applied": "\(response.applied)", "actions.would_run": "\(response.wouldRun)",
                "actions.skipped": "\(response.skipped)", "actions.failed": "\(response.failed)",
                "actions.released": "\(response.released)", "actions.untrusted_ignored": "\(response.untrustedIgnored)",
                "actions.cooling_down": "\(response.coolingDown)",
            ])
        }
        logger.info("Cordon stopped", metadata: [
            "entries": "\(statistics.entries)", "alerts": "\(statistics.alerts)",
            "duplicates_suppressed": "\(statistics.duplicatesSuppressed)",
            "own_entries_skipped": "\(statistics.ownEntriesSkipped)",
            "entries.truncated": "\(statistics.truncatedEntries)",
            "entries.without_message": "\(statistics.entriesWithoutMessage)",
            "entries.unreadable": "\(statistics.unreadableEntries)",
            "checkpoints": "\(statistics.checkpoints)",
            "correlation.alerts": "\(statistics.correlationAlerts)",
            "correlation.groups": "\(statistics.correlationGroups)",
            "correlation.evictions": "\(statistics.correlationEvictions)",
            "audit.records": "\(statistics.assembly.auditRecords)",
            "audit.events": "\(statistics.assembly.auditEvents)",
            "audit.completed_early": "\(statistics.assembly.auditEventsCompletedEarly)",
            "audit.records_dropped": "\(statistics.assembly.auditRecordsDropped)",
            "sysmon.events": "\(statistics.assembly.sysmonEvents)",
            "sysmon.unreadable": "\(statistics.assembly.sysmonUnreadable)",
        ])
        return pipeline.statistics
    }
}

extension Runner {
    /// The responder for the configured actions, with rule names resolved; nil without actions.
    func makeResponder(_ detection: LoadedDetection) throws(Failure) -> Responder? {
        var response = configuration.response
        guard !response.actions.isEmpty else { return nil }
        for (action, reference) in response.resolveRuleNames(detection.ruleIdentifiers) {
            logger.warning("An action's trigger names a rule that is not loaded", metadata: ["action.name": "\(action)", "rule": "\(reference)"])
        }
        for hook in response.missingHooks {
            logger.warning("A dry-run action's hook is not installed; enforcing it would fail", metadata: ["hook": "\(hook)"])
        }
        let ledger: ActionLedger
        do {
            ledger = try ActionLedger(directory: configuration.stateDirectory, compacting: true)
        } catch {
            throw Failure(.cannotCreate, "\(error); choose a writable --state-dir or run as root")
        }
        logger.info("Response", metadata: [
            "response.mode": "\(response.mode.rawValue)", "response.actions": "\(response.actions.map(\.name))",
        ])
        return Responder(configuration: response, ledger: ledger, logger: logger)
    }
}

/// The read loop: next entry, process, checkpoint now and then, wait when caught up.
///
/// Entries are read without their cursor (`sd_journal_get_cursor` formats and allocates text):
/// the cursor of the last processed entry is read only while the journal is still at it, when it
/// is needed: before a checkpoint is saved, at the end of a batch (before a wait can rotate files
/// away), and for an entry that raises an alert.
struct Loop {
    let journal: Journal
    /// The fields read from each entry.
    let fields: JournalFieldSelection
    let pipeline: Pipeline
    let store: CheckpointStore
    let configuration: Configuration
    let logger: Logger
    /// The last entry whose alerts are all written, or an earlier processed entry while
    /// `atLastProcessed`; nil while nothing was processed and the journal was empty at start.
    ///
    /// Every entry processed after it raised no alert (an entry that does moves it), so re-seeking
    /// to it after a read error processes those entries again but writes nothing twice.
    var lastProcessed: Cursor?
    /// Whether the journal is still at the last processed entry and `lastProcessed` may be an
    /// earlier one: `settleLastProcessed()` then reads the exact cursor.
    var atLastProcessed = false
    /// Whether the journal's current position holds an unprocessed entry (after a re-seek).
    var pendingCurrent = false
    var entriesSinceSave = 0
    var lastSave = monotonicMilliseconds()
    var savedPosition: Checkpoint.Position?
    /// How long the last save took, in ms: with correlation state, saves are spaced at least
    /// 20 times that apart, so a large state costs at most about 5% of the time.
    var lastSaveDuration = 0
    /// After a restart from `.at`: the entry to start at, until an entry is processed.
    var resumeAt: Cursor?
    /// How long an audit event may wait for more records while the journal is idle, in ms.
    var eventIdleMilliseconds: Int { configuration.assemblyIdleMilliseconds }

    init(journal: Journal, fields: JournalFieldSelection, pipeline: Pipeline, store: CheckpointStore,
         configuration: Configuration, logger: Logger) {
        self.journal = journal
        self.fields = fields
        self.pipeline = pipeline
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Positions the journal: after the saved cursor, at the head, or at the tail; a first start
    /// saves its position at once, so a crash before the first batch loses nothing.
    mutating func position(at checkpoint: Checkpoint?, fromStart: Bool) throws(Failure) {
        do {
            switch checkpoint?.position {
            case .after(let cursor):
                lastProcessed = cursor
                savedPosition = .after(cursor)
                try reseek()
            case .at(let cursor):
                resumeAt = cursor
                savedPosition = .at(cursor)
                try reseek()
            case .head:
                savedPosition = .head
                try journal.seekHead()
            case nil where fromStart:
                try journal.seekHead()
                try save(.head)
            case nil:
                try journal.seekTail()
                if try journal.previous() {
                    let cursor = try journal.cursor()
                    lastProcessed = cursor
                    try save(.after(cursor))
                } else {
                    try save(.head)
                }
            }
        } catch let error as JournalError {
            throw Failure(.software, "cannot position in the journal (\(error)); check that the journal files are intact")
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(.software, "\(error)")
        }
    }

    /// Moves to the last processed entry again (after a rotation or vacuum). If that entry is
    /// gone, the journal is at the nearest later entry, which is unprocessed.
    mutating func reseek() throws(JournalError) {
        atLastProcessed = false
        guard let cursor = lastProcessed else {
            if let resumeAt {
                // Start at the saved entry itself (or the first after it, if it is gone).
                try journal.seek(to: resumeAt)
                pendingCurrent = try journal.next()
                return
            }
            try journal.seekHead()
            return
        }
        try journal.seek(to: cursor)
        // sd-journal lands on the entry at the cursor, or on the first one after it when it is gone.
        if try journal.next() {
            pendingCurrent = try !journal.test(cursor: cursor)
        } else {
            pendingCurrent = false
        }
    }

    mutating func run(signals: StopSignals) throws(Failure) {
        while true {
            do {
                try drain()
                // Caught up. Save the checkpoint once the interval has passed, not on every idle
                // moment: a trickle of entries must not cost an fsync each.
                var timeout: Int? = nil
                if isDirty {
                    let remaining = configuration.checkpointIntervalMilliseconds - (monotonicMilliseconds() - lastSave)
                    if remaining <= 0 { try saveIfDirty() } else { timeout = remaining }
                }
                // Correlation windows and silences need time to pass while the journal is idle.
                if pipeline.hasCorrelations { timeout = min(timeout ?? Loop.correlationTick, Loop.correlationTick) }
                // Audit events waiting for more records are completed once the journal has been idle a while.
                let waitsForRecords = pipeline.hasPendingEvents
                if waitsForRecords { timeout = min(timeout ?? eventIdleMilliseconds, eventIdleMilliseconds) }
                let waitStarted = monotonicMilliseconds()
                let change = try journal.wait(timeoutMilliseconds: timeout, interrupt: signals.descriptor)
                if waitsForRecords, change == .none, monotonicMilliseconds() - waitStarted >= eventIdleMilliseconds {
                    try pipeline.flushEvents()
                }
                if change == .none, pipeline.hasCorrelations {
                    // The watermark of an idle live journal: the clock, less the time journald may
                    // still take to store an entry written now.
                    try pipeline.advanceCorrelations(to: realtimeMicroseconds() &- Loop.journalDelay)
                }
                switch change {
                case .interrupted:
                    if let signal = signals.take() {
                        logger.info("Stopping", metadata: ["signal": "\(signal)"])
                        try saveIfDirty()
                        return
                    }
                case .invalidated:
                    try reseek()
                case .appended, .none:
                    break
                }
            } catch let error as JournalError {
                logger.error("Journal read failed; re-seeking to the last processed entry", metadata: ["error": "\(error)"])
                usleep(200_000)  // a failure that repeats must not spin; signals stay pending meanwhile
                do { try reseek() } catch {
                    throw Failure(.software, "cannot read the journal (\(error)); check journald and the journal files")
                }
            } catch let failure as Failure {
                try? saveIfDirty()
                throw failure
            } catch {
                throw Failure(.software, "\(error)")
            }
        }
    }

    /// Processes every available entry; checkpoints by count and time as it goes.
    mutating func drain() throws {
        let journal = journal  // for the cursor closure, which must not capture `self`
        while true {
            if pendingCurrent {
                pendingCurrent = false
            } else {
                // Moving on: the last processed entry's cursor can no longer be read (if `next`
                // fails, the older `lastProcessed` is a safe place to re-seek to).
                let wasAtLastProcessed = atLastProcessed
                atLastProcessed = false
                if try !journal.next() {
                    // At the end, sd_journal_next leaves the journal where it was (journalctl
                    // relies on it for --cursor-file), so the cursor can be read now.
                    atLastProcessed = wasAtLastProcessed
                    settleLastProcessed()
                    return
                }
            }
            let entry: JournalEntry
            do {
                entry = try journal.entry(fields: fields, includingCursor: false)
            } catch {
                pipeline.countUnreadable(error)
                if let cursor = try? journal.cursor() { lastProcessed = cursor }
                continue
            }
            if let cursor = try pipeline.process(entry, cursor: { () throws(JournalError) in try journal.cursor() }) {
                lastProcessed = cursor
                resumeAt = nil
            } else {
                atLastProcessed = true
            }
            entriesSinceSave += 1
            let sinceSave = monotonicMilliseconds() - lastSave
            if (entriesSinceSave >= configuration.checkpointEntries || sinceSave >= configuration.checkpointIntervalMilliseconds)
                && sinceSave >= 20 * lastSaveDuration {
                try saveIfDirty()
            }
        }
    }

    /// How often an idle journal wakes the loop when correlation rules are loaded, in ms.
    static let correlationTick = 10_000
    /// How far behind the clock the watermark of an idle journal stays, in µs.
    static let journalDelay: UInt64 = 5_000_000

    /// Whether entries were processed since the last save.
    var isDirty: Bool {
        if atLastProcessed { return true }
        return savedPosition != position
    }

    /// The position a save would write: the first record of the oldest audit event in flight,
    /// else after the last processed entry.
    var position: Checkpoint.Position? {
        if let pending = pipeline.oldestPendingEvent { return .at(pending.cursor) }
        if let cursor = lastProcessed { return .after(cursor) }
        return resumeAt.map { .at($0) }
    }

    /// Reads the cursor of the last processed entry into `lastProcessed` while the journal is still
    /// at it. If the read fails, the earlier cursor stays: a safe place to re-seek to.
    mutating func settleLastProcessed() {
        guard atLastProcessed else { return }
        atLastProcessed = false
        if let cursor = try? journal.cursor() { lastProcessed = cursor }
    }

    mutating func saveIfDirty() throws(Failure) {
        settleLastProcessed()
        guard isDirty, let position else { return }
        try save(position)
    }

    mutating func save(_ position: Checkpoint.Position) throws(Failure) {
        // Restarting at an audit event's first record reads entries again that were read before
        // this save: alerts they raised since that record arrived must be found then.
        let since = pipeline.oldestPendingEvent?.since ?? realtimeMicroseconds()
        let started = monotonicMilliseconds()
        try store.save(Checkpoint(position: position, savedRealtime: since, state: pipeline.correlationSnapshot()))
        lastSaveDuration = monotonicMilliseconds() - started
        savedPosition = position
        entriesSinceSave = 0
        lastSave = monotonicMilliseconds()
        pipeline.countCheckpoint()
    }
}
