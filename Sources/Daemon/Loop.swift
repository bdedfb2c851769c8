import Alert
import Glibc
import Journal
import Logging
import Parse
import Respond

/// The read loop: next entry, process, checkpoint now and then, wait when caught up; reload on
/// SIGHUP, stop on SIGTERM or SIGINT, and tell systemd it is alive from the loop itself.
///
/// Entries are read without their cursor (`sd_journal_get_cursor` formats and allocates text):
/// the cursor of the last processed entry is read only while the journal is still at it, when it
/// is needed: before a checkpoint is saved, at the end of a batch (before a wait can rotate files
/// away), and for an entry that raises an alert.
struct Loop {
    let journal: Journal
    /// The rules, pipeline and responder in effect; a reload replaces them.
    var generation: Generation
    var pipeline: Pipeline { generation.pipeline }
    let store: CheckpointStore
    /// Checkpoint and assembly timing; a reload updates it (but not what needs a restart).
    var configuration: Configuration
    /// systemd's notify socket; nil for a host loop in fleet mode, whose supervisor speaks to it.
    let service: ServiceNotifier?
    /// Hears that the loop is alive and how it is doing (the watchdog and status line).
    let heartbeat: any Heartbeat
    let logger: Logger
    /// `CORDON_FAULT_STALL`: the loop stalls at an entry whose MESSAGE contains this.
    let stallMarker: [UInt8]?
    /// Builds the next generation for a reload: configuration, correlation snapshot, alerts from
    /// before a restart not met yet, and the responder to keep if the actions did not change.
    var rebuild: ((Configuration, [UInt8]?, Set<AlertKey>, Responder?) throws(Failure) -> (Generation, snapshotProblem: String?))?
    /// Reads the configuration again for a reload.
    var reconfigure: (() throws(Failure) -> Configuration)?
    /// The counters of the generations before this one.
    var earlierStatistics = Statistics()
    var reloads = 0
    /// Whether this loop starts and stops responders when a reload changes them; false for host
    /// loops in fleet mode, which share one the supervisor manages.
    var managesResponder = true
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
    /// Releases the journal's mapped pages as entries are read (`MappedJournalPages`).
    var pagePacer = MappedJournalPages.Pacer()
    var lastSave = monotonicMilliseconds()
    var savedPosition: Checkpoint.Position?
    /// How long the last save took, in ms: with correlation state, saves are spaced at least
    /// 20 times that apart, so a large state costs at most about 5% of the time.
    var lastSaveDuration = 0
    /// After a restart from `.at`: the entry to start at, until an entry is processed.
    var resumeAt: Cursor?
    /// The wait of the fast polling while entries flow, in ms; nil: wait for journald's notification.
    var pollInterval: Int?
    /// When a drain last read entries (monotonic ms), and the pipeline's entry count then.
    var lastEntries = monotonicMilliseconds()
    var entriesSeen = 0
    /// After a restart that found alerts written past the checkpoint by the process before: saves
    /// keep its search start as their time until the position is past those alerts' entries.
    var earlierAlerts: WrittenAlerts.Bound?
    /// How long an audit event may wait for more records while the journal is idle, in ms.
    var eventIdleMilliseconds: Int { configuration.assemblyIdleMilliseconds }
    /// When the status line was last sent (monotonic ms), and the entry count then.
    var lastStatus = (time: monotonicMilliseconds(), entries: 0)
    /// The entries-per-second figure of the status line.
    var entryRate = 0

