import Alert
import Detect
import Glibc
import Journal
import Logging
import Parse
import Respond

/// `cordon run`: tail a journal, write alerts to the local journal, keep a crash-safe checkpoint;
/// reload rules and configuration on SIGHUP; speak systemd's notify protocol.
public struct Runner {
    public var configuration: Configuration
    /// What to read; alerts always go to the local journal.
    public var source: Journal.Source
    /// On a first start (no checkpoint), begin at the oldest entry rather than the tail.
    public var fromStart: Bool
    public var logger: Logger
    /// Reads the configuration again for a reload (SIGHUP): the file with the command's flags on
    /// top. Without it, a reload reads the rules again with the configuration given.
    public var reloadConfiguration: (() throws(Failure) -> Configuration)?

    public init(configuration: Configuration, source: Journal.Source, fromStart: Bool, logger: Logger,
                reloadConfiguration: (() throws(Failure) -> Configuration)? = nil) {
        self.configuration = configuration
        self.source = source
        self.fromStart = fromStart
        self.logger = logger
        self.reloadConfiguration = reloadConfiguration
    }

    /// Runs until SIGTERM or SIGINT, then saves the checkpoint and returns the counters.
    /// - Throws: `Failure` for bad rules, an unreadable journal, an unwritable state directory.
    public func run() throws(Failure) -> Statistics {
        // Journal files from elsewhere (systemd-journal-remote's) may hold many hosts: one loop each.
        if source != .local { return try FleetRunner(runner: self).run() }
        let signals = try ControlSignals()
        let service = ServiceNotifier()
        let store = CheckpointStore(directory: configuration.stateDirectory)
        try store.prepare()
        let checkpoint = try store.load()
        let (generation, snapshotProblem) = try makeGeneration(configuration, snapshot: checkpoint?.state, alreadyWritten: [],
                                                               reusing: nil)
        if let snapshotProblem {
            logger.warning("The saved correlation state cannot be used; correlation starts afresh from the checkpoint",
                           metadata: ["reason": "\(snapshotProblem)", "state.file": "\(store.path)"])
        }
        let journal = try JournalOpening.open(source, dataThreshold: configuration.dataThreshold)
        let ownEntries = OwnEntries(userID: geteuid())

        let summary = "\(generation.ruleCount) rules, state in \(configuration.stateDirectory)"
        let markerSeen = try WrittenAlerts.writeStartMarker(summary: summary, timeoutMilliseconds: 5000,
                                                            dataThreshold: configuration.dataThreshold)
        if !markerSeen {
            logger.warning("The start marker did not reach the journal within 5 s; alerts written just before a crash may be written again")
        }
        var alreadyWritten = Set<AlertKey>()
        var earlierAlerts: WrittenAlerts.Bound?
        if let checkpoint {
            let found = try WrittenAlerts.search(since: checkpoint.savedRealtime, ownEntries: ownEntries,
                                                 dataThreshold: configuration.dataThreshold)
            alreadyWritten = found.keys
            earlierAlerts = found.bound(since: checkpoint.savedRealtime)
        }
        generation.pipeline.addAlreadyWritten(alreadyWritten)

        let runner = self
        var loop = Loop(journal: journal, generation: generation, store: store, configuration: configuration,
                        service: service, heartbeat: service, logger: logger, stallMarker: FaultInjection.stallMarker)
        loop.earlierAlerts = earlierAlerts
        loop.rebuild = { (configuration, snapshot, alreadyWritten, responder) throws(Failure) in
            try runner.makeGeneration(configuration, snapshot: snapshot, alreadyWritten: alreadyWritten, reusing: responder)
        }
        loop.reconfigure = reloadConfiguration ?? { [configuration] () throws(Failure) in configuration }
        try loop.position(at: checkpoint, fromStart: fromStart)
        // Logged once positioned: an entry written after this line is read.
        logger.info("Cordon started", metadata: [
            "rules.count": "\(generation.ruleCount)",
            "state.checkpoint": "\(checkpoint.map { "\($0.position)" } ?? "none")",
            "restart.known_alerts": "\(alreadyWritten.count)",
        ])
        if FaultInjection.stallMarker != nil {
            logger.warning("Fault injection is on: the detection loop stalls at an entry whose MESSAGE contains CORDON_FAULT_STALL")
        }
        generation.responder?.start()
        service.ready(status: loop.statusLine())
        defer { loop.generation.responder?.stop(timeout: 5) }
        try loop.run(control: signals)

        var statistics = loop.generation.pipeline.statistics
        statistics.accumulate(loop.earlierStatistics)
        if let response = loop.generation.responder?.statistics {
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
            "reloads": "\(loop.reloads)",
            "correlation.alerts": "\(statistics.correlationAlerts)",
            "correlation.groups": "\(statistics.correlationGroups)",
            "correlation.evictions": "\(statistics.correlationEvictions)",
            "anomaly.alerts": "\(statistics.anomalyAlerts)",
            "anomaly.categories": "\(statistics.categories)",
            "anomaly.suppressed": "\(statistics.anomaly.suppressed)",
            "audit.records": "\(statistics.assembly.auditRecords)",
            "audit.events": "\(statistics.assembly.auditEvents)",
            "audit.completed_early": "\(statistics.assembly.auditEventsCompletedEarly)",
            "audit.records_dropped": "\(statistics.assembly.auditRecordsDropped)",
            "sysmon.events": "\(statistics.assembly.sysmonEvents)",
            "sysmon.unreadable": "\(statistics.assembly.sysmonUnreadable)",
        ])
        ServiceEntries.stopped(entries: statistics.entries, alerts: statistics.alerts, logger: logger)
        return statistics
    }
}

