import Glibc
import Detect
import Journal
import Logging
import Parse

/// `cordon learn`: replays journal history into the anomaly model and saves it in the state
/// directory, so a new installation need not wait out the learning period.
///
/// Runs the whole pipeline (rules included, since rare_login and rare_process learn from rule
/// matches) with no sink: nothing is written to the journal and no action runs. With a
/// checkpoint already in the state directory, it learns up to that checkpoint's entry and keeps
/// its position and correlation state, replacing only the model; without one, it learns to the
/// end of the journal and writes a checkpoint after the last entry learned, where `run` goes on.
/// Stop the daemon first: it saves its own model with its checkpoint.
public struct Learning {
    public let configuration: Configuration
    public let source: Journal.Source
    /// Entry time to start at (µs since the epoch); nil: the oldest entry.
    public let since: UInt64?
    let logger: Logger

    public init(configuration: Configuration, source: Journal.Source, since: UInt64?, logger: Logger) {
        self.configuration = configuration
        self.source = source
        self.since = since
        self.logger = logger
    }

    /// What a learning run did.
    public struct Report: Sendable {
        public var entries = 0
        public var firstRealtime: UInt64?
        public var lastRealtime: UInt64?
        public var categories = 0
        /// Detectors with the end of their learning period (entry time).
        public var detectors: [(title: String, learningEnds: UInt64?)] = []
        /// Where the checkpoint now stands, and whether it was there before.
        public var position: Checkpoint.Position = .head
        public var keptCheckpoint = false
    }

    public func run() throws(Failure) -> Report {
        let store = ModelStore(directory: configuration.stateDirectory)
        let existing = try store.checkpoints.load()
        let (detection, _) = try RuleLoading.detection(paths: configuration.rulePaths, placeholders: configuration.placeholders,
                                                       maximumGroups: configuration.correlationMaximumGroups,
                                                       anomalyLimits: configuration.anomalyLimits)
        guard let correlator = detection.correlator, let model = correlator.anomalies else {
            throw Failure(.data, "\(configuration.rulePaths.joined(separator: ", ")): no anomaly detector (rare_category, category_rate, "
                + "rare_process, rare_login) among the rules; add rules/anomaly or give --rules with them")
        }
        try store.checkpoints.prepare()
        let journal = try JournalOpening.open(source, dataThreshold: configuration.dataThreshold)
        let fields = ReadFields.selection(for: detection.engine, anomalies: true)
        let pipeline = Pipeline(engine: detection.engine, ownEntries: OwnEntries(userID: geteuid()), sinks: [], host: ReplayHost(),
                                assemblyOptions: configuration.assembly, correlator: correlator, logger: logger)
        // Learn up to the daemon's checkpoint: entries after it are the daemon's to read.
        var stop: (cursor: Cursor, inclusive: Bool, realtime: UInt64)?
        switch existing?.position {
        case .after(let cursor): stop = cursor.realtime.map { (cursor, true, $0) }
        case .at(let cursor): stop = cursor.realtime.map { (cursor, false, $0) }
        case .head, nil: stop = nil
        }
        var report = Report()
        var last: Cursor?
        do throws(any Error) {
            if let since { try journal.seek(toRealtime: since) } else { try journal.seekHead() }
            var pacer = MappedJournalPages.Pacer()
            while try journal.next() {
                pacer.entryRead()
                let entry: JournalEntry
                do {
                    entry = try journal.entry(fields: fields, includingCursor: false)
                } catch {
                    pipeline.countUnreadable(error)
                    continue
                }
                var isLast = false
                if let stop, entry.realtime >= stop.realtime {
                    if try journal.test(cursor: stop.cursor) {
                        if !stop.inclusive { break }
                        isLast = true
                    } else if entry.realtime > stop.realtime &+ 60_000_000 {
                        break
                    }
                }
                try pipeline.process(entry) { () throws(JournalError) in try journal.cursor() }
                report.entries += 1
                if report.firstRealtime == nil { report.firstRealtime = entry.realtime }
                report.lastRealtime = entry.realtime
                if isLast { break }
            }
            if report.entries > 0, stop == nil { last = try journal.cursor() }
            try pipeline.flushEvents()
        } catch let error as JournalError {
            throw Failure(.data, "cannot read the journal (\(error)); it may be corrupt")
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(.software, "\(error)")
        }
        // The saved state: the checkpoint's correlation state (or a fresh one) with the model learned.
        let (saved, _) = detection.makeCorrelator(existing?.state)
        guard let saved else { throw Failure(.software, "the correlator vanished") }
        saved.replaceAnomalyModel(with: model)
        let position: Checkpoint.Position
        if let existing {
            position = existing.position
            report.keptCheckpoint = true
        } else {
            position = last.map { .after($0) } ?? .head
        }
        try store.checkpoints.save(Checkpoint(position: position, savedRealtime: existing?.savedRealtime ?? realtimeMicroseconds(),
                                              state: saved.snapshot()))
        report.position = position
        report.categories = model.categoryCount
        report.detectors = model.detectors.map { detector in (detector.rule.title, model.learningStart.map { $0 &+ detector.learning }) }
        return report
    }
}