    init(journal: Journal, generation: Generation, store: CheckpointStore, configuration: Configuration,
         service: ServiceNotifier?, heartbeat: any Heartbeat, logger: Logger, stallMarker: [UInt8]? = nil) {
        self.journal = journal
        self.generation = generation
        self.store = store
        self.configuration = configuration
        self.service = service
        self.heartbeat = heartbeat
        self.logger = logger
        self.stallMarker = stallMarker
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

    mutating func run(control: any LoopControl) throws(Failure) {
        while true {
            do {
                try drain(control: control)
                // Caught up: the journal had nothing more a moment ago (sd_journal_next reads the
                // files as journald writes them). Whatever is due on time alone happens now, and
                // the wait is only as long as the next of those allows: an idle journal without
                // a watchdog waits for its next entry, with no wake-up in between.
                let now = monotonicMilliseconds()
                noteEntries(now: now)
                // Audit events waiting for more records are completed once no entry came for a while.
                let quietFor = now - lastEntries
                if pipeline.hasPendingEvents, quietFor >= eventIdleMilliseconds { try pipeline.flushEvents() }
                // Correlation windows close and silences fire on entry time; on an idle live journal
                // the clock, less the time journald may still take to store an entry written now,
                // stands in for it, up to the next deadline.
                let watermark = realtimeMicroseconds() &- Loop.journalDelay
                if let deadline = pipeline.nextCorrelationDeadline, deadline <= watermark {
                    try pipeline.advanceCorrelations(to: watermark)
                }
                var timeout: Int? = nil
                func wake(within milliseconds: Int) { timeout = min(timeout ?? milliseconds, max(0, milliseconds)) }
                // Save the checkpoint once the interval has passed, not on every idle moment: a
                // trickle of entries must not cost an fsync each.
                if isDirty {
                    let remaining = configuration.checkpointIntervalMilliseconds - (monotonicMilliseconds() - lastSave)
                    if remaining <= 0 { try saveIfDirty() } else { wake(within: remaining) }
                }
                if let deadline = pipeline.nextCorrelationDeadline {
                    let due = deadline > watermark ? Int(min((deadline - watermark + 999) / 1000, UInt64(Int.max))) : 0
                    // At least 100 ms: a state that kept a passed deadline cannot make this spin. At
                    // most a minute: the wall clock set forward is noticed within that.
                    wake(within: min(max(due, 100), Loop.longestCorrelationWait))
                }
                if pipeline.hasPendingEvents { wake(within: eventIdleMilliseconds - quietFor) }
                // The watchdog hears from this loop at least every half interval, also when idle.
                if let ping = heartbeat.pingInterval { wake(within: ping) }
                if let poll = pollInterval { wake(within: poll) }
                heartbeat.alive()
                updateStatus()
                let change = try journal.wait(timeoutMilliseconds: timeout, interrupt: control.descriptor)
                heartbeat.alive()
                switch change {
                case .interrupted:
                    while let request = control.take() {
                        switch request {
                        case .reload:
                            try reload()
                        case .apply(let reload):
                            try apply(reload)
                        case .stop(let signal):
                            logger.info("Stopping", metadata: ["signal": "\(signal)"])
                            service?.stopping()
                            try saveIfDirty()
                            return
                        }
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

    /// Keeps the fast polling going while entries flow, and ends it once they stop.
    ///
    /// journald puts an entry into its file at once, where `sd_journal_next` reads it, but wakes
    /// readers (inotify) 250 to 500 ms after a write (a 250 ms timer of sd-event's default 250 ms
    /// accuracy; 450-500 ms measured here): it coalesces its change notifications. Waiting
    /// for them alone put the entry -> alert latency at 10,000 entries/s at p50 89 ms, p99 239 ms
    /// (scripts/live-bench.py). So after a drain that read entries, the next wait ends after
    /// `firstPoll` ms, each one after that twice as long up to `longestPoll`, and once
    /// `pollSpan` ms passed without an entry only the journal's descriptor wakes the loop. The
    /// descriptor is polled all along: a rotation (a new file, which only inotify announces)
    /// still arrives as `.invalidated`. Measured: p50 4 ms, p99 14 ms at 10,000 entries/s, for
    /// 5.5% of a core instead of 3.8%; the last entry of a flow costs about 28 wake-ups, an idle
    /// journal none.
    /// A span of a second keeps the polling through a short stall of journald or of this process;
    /// a lone entry after a quiet spell still waits for journald's notification.
    mutating func noteEntries(now: Int) {
        let entries = pipeline.statistics.entries
        if entries != entriesSeen {
            entriesSeen = entries
            lastEntries = now
            pollInterval = Loop.firstPoll
        } else if let interval = pollInterval {
            pollInterval = now - lastEntries < Loop.pollSpan ? min(interval * 2, Loop.longestPoll) : nil
            if pollInterval == nil { reportQuiet(now: now) }
        }
    }

    /// Processes every available entry; checkpoints by count and time as it goes.
    /// - Parameter control: polled every 1,024 entries, so a stop or reload asked for during a
    ///   long catch-up is handled then, not once the journal is read to its end.
    mutating func drain(control: (any LoopControl)? = nil) throws {
        let journal = journal  // for the cursor closure, which must not capture `self`
        let pipeline = pipeline
        let fields = generation.fields
        var sinceAlive = 0
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
            if let stallMarker { stallIfMarked(entry, stallMarker) }
            if let cursor = try pipeline.process(entry, cursor: { () throws(JournalError) in try journal.cursor() }) {
                lastProcessed = cursor
                resumeAt = nil
            } else {
                atLastProcessed = true
            }
            entriesSinceSave += 1
            pagePacer.entryRead()
            // A long catch-up keeps the watchdog fed; the clock is read every 1,024 entries only.
            sinceAlive += 1
            if sinceAlive == 1024 {
                sinceAlive = 0
                heartbeat.alive()
                updateStatus()
                if let control, Loop.isReadable(control.descriptor) {
                    // The journal is still at the entry just processed: its cursor can be read.
                    settleLastProcessed()
                    return
                }
            }
            let sinceSave = monotonicMilliseconds() - lastSave
            if (entriesSinceSave >= configuration.checkpointEntries || sinceSave >= configuration.checkpointIntervalMilliseconds)
                && sinceSave >= 20 * lastSaveDuration {
                try saveIfDirty()
            }
        }
    }

    /// Re-reads the configuration and rules and puts them into effect. An error in them leaves
    /// the rules in effect unchanged; it is logged and written to the journal with its file and line.
    /// - Throws: only what the loop itself cannot go on from (the checkpoint cannot be saved).
    mutating func reload() throws(Failure) {
        service?.reloading()
        logger.info("Reloading rules and configuration")
        try settleBeforeReplacing()
        let previous = generation
        let logger = logger
        do throws(Failure) {
            guard let reconfigure, let rebuild else { throw Failure(.software, "reload is not available") }
            let next = Loop.keepingRestartSettings(try reconfigure(), of: configuration, logger: logger)
            let (built, snapshotProblem) = try rebuild(next, previous.pipeline.correlationSnapshot(),
                                                       previous.pipeline.unmatchedAlreadyWritten, previous.responder)
            if let snapshotProblem {
                logger.info("Correlation state starts afresh with the reloaded rules", metadata: ["reason": "\(snapshotProblem)"])
            }
            replaceGeneration(with: built, configuration: next)
            logger.info("Reloaded", metadata: ["rules.count": "\(built.ruleCount)"])
            ServiceEntries.reloaded(ruleCount: built.ruleCount, logger: logger)
            service?.ready(status: statusLine())
        } catch {
            logger.error("Rules not reloaded; the rules loaded before stay active", metadata: ["error": "\(error.message)"])
            ServiceEntries.loadFailed(error.message, ruleCount: previous.ruleCount, logger: logger)
            service?.ready(status: "Reload failed, previous rules active: \(error.message)")
        }
    }

    /// Puts rules another thread loaded into effect (a host loop in fleet mode), and tells it how
    /// that went. An error here also ends the loop.
    mutating func apply(_ reload: PreparedReload) throws(Failure) {
        do throws(Failure) {
            try settleBeforeReplacing()
            let previous = generation
            let built = try reload.build(previous.pipeline.correlationSnapshot(), previous.pipeline.unmatchedAlreadyWritten,
                                         previous.responder)
            replaceGeneration(with: built, configuration: reload.configuration)
            reload.finished(nil)
        } catch {
            reload.finished(error)
            throw error
        }
    }

    /// Completes the audit events in flight under the rules in effect and saves the position, so
    /// the next rules start exactly at the next entry: nothing is read twice or skipped.
    mutating func settleBeforeReplacing() throws(Failure) {
        try pipeline.flushEvents()
        try saveIfDirty()
    }

    /// Switches to `next` (after `settleBeforeReplacing`).
    mutating func replaceGeneration(with next: Generation, configuration nextConfiguration: Configuration) {
        let previous = generation
        if managesResponder, next.responder !== previous.responder {
            // Hooks the old responder started finish and record their outcomes in the shared
            // ledger; the new one does not run them again (no crash recovery on reload).
            previous.responder?.stop(timeout: 5)
            next.responder?.start(recovering: false)
        }
        earlierStatistics.accumulate(previous.pipeline.statistics)
        generation = next
        configuration = nextConfiguration
        reloads += 1
    }

    /// `next` with the settings that only a restart changes (the open journal, the state
    /// directory) taken from `current`, and a warning if they differed.
    static func keepingRestartSettings(_ next: Configuration, of current: Configuration, logger: Logger) -> Configuration {
        guard next.stateDirectory != current.stateDirectory || next.dataThreshold != current.dataThreshold else { return next }
        logger.warning("state_directory and data_threshold take effect at the next restart, not on reload")
        var kept = next
        kept.stateDirectory = current.stateDirectory
        kept.dataThreshold = current.dataThreshold
        return kept
    }

    /// `CORDON_FAULT_STALL`: blocks this thread for good when the entry's MESSAGE contains the
    /// marker. SIGTERM no longer stops the daemon (it is read here); the watchdog's SIGABRT does.
    func stallIfMarked(_ entry: JournalEntry, _ marker: [UInt8]) {
        guard let message = entry.value(of: "MESSAGE").map(Array.init), message.count >= marker.count,
              (0...(message.count - marker.count)).contains(where: { message[$0..<($0 + marker.count)].elementsEqual(marker) })
        else { return }
        logger.warning("Fault injection: the detection loop stalls now (CORDON_FAULT_STALL)")
        while true { sleep(3600) }
    }

    /// One line for `systemctl status`: rules, entries per second, alerts, actions.
    func statusLine() -> String {
        var statistics = pipeline.statistics
        statistics.accumulate(earlierStatistics)
        var line = "\(generation.ruleCount) rules; \(entryRate) entries/s; \(statistics.entries) entries, \(statistics.alerts) alerts"
        if let response = generation.responder?.statistics {
            line += ", actions: \(response.applied) applied, \(response.wouldRun) dry-run, \(response.failed) failed"
        }
        return line
    }

    /// The journal went quiet: the status says 0 entries/s now, as no wake-up will update it
    /// before the next entry (or watchdog ping).
    mutating func reportQuiet(now: Int) {
        var statistics = pipeline.statistics
        statistics.accumulate(earlierStatistics)
        entryRate = 0
        lastStatus = (now, statistics.entries)
        heartbeat.report(LoopStatus(rules: generation.ruleCount, entryRate: entryRate, entries: statistics.entries,
                                    alerts: statistics.alerts), line: statusLine())
    }

    /// Sends the status every 10 s (and computes the entry rate over that time).
    mutating func updateStatus() {
        let now = monotonicMilliseconds()
        let elapsed = now - lastStatus.time
        guard elapsed >= Loop.statusInterval else { return }
        var statistics = pipeline.statistics
        statistics.accumulate(earlierStatistics)
        entryRate = (statistics.entries - lastStatus.entries) * 1000 / max(1, elapsed)
        lastStatus = (now, statistics.entries)
        heartbeat.report(LoopStatus(rules: generation.ruleCount, entryRate: entryRate, entries: statistics.entries,
                                    alerts: statistics.alerts), line: statusLine())
    }

    /// Whether `descriptor` has something to read now (a request waits).
    static func isReadable(_ descriptor: CInt) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) == 1
    }

    /// How often the status line is updated, in ms.
    static let statusInterval = 10_000
    /// The longest wait for a correlation deadline, in ms (the wall clock may be set forward).
    static let longestCorrelationWait = 60_000
    /// The first and the longest wait of the fast polling while entries flow, and how long it
    /// goes on after the last entry, in ms (`noteEntries`).
    static let firstPoll = 5
    static let longestPoll = 40
    static let pollSpan = 1_000
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
        var since = pipeline.oldestPendingEvent?.since ?? realtimeMicroseconds()
        if let bound = earlierAlerts {
            if bound.isPassed(by: position) { earlierAlerts = nil } else { since = min(since, bound.since) }
        }
        let started = monotonicMilliseconds()
        try store.save(Checkpoint(position: position, savedRealtime: since, state: pipeline.correlationSnapshot()))
        lastSaveDuration = monotonicMilliseconds() - started
        savedPosition = position
        entriesSinceSave = 0
        lastSave = monotonicMilliseconds()
        pipeline.countCheckpoint()
    }
}
