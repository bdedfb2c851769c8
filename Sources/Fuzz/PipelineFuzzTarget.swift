import Alert
import Daemon
import Detect
import Journal
import Logging
import Parse

/// Bytes → a sequence of journal entries (`FuzzEntries`, with their timestamps) through the
/// whole per-entry pipeline with the shipped rules, as `cordon replay` runs it: parse, detect,
/// assemble audit events, correlate (a small state cap, so eviction is reached), journal
/// tampering signs, and every alert formatted as text, JSON, journal and export fields. Then
/// time runs on a day, so correlation windows close and silences fire, and the correlation
/// state is saved and restored.
final class PipelineFuzzTarget: FuzzTarget {
    private let detection: LoadedDetection
    let sink = FormattingAlertSink()
    private let logger = Logger(label: "cordon.fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

    init(rulesDirectory: String) throws(FuzzSetupError) {
        do {
            detection = try RuleLoading.detection(paths: [rulesDirectory], maximumGroups: Self.maximumGroups).detection
        } catch {
            throw FuzzSetupError("\(rulesDirectory): the rules do not load: \(error)")
        }
    }

    /// Groups each correlation rule holds: small, so that inputs reach the cap.
    static let maximumGroups = 8

    func run(_ input: [UInt8]) {
        let entries = FuzzEntries.decode(input)
        sink.removeAll()
        var options = AssemblyOptions()
        options.maximumPendingEvents = 8
        let pipeline = Pipeline(engine: detection.engine, ownEntries: OwnEntries(userID: 0), sinks: [sink],
                                assemblyOptions: options, correlator: detection.makeCorrelator(nil).correlator,
                                journalTampering: JournalTampering(), logger: logger)
        for entry in entries {
            _ = try? pipeline.process(entry) { () throws(JournalError) in entry.cursor ?? FuzzEntries.noCursor }
        }
        try? pipeline.flushEvents()
        let end = entries.last?.realtime ?? 0
        try? pipeline.advanceCorrelations(to: end &+ 86_400_000_000)
        if let snapshot = pipeline.correlationSnapshot() {
            let restored = detection.makeCorrelator(snapshot)
            // The state a pipeline saves must restore: a checkpoint that does not is lost state.
            precondition(restored.snapshotProblem == nil, "correlation snapshot does not restore: \(restored.snapshotProblem ?? "")")
        }
        _ = pipeline.statistics
    }
}

/// Formats every alert the way each sink would, and keeps only their rule ids.
final class FormattingAlertSink: AlertSink {
    private var buffer: [UInt8] = []
    /// The rule id of every alert written (tests check the seeds raise alerts).
    private(set) var ruleIdentifiers: [String] = []

    func write(_ alert: Alert) throws(Failure) {
        buffer.removeAll(keepingCapacity: true)
        buffer += alert.text.utf8
        buffer += alert.json.utf8
        ExportFormat.append(alert.exportFields, to: &buffer)
        _ = alert.journalFields
        ruleIdentifiers.append(alert.ruleIdentifier)
    }

    func removeAll() {
        ruleIdentifiers.removeAll(keepingCapacity: true)
    }

    func flush() {}
}
