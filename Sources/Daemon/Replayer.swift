import Alert
import Detect
import Glibc
import Journal
import Logging
import Parse

/// `cordon replay`: the same pipeline over journal files, first entry to last.
public struct Replayer {
    public var rulePaths: [String]
    /// Print, before each entry's alerts, why each rule did or did not match it (`--explain`).
    public var explain = false
    /// Values for Sigma `%placeholders%` (the `expand` modifier).
    public var placeholders: [String: [String]]
    public var paths: [String]
    public var format: OutputFormat
    public var toJournal: Bool
    public var dataThreshold: Int
    /// Limits of audit event assembly, as `run` has them.
    public var assemblyOptions = AssemblyOptions()
    /// Whether to alert on signs of journal tampering, as `run` does.
    public var journalTampering = false
    /// Groups each correlation rule or detector holds at most, as `run` has them.
    public var correlationMaximumGroups = Configuration().correlationMaximumGroups
    /// Bounds of the anomaly model, as `run` has them.
    public var anomalyLimits = AnomalyModel.Limits()
    /// Read the journal on a second thread while detection runs (`ReadAhead`), when the machine
    /// has two CPUs or more; false reads and detects on one thread.
    public var readAhead = true
    /// The state directory whose saved anomaly model every host's model starts from
    /// (`--model`; read only); nil: an empty model, which learns from the replayed entries.
    public var modelDirectory: String?
    public var logger: Logger

    public init(rulePaths: [String], paths: [String], format: OutputFormat, toJournal: Bool,
                dataThreshold: Int, placeholders: [String: [String]] = [:], logger: Logger) {
        self.rulePaths = rulePaths
        self.placeholders = placeholders
        self.paths = paths
        self.format = format
        self.toJournal = toJournal
        self.dataThreshold = dataThreshold
        self.logger = logger
    }

