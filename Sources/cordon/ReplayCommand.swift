import ArgumentParser
import Daemon

extension OutputFormat: ExpressibleByArgument {}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the rules over journal files from start to end; print the alerts.",
        discussion: """
            Detection uses entry timestamps only, so a replay gives the alerts a live run gave. \
            -o export prints journal export format: pipe it into \
            `/lib/systemd/systemd-journal-remote --output=alerts.journal -` to get a journal file.
            """
    )

    @OptionGroup var rules: RuleOptions

    @Argument(help: ArgumentHelp("Journal files (*.journal) or directories holding them.", valueName: "file-or-directory"))
    var paths: [String]

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text, json or export.")
    var format: OutputFormat = .text

    @Flag(name: .customLong("to-journal"), help: "Also write the alerts into the local journal.")
    var toJournal = false

    @Flag(help: "Before each entry's alerts, print which rules were considered, which selections held and why each condition did or did not.")
    var explain = false

    @Flag(name: .customLong("stats"), help: "Print counters to stderr at the end.")
    var stats = false

    @Option(name: .customLong("model"), help: ArgumentHelp(
        "Start from the anomaly model saved in this state directory (read only; `cordon learn` makes one). Default: an empty model, learning from the replayed entries.",
        valueName: "state-dir"))
    var modelDirectory: String?

    @Flag(name: .customLong("single-thread"),
          help: "Read the journal and run the rules on one thread (by default, with two CPUs or more, the journal is read on a second thread).")
    var singleThread = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one journal file or directory") }
    }

    func run() throws {
        try reporting { () throws(Failure) in
            let configuration = try rules.configuration()
            let started = ContinuousClock.now
            var replayer = Replayer(rulePaths: configuration.rulePaths, paths: paths, format: format,
                                    toJournal: toJournal, dataThreshold: configuration.dataThreshold,
                                    placeholders: configuration.placeholders, logger: LogSetup.logger())
            replayer.explain = explain
            replayer.readAhead = !singleThread
            replayer.modelDirectory = modelDirectory
            replayer.assemblyOptions = configuration.assembly
            replayer.correlationMaximumGroups = configuration.correlationMaximumGroups
            replayer.anomalyLimits = configuration.anomalyLimits
            replayer.journalTampering = configuration.journalTampering
            let statistics = try replayer.replay()
            if stats {
                let elapsed = ContinuousClock.now - started
                let microseconds = max(1, elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
                let rate = Int64(statistics.entries) * 1_000_000 / microseconds
                printToStandardError("cordon: replayed \(statistics.entries) entries, \(statistics.alerts) alerts, "
                    + "\(statistics.truncatedEntries) truncated, \(statistics.entriesWithoutMessage) without MESSAGE, "
                    + "\(statistics.unreadableEntries) unreadable, \(statistics.regexLimitHits) regex limit hits, "
                    + "\(statistics.ruleEvaluations) rule evaluations, \(statistics.rulesPrefilteredOut) prefiltered out, "
                    + "\(microseconds / 1000) ms, \(rate) entries/s")
                if statistics.correlationAlerts > 0 || statistics.correlationGroups > 0 {
                    printToStandardError("cordon: correlation: \(statistics.correlationAlerts) alerts, "
                        + "\(statistics.correlationGroups) groups held, \(statistics.correlationEvictions) evicted at the cap")
                }
                let anomaly = statistics.anomaly
                if anomaly.categorised > 0 || statistics.anomalyAlerts > 0 {
                    printToStandardError("cordon: anomaly: \(anomaly.categorised) entries categorised into \(statistics.categories) categories "
                        + "(\(anomaly.minerEvictions + anomaly.userMinerEvictions) evicted at the caps), \(statistics.anomalyAlerts) alerts, "
                        + "\(anomaly.suppressed) suppressed by the hourly limits, \(anomaly.processEvictions) executables and "
                        + "\(anomaly.userEvictions) users forgotten at the caps")
                }
                let assembly = statistics.assembly
                if statistics.assembledEvents > 0 || assembly.auditRecords > 0 || assembly.sysmonUnreadable > 0 {
                    printToStandardError("cordon: assembled \(assembly.auditRecords) audit records into \(assembly.auditEvents) events "
                        + "(\(assembly.auditEventsCompletedEarly) completed early at the in-flight limit, "
                        + "\(assembly.auditRecordsDropped) records dropped at the size limits, "
                        + "\(assembly.parentsFound) parents found, \(assembly.processTableEvictions) processes forgotten), "
                        + "\(assembly.sysmonEvents) Sysmon events (\(assembly.sysmonUnreadable) unreadable); "
                        + "rules ran on \(statistics.assembledEvents) assembled events")
                }
            }
        }
    }
}