/// What one set of rules and configuration runs with: made at start and again by each reload.
final class Generation {
    let configuration: Configuration
    let pipeline: Pipeline
    /// The fields read from each entry.
    let fields: JournalFieldSelection
    let responder: Responder?
    let ruleCount: Int

    init(configuration: Configuration, pipeline: Pipeline, fields: JournalFieldSelection, responder: Responder?, ruleCount: Int) {
        self.configuration = configuration
        self.pipeline = pipeline
        self.fields = fields
        self.responder = responder
        self.ruleCount = ruleCount
    }
}

extension Runner {
    /// Loads the rules and builds the pipeline and responder of `configuration`.
    /// - Parameter reusing: the responder in effect (a reload): kept if the actions are the same.
    /// - Returns: also why `snapshot` could not be used, if it could not.
    func makeGeneration(_ configuration: Configuration, snapshot: [UInt8]?, alreadyWritten: Set<AlertKey>,
                        reusing: Responder?) throws(Failure) -> (Generation, snapshotProblem: String?) {
        let (detection, snapshotProblem) = try RuleLoading.detection(
            paths: configuration.rulePaths, placeholders: configuration.placeholders,
            maximumGroups: configuration.correlationMaximumGroups, anomalyLimits: configuration.anomalyLimits, snapshot: snapshot)
        RuleLoading.log(detection.warnings, engine: detection.engine, logger: logger)
        detection.correlator?.applyNormalValues(from: ModelStore(directory: configuration.stateDirectory), logger: logger)
        let responder = try makeResponder(configuration.response, detection, reusing: reusing)
        let generation = makeGeneration(configuration, engine: detection.engine, correlator: detection.correlator,
                                        responder: responder, alreadyWritten: alreadyWritten)
        return (generation, snapshotProblem.map { "\($0)" })
    }

    /// The pipeline of loaded rules with this correlation state and responder, and the fields it reads.
    func makeGeneration(_ configuration: Configuration, engine: Engine, correlator: Correlator?, responder: Responder?,
                        alreadyWritten: Set<AlertKey>) -> Generation {
        let pipeline = Pipeline(engine: engine, ownEntries: OwnEntries(userID: geteuid()), sinks: [JournalAlertSink()],
                                alreadyWritten: alreadyWritten, host: LiveHost(source: source),
                                assemblyOptions: configuration.assembly, correlator: correlator,
                                journalTampering: configuration.journalTampering ? JournalTampering() : nil,
                                responder: responder, logger: logger)
        let fields = ReadFields.selection(for: engine, journalTampering: configuration.journalTampering,
                                          anomalies: correlator?.anomalies != nil,
                                          also: FaultInjection.stallMarker == nil ? [] : ["MESSAGE"])
        return Generation(configuration: configuration, pipeline: pipeline, fields: fields,
                          responder: responder, ruleCount: engine.rules.count)
    }

    /// The responder for the configured actions, with rule names resolved; nil without actions.
    /// - Parameter reusing: returned as is if its actions are these (a reload that left them alone).
    func makeResponder(_ response: ResponseConfiguration, _ detection: LoadedDetection,
                       reusing: Responder?) throws(Failure) -> Responder? {
        var response = response
        guard !response.actions.isEmpty else { return nil }
        for (action, reference) in response.resolveRuleNames(detection.ruleIdentifiers) {
            logger.warning("An action's trigger names a rule that is not loaded", metadata: ["action.name": "\(action)", "rule": "\(reference)"])
        }
        if let reusing, reusing.configuration == response { return reusing }
        for hook in response.missingHooks {
            logger.warning("A dry-run action's hook is not installed; enforcing it would fail", metadata: ["hook": "\(hook)"])
        }
        let ledger: ActionLedger
        do {
            // Compacted at start only: on reload the responder in effect may still be writing to it.
            ledger = try ActionLedger(directory: configuration.stateDirectory, compacting: reusing == nil)
        } catch {
            throw Failure(.cannotCreate, "\(error); choose a writable --state-dir or run as root")
        }
        logger.info("Response", metadata: [
            "response.mode": "\(response.mode.rawValue)", "response.actions": "\(response.actions.map(\.name))",
        ])
        return Responder(configuration: response, ledger: ledger, logger: logger)
    }
}

/// Test-only faults the daemon can be told to inject through its environment.
enum FaultInjection {
    /// `CORDON_FAULT_STALL=<text>`: the detection loop blocks for good at the first entry whose
    /// MESSAGE contains `<text>`, so a test can show that the watchdog restarts a stuck loop.
    /// Only the operator's environment sets it; log content alone cannot.
    static let stallMarker: [UInt8]? = {
        guard let value = getenv("CORDON_FAULT_STALL"), value.pointee != 0 else { return nil }
        return Array(String(cString: value).utf8)
    }()
}
