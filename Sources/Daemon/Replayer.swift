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
                                                       maximumGroups: correlationMaximumGroups)
        let engine = detection.engine
        RuleLoading.log(detection.warnings, engine: engine, logger: logger)
        let files = try JournalOpening.journalFiles(in: paths)
        let journal = try JournalOpening.open(.files(files), dataThreshold: dataThreshold)
        let fields = ReadFields.selection(for: engine, journalTampering: journalTampering)
        var sinks: [AlertSink] = [OutputAlertSink(format: format)]
        if toJournal { sinks.append(JournalAlertSink()) }
        let pipeline = Pipeline(engine: engine, ownEntries: OwnEntries(userID: geteuid()), sinks: sinks,
                                host: ReplayHost(), assemblyOptions: assemblyOptions, correlator: detection.correlator,
                                journalTampering: journalTampering ? JournalTampering() : nil, logger: logger)
        pipeline.explainsAssembledEvents = explain
        defer { pipeline.flush() }
        do {
            try journal.seekHead()
            while try journal.next() {
                let entry: JournalEntry
                do {
                    entry = try journal.entry(fields: fields, includingCursor: false)
                } catch {
                    pipeline.countUnreadable(error)
                    continue
                }
                if explain { pipeline.writeExplanation(of: entry) }
                try pipeline.process(entry) { () throws(JournalError) in try journal.cursor() }
            }
            // The journal ends: audit events still waiting for records are complete.
            try pipeline.flushEvents()
        } catch let error as JournalError {
            throw Failure(.data, "\(files.joined(separator: ", ")): cannot read (\(error)); the journal file may be corrupt")
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(.software, "\(error)")
        }
        return pipeline.statistics
    }
}