    /// Replays every entry; alerts go to standard output (and the journal with `toJournal`).
    public func replay() throws(Failure) -> Statistics {
        let (detection, _) = try RuleLoading.detection(paths: rulePaths, placeholders: placeholders,
                                                       maximumGroups: correlationMaximumGroups, anomalyLimits: anomalyLimits)
        let engine = detection.engine
        RuleLoading.log(detection.warnings, engine: engine, logger: logger)
        // With --model, each host's correlator starts from the saved model (its correlation state does not).
        var startingModel: (state: [UInt8], normal: Set<String>)?
        if let modelDirectory {
            let store = ModelStore(directory: modelDirectory)
            guard let state = try store.checkpoints.load()?.state else {
                throw Failure(.noInput, "\(modelDirectory): no model saved there; run `cordon learn --state-dir \(modelDirectory)` first")
            }
            guard detection.correlator?.anomalies != nil else {
                throw Failure(.data, "--model: no anomaly detector among the rules; give --rules with rules/anomaly")
            }
            startingModel = (state, try store.normalValues())
        }
        func starting(_ correlator: Correlator?) throws(Failure) -> Correlator? {
            guard let startingModel, let correlator else { return correlator }
            if let problem = correlator.restoreAnomalyModel(from: startingModel.state) {
                throw Failure(.data, "\(modelDirectory ?? ""): the saved model cannot be used: \(problem)")
            }
            correlator.anomalies?.normal = startingModel.normal
            return correlator
        }
        let files = try JournalOpening.journalFiles(in: paths)
        let journal = try JournalOpening.open(.files(files), dataThreshold: dataThreshold)
        let fields = ReadFields.selection(for: engine, journalTampering: journalTampering,
                                          anomalies: detection.correlator?.anomalies != nil)
        var sinks: [AlertSink] = [OutputAlertSink(format: format)]
        if toJournal { sinks.append(JournalAlertSink()) }
        // One pipeline per host (machine id), as `run` has one loop per host: correlation and
        // tampering state of one host never sees another's entries, so replay equals live.
        func makePipeline(_ correlator: Correlator?) -> Pipeline {
            let pipeline = Pipeline(engine: engine, ownEntries: OwnEntries(userID: geteuid()), sinks: sinks,
                                    host: ReplayHost(), assemblyOptions: assemblyOptions, correlator: correlator,
                                    journalTampering: journalTampering ? JournalTampering() : nil, logger: logger)
            pipeline.explainsAssembledEvents = explain
            return pipeline
        }
        let firstCorrelator = try starting(detection.correlator)
        var hosts = HostPipelines(first: makePipeline(firstCorrelator)) {
            makePipeline((try? starting(detection.makeCorrelator(nil).correlator)) ?? nil)
        }
        defer { sinks.forEach { $0.flush() } }
        do {
            try journal.seekHead()
            func process(_ entry: JournalEntry, cursor: () throws(JournalError) -> Cursor) throws(Failure) {
                let pipeline = hosts.pipeline(for: entry)
                if explain { pipeline.writeExplanation(of: entry) }
                try pipeline.process(entry, cursor: cursor)
            }
            let reader = readAhead && ReadAhead.pays ? ReadAhead(journal: journal, fields: fields) : nil
            if let reader, reader.start() {
                defer { reader.finish() }
                while let batch = try reader.next() {
                    for item in batch {
                        switch item {
                        case .entry(let entry):
                            // Read with its cursor: the closure is never needed.
                            try process(entry) { () throws(JournalError) in
                                guard let cursor = entry.cursor else { throw JournalError(call: "sd_journal_get_cursor", errno: .noData) }
                                return cursor
                            }
                        case .unreadable(let error):
                            hosts.current.countUnreadable(error)
                        }
                    }
                    reader.recycle(batch)
                }
            } else {
                var pagePacer = MappedJournalPages.Pacer()
                while try journal.next() {
                    pagePacer.entryRead()
                    let entry: JournalEntry
                    do {
                        entry = try journal.entry(fields: fields, includingCursor: false)
                    } catch {
                        hosts.current.countUnreadable(error)
                        continue
                    }
                    try process(entry) { () throws(JournalError) in try journal.cursor() }
                }
            }
            // The journal ends: audit events still waiting for records are complete.
            for pipeline in hosts.all { try pipeline.flushEvents() }
        } catch let error as JournalError {
            throw Failure(.data, "\(files.joined(separator: ", ")): cannot read (\(error)); the journal file may be corrupt")
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(.software, "\(error)")
        }
        var statistics = Statistics()
        for pipeline in hosts.all { statistics.accumulate(pipeline.statistics) }
        statistics.correlationGroups = hosts.all.map { $0.statistics.correlationGroups }.reduce(0, +)
        statistics.categories = hosts.all.map { $0.statistics.categories }.reduce(0, +)
        return statistics
    }
}

/// The pipeline of each host (`_MACHINE_ID`) in a replay; entries without one share the first.
struct HostPipelines {
    private var byMachine: [[UInt8]: Pipeline] = [:]
    private var lastMachine: [UInt8] = []
    private(set) var current: Pipeline
    private(set) var all: [Pipeline]
    private let make: () -> Pipeline
    /// Whether the first pipeline belongs to a machine yet.
    private var firstTaken = false

    init(first: Pipeline, make: @escaping () -> Pipeline) {
        current = first
        all = [first]
        self.make = make
    }

    /// The pipeline for the entry's host. Consecutive entries of one host, the common case,
    /// cost a comparison of 32 bytes.
    mutating func pipeline(for entry: JournalEntry) -> Pipeline {
        guard let machine = entry.value(of: "_MACHINE_ID") else {
            if current !== all[0] {
                current = all[0]
                lastMachine = []
            }
            return current
        }
        guard !machine.elementsEqual(lastMachine) else { return current }
        lastMachine = Array(machine)
        if let known = byMachine[lastMachine] {
            current = known
        } else if !firstTaken {
            firstTaken = true
            byMachine[lastMachine] = all[0]
            current = all[0]
        } else {
            let made = make()
            byMachine[lastMachine] = made
            all.append(made)
            current = made
        }
        return current
    }
}
