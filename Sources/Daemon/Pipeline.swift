import Glibc
import Alert
import Detect
import Journal
import Logging
import Parse
import Respond
import Rules

/// journal entry → event → matches → alerts → sinks, one entry at a time.
///
/// Not thread-safe: owned by the thread that reads the journal.
public final class Pipeline {
    private var engine: Engine
    /// Audit and Sysmon events, when some rule reads them.
    private let assembly: EventAssembly?
    /// Correlation rules and detectors, when some are loaded.
    private let correlator: Correlator?
    private var correlationMatches: [CorrelationMatch] = []
    /// The learned anomaly model (the correlator's), when anomaly detectors are loaded.
    private let anomalies: AnomalyModel?
    private var findings: [AnomalyFinding] = []
    /// Whether some rule reads `CORDON_CATEGORY` or `CORDON_TEMPLATE`: each entry then gets them.
    private let addsCategoryFields: Bool
    /// Entry time up to which the correlator was last advanced.
    private var correlationWatermark: UInt64 = 0
    /// Signs of journal tampering, when enabled (`journal_tampering: true`).
    private var tampering: JournalTampering?
    private var tamperingSigns: [JournalTampering.Sign] = []
    /// Evictions already reported by a state-cap warning, and the entry time of the last warning.
    private var reportedEvictions = 0
    private var lastCapWarning: UInt64?
    /// The last entry read: its host, monotonic time and boot go into correlation alerts (also
    /// those that time, not an entry, raised). Kept as the entry, formatted only for an alert.
    private var lastEntry: JournalEntry?
    private var assembled: [AssembledEvent] = []
    /// Alerts raised while processing one entry (or flushing), before they are written.
    private var raised: [Alert] = []
    private let ownEntries: OwnEntries
    private let sinks: [AlertSink]
    /// Actions alerts trigger (`run` only): decided, and their intents recorded, before the
    /// entry counts as processed.
    private let responder: Responder?
    private let logger: Logger
    /// Alerts already in the journal from before a restart; each is skipped once, then forgotten.
    private var alreadyWritten: Set<AlertKey>
    private var matches: [Match] = []
    /// The regex limit hit count at which the next warning is logged.
    private var nextRegexWarning = 1
    /// Counters, with the engine's rule counters folded in.
    public var statistics: Statistics {
        var statistics = counters
        statistics.ruleEvaluations = engine.statistics.ruleEvaluations
        statistics.rulesPrefilteredOut = engine.statistics.prefilteredOut
        if let assembly { statistics.assembly = assembly.statistics }
        if let anomalies {
            statistics.anomaly = anomalies.statistics
            statistics.categories = anomalies.categoryCount
        }
        if let correlator {
            let correlation = correlator.statistics
            statistics.correlationGroups = correlation.groups
            statistics.correlationEvictions = correlation.evictions
        }
        return statistics
    }
    private var counters = Statistics()
    /// Write why each rule did or did not match each assembled event (`replay --explain`).
    public var explainsAssembledEvents = false

    /// - Parameters:
    ///   - engine: the compiled rules.
    ///   - ownEntries: which entries are Cordon's own (skipped, so alerts never feed back).
    ///   - sinks: where alerts go, in order.
    ///   - alreadyWritten: alerts not to write again (found in the journal on restart).
    ///   - host: what event assembly may ask of the host (`/proc` only when tailing live).
    ///   - correlator: the correlation rules and detectors over the rules' matches.
    ///   - responder: the actions alerts trigger; nil: none (`replay`, `test`).
    public init(engine: Engine, ownEntries: OwnEntries, sinks: [AlertSink],
                alreadyWritten: Set<AlertKey> = [], host: any HostLookup = NoHostLookup(),
                assemblyOptions: AssemblyOptions = AssemblyOptions(), correlator: Correlator? = nil,
                journalTampering: JournalTampering? = nil, responder: Responder? = nil, logger: Logger) {
        self.responder = responder
        self.engine = engine
        self.correlator = correlator
        self.anomalies = correlator?.anomalies
        let readFields = engine.readFieldNames
        self.addsCategoryFields = correlator?.anomalies != nil
            && (readFields.contains(Pipeline.categoryFieldName) || readFields.contains(Pipeline.templateFieldName))
        self.tampering = journalTampering
        let kinds = engine.eventKinds
        self.assembly = kinds.isEmpty ? nil : EventAssembly(kinds: kinds, options: assemblyOptions, host: host)
        self.ownEntries = ownEntries
        self.sinks = sinks
        self.alreadyWritten = alreadyWritten
        self.logger = logger
        matches.reserveCapacity(8)
    }

    /// Processes one entry: returns once every alert for it is written.
    /// - Parameters:
    ///   - entry: the entry, usually read without its cursor.
    ///   - cursor: reads the entry's cursor (`Journal.cursor()`, while the journal is still at the
    ///     entry); called only when `entry` has none and raises an alert, or for a log line. When
    ///     it fails, the entry counts as unreadable and raises no alert.
    /// - Returns: the entry's cursor when the entry raised an alert (written or suppressed), else nil.
    /// - Throws: `Failure` when an alert cannot be written (the entry then counts as not processed).
    @discardableResult
    public func process(_ entry: JournalEntry, cursor: () throws(JournalError) -> Cursor) throws(Failure) -> Cursor? {
        counters.entries += 1
        var entry = entry
        if ownEntries.isOwn(entry) {
            counters.ownEntriesSkipped += 1
            return nil
        }
        if entry.isTruncated {
            counters.truncatedEntries += 1
            if counters.truncatedEntries == 1 {
                let position = entry.cursor ?? (try? cursor())
                logger.warning("Entry has a field longer than the data threshold; matching on its first bytes (further ones are counted)",
                               metadata: ["journal.cursor": "\(position.map(\.rawValue) ?? "unknown")"])
            }
        }
        if entry.value(of: "MESSAGE") == nil {
            counters.entriesWithoutMessage += 1
        }
        findings.removeAll(keepingCapacity: true)
        if let anomalies, anomalies.readsEntries || addsCategoryFields {
            anomalies.observe(entry, into: &findings)
            if addsCategoryFields { entry = withCategory(entry, anomalies) }
        }
        matches.removeAll(keepingCapacity: true)
        engine.evaluate(entry, into: &matches)
        // The cursor is read at most once, and only for an entry that raises an alert or goes into an event.
        var entryCursor = entry.cursor
        var cursorError: JournalError? = nil
        func readCursor() throws(JournalError) -> Cursor {
            if let entryCursor { return entryCursor }
            if let cursorError { throw cursorError }
            do {
                let read = try cursor()
                entryCursor = read
                return read
            } catch {
                cursorError = error
                throw error
            }
        }
        raised.removeAll(keepingCapacity: true)
        if !findings.isEmpty, let position = try? readCursor() {
            for finding in findings { raised.append(Pipeline.alert(for: finding, entry: entry, cursor: position)) }
            counters.anomalyAlerts += findings.count
        }
        if !matches.isEmpty, let position = try? readCursor() {
            for match in matches { raise(match, entry: entry, cursor: position) }
        }
        if tampering != nil {
            tamperingSigns.removeAll(keepingCapacity: true)
            tampering?.observe(realtime: entry.realtime, monotonic: entry.monotonic, boot: entry.boot,
                               readCursor: { try? readCursor() },
                               messageID: Pipeline.messageIDName.withUnsafeBytes { entry.value(ofName: $0) },
                               message: Pipeline.messageName.withUnsafeBytes { entry.value(ofName: $0) },
                               isTrusted: Pipeline.isSystemEntry(entry), into: &tamperingSigns)
            for sign in tamperingSigns { raised.append(TamperingAlerts.alert(for: sign, entry: entry)) }
        }
        if let assembly {
            assembled.removeAll(keepingCapacity: true)
            // The tag is the wall clock when an audit event begins: alerts for entries from its
            // first record on were written after it, which bounds the restart's search for them.
            // An entry whose cursor cannot be read goes into no event (counted below).
            try? assembly.feed(entry, tag: realtimeMicroseconds, cursor: readCursor, into: &assembled)
            // Events this entry completed hold earlier entries: their alerts are written even if
            // this entry's cursor cannot be read.
            if !assembled.isEmpty { evaluateAssembled() }
        }
        if let correlator {
            lastEntry = entry
            // Windows close and silences are noticed as entry time passes, checked every 10 s of it (once a
            // second cost 2% of a replay of the bench journal; alerts name the same entries either way).
            if entry.realtime >= correlationWatermark &+ 10_000_000 {
                correlationWatermark = entry.realtime
                correlationMatches.removeAll(keepingCapacity: true)
                correlator.advance(to: entry.realtime, into: &correlationMatches)
                raiseCorrelations()
            }
        }
        warnAboutRegexLimits(at: entry)
        if let cursorError { countUnreadable(cursorError) }
        if raised.isEmpty { return nil }
        try write(raised)
        // Alerts of events this entry completed count as this entry's: the checkpoint may move past it.
        return try? readCursor()
    }

    /// Logs the first regular expression limit hit, then every tenfold more: bounded logging
    /// however often a pattern trips.
    private func warnAboutRegexLimits(at entry: JournalEntry) {
        guard engine.statistics.regexLimitHits != counters.regexLimitHits else { return }
        counters.regexLimitHits = engine.statistics.regexLimitHits
        let hits = counters.regexLimitHits
        guard hits >= nextRegexWarning else { return }
        nextRegexWarning = hits * 10
        logger.warning("A regular expression hit its match limit; counted as no match", metadata: [
            "rule.id": "\(engine.statistics.lastRegexLimitRule ?? "?")", "regex.limit_hits": "\(hits)",
            "journal.cursor": "\(entry.cursor.map(\.rawValue) ?? "-")",
        ])
    }

    /// Completes the audit events still in flight and writes their alerts (end of a replay,
    /// an idle live journal).
    public func flushEvents() throws(Failure) {
        guard let assembly, assembly.hasPendingEvents else { return }
        raised.removeAll(keepingCapacity: true)
        assembled.removeAll(keepingCapacity: true)
        assembly.flush(into: &assembled)
        evaluateAssembled()
        try write(raised)
    }

    /// The alerts from before a restart not met again yet: a reload hands them to the next pipeline.
    var unmatchedAlreadyWritten: Set<AlertKey> { alreadyWritten }

    /// Alerts not to write again, found in the journal after the pipeline was made.
    func addAlreadyWritten(_ keys: Set<AlertKey>) {
        alreadyWritten.formUnion(keys)
    }

    /// Whether audit events are in flight.
    public var hasPendingEvents: Bool { assembly?.hasPendingEvents ?? false }

    /// Whether correlation rules or detectors are loaded.
    public var hasCorrelations: Bool { correlator != nil }

    /// The earliest time `advanceCorrelations(to:)` could let a correlation window close or a
    /// silence fire (never before what it was last advanced to); nil when only new entries can.
    public var nextCorrelationDeadline: UInt64? {
        correlator?.nextDeadline.map { max($0, correlationWatermark &+ 1) }
    }

    /// Where a restart must read again from so that the audit events in flight are assembled
    /// whole: the first record of the oldest, and the wall-clock time it arrived.
    public var oldestPendingEvent: (cursor: Cursor, since: UInt64)? {
        assembly?.oldestPending.map { ($0.cursor, $0.tag) }
    }

    /// Evaluates the rules on `assembled`, adding alerts to `raised`. A rule alerts at most once
    /// per audit event, on the first of its records that matches.
    private func evaluateAssembled() {
        var alertedGroup: UInt64? = nil
        var alertedRules: Set<String> = []
        for event in assembled {
            counters.assembledEvents += 1
            if explainsAssembledEvents {
                var text = engine.explain(event).text + "\n"
                text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: STDOUT_FILENO) }
            }
            matches.removeAll(keepingCapacity: true)
            engine.evaluate(event, into: &matches)
            if event.group != alertedGroup {
                alertedGroup = event.group
                alertedRules.removeAll()
            }
            for match in matches where alertedRules.insert(match.rule.identifier).inserted {
                raise(match, entry: event.event.entry, cursor: event.cursor)
            }
        }
    }

    /// Adds the alert of a rule's match to `raised` (unless only correlation rules should see
    /// the rule: `generate: false`), and feeds the match to the correlation rules that read it.
    private func raise(_ match: Match, entry: JournalEntry, cursor: Cursor) {
        let identifier = match.rule.identifier
        let learns = anomalies?.refers(to: identifier) ?? false
        let correlates = correlator?.refers(to: identifier) ?? false
        guard let correlator, learns || correlates else {
            raised.append(Alert(match: match, entry: entry, cursor: cursor))
            return
        }
        // Alone only when something reading it has `generate: true`, or nothing does.
        let suppressed = (!correlates || correlator.suppressesStandaloneAlerts(ruleIdentifier: identifier))
            && (!learns || anomalies?.suppressesStandaloneAlerts(ruleIdentifier: identifier) ?? true)
        if !suppressed {
            raised.append(Alert(match: match, entry: entry, cursor: cursor))
        }
        if learns, let anomalies {
            var found: [AnomalyFinding] = []
            anomalies.observe(ruleIdentifier: identifier, fields: match.captured, realtime: entry.realtime,
                              isTrusted: match.isTrusted, cursor: cursor.rawValue, into: &found)
            for finding in found { raised.append(Pipeline.alert(for: finding, entry: entry, cursor: cursor)) }
            counters.anomalyAlerts += found.count
        }
        guard correlates else { return }
        correlationMatches.removeAll(keepingCapacity: true)
        correlator.observe(Observation(match, realtime: entry.realtime, cursor: cursor), into: &correlationMatches)
        lastEntry = entry
        raiseCorrelations()
        if correlator.evictionCount > reportedEvictions { warnAboutStateCap(correlator, at: entry, cursor: cursor) }
    }

    /// Adds alerts for `correlationMatches`. A correlation rule always alerts, also when another
    /// correlation rule refers to it: `generate` concerns base rules only.
    private func raiseCorrelations() {
        for match in correlationMatches { raised.append(Alert(correlation: match, entry: lastEntry)) }
        counters.correlationAlerts += correlationMatches.count
    }

    /// Writes one warning alert when correlation groups were evicted at the cap, at most one per
    /// hour of entry time: a flood of distinct values must not go unnoticed, nor flood the journal.
    private func warnAboutStateCap(_ correlator: Correlator, at entry: JournalEntry, cursor: Cursor) {
        if let last = lastCapWarning, entry.realtime < last &+ 3_600_000_000 { return }
        let statistics = correlator.statistics
        let evicting = statistics.rules.filter { $0.evictions > 0 }
        var rule = CorrelationRule(identifier: Pipeline.stateCapRuleIdentifier,
                                   title: "Correlation state cap reached: the least recently updated groups were evicted",
                                   level: .medium, kind: .eventCount, ruleReferences: [], groupBy: ["Rules"], timespan: 0,
                                   condition: CorrelationRule.Condition(), location: SourceLocation(file: "cordon", line: 1))
        rule.author = "Cordon"
        let match = CorrelationMatch(rule: rule, group: [("Rules", Array(evicting.map(\.identifier).joined(separator: ",").utf8))],
                                     realtime: entry.realtime, cursor: cursor, evidence: [],
                                     value: Double(statistics.evictions - reportedEvictions), isTrusted: false)
        var alert = Alert(correlation: match, entry: entry)
        alert.correlationType = "state_cap"
        alert.messageID = CordonMessageID.stateEvicted
        raised.append(alert)
        reportedEvictions = statistics.evictions
        lastCapWarning = entry.realtime
        logger.warning("Correlation state cap reached; the least recently updated groups were evicted", metadata: [
            "correlation.evictions": "\(statistics.evictions)", "rules": "\(evicting.map(\.identifier))",
        ])
    }

    static let categoryFieldName = "CORDON_CATEGORY"
    static let templateFieldName = "CORDON_TEMPLATE"

    /// `entry` with the category the model just gave it, as `CORDON_CATEGORY` (16 hex digits)
    /// and `CORDON_TEMPLATE`, for rules that select on them. The journal never supplies these
    /// fields (`ReadFields` leaves them out), so an entry cannot forge its category.
    private func withCategory(_ entry: JournalEntry, _ anomalies: AnomalyModel) -> JournalEntry {
        var fields: [(name: [UInt8], value: [UInt8])] = entry.fields.map { (Array($0.name), Array($0.value)) }
        fields.append((Array(Pipeline.categoryFieldName.utf8), anomalies.lastCategoryHex))
        fields.append((Array(Pipeline.templateFieldName.utf8), Array(anomalies.lastTemplate.utf8)))
        return JournalEntry(assembled: fields, realtime: entry.realtime, monotonic: entry.monotonic, boot: entry.boot,
                            cursor: entry.cursor)
    }

    /// The alert for an anomaly the model found on the entry (or event) at `cursor`.
    static func alert(for finding: AnomalyFinding, entry: JournalEntry, cursor: Cursor) -> Alert {
        var group: [(name: String, value: [UInt8])] = [("Value", Array(finding.value.utf8))]
        if let source = finding.source { group.append(("Source", Array(source.utf8))) }
        let eventCursor = finding.cursor.flatMap { Cursor($0) } ?? cursor
        let match = CorrelationMatch(rule: finding.rule, group: group, realtime: finding.realtime, cursor: eventCursor,
                                     evidence: [], value: finding.count, isTrusted: finding.isTrusted)
        var alert = Alert(correlation: match, entry: entry)
        alert.level = finding.level
        alert.messageID = CordonMessageID.anomaly
        alert.explanation = finding.explanation
        var fields: [(name: String, value: String)] = [("CORDON_ANOMALY_VALUE", finding.value)]
        if let source = finding.source { fields.append(("CORDON_ANOMALY_SOURCE", source)) }
        if let category = finding.category { fields.append(("CORDON_CATEGORY", category)) }
        if let template = finding.template { fields.append(("CORDON_TEMPLATE", template)) }
        if let firstSeen = finding.firstSeen {
            fields.append(("CORDON_ANOMALY_FIRST_SEEN", String(firstSeen)))
        }
        if let baseline = finding.baseline { fields.append(("CORDON_ANOMALY_BASELINE", baseline)) }
        fields.append(("CORDON_ANOMALY_EXPLANATION", finding.explanation))
        alert.anomalyFields = fields
        return alert
    }

    private static let messageIDName = Array("MESSAGE_ID".utf8)
    private static let messageName = Array("MESSAGE".utf8)
    private static let uidName = Array("_UID".utf8)
    private static let pidName = Array("_PID".utf8)
    private static let exeName = Array("_EXE".utf8)
    private static let systemExecutables: [[UInt8]] = [
        "/usr/lib/systemd/systemd-journald", "/lib/systemd/systemd-journald",
        "/usr/lib/systemd/systemd-logind", "/lib/systemd/systemd-logind",
    ].map { Array($0.utf8) }

    /// Whether journald vouches that systemd itself wrote the entry: root, and PID 1 or the
    /// journald or logind binary (fields clients cannot set). Only such shutdown, journald and
    /// vacuum records count for tampering signs; `logger` cannot fake a clean shutdown.
    static func isSystemEntry(_ entry: JournalEntry) -> Bool {
        guard let uid = uidName.withUnsafeBytes({ entry.value(ofName: $0) }), uid.elementsEqual([UInt8(ascii: "0")]) else {
            return false
        }
        if let pid = pidName.withUnsafeBytes({ entry.value(ofName: $0) }), pid.elementsEqual([UInt8(ascii: "1")]) { return true }
        guard let exe = exeName.withUnsafeBytes({ entry.value(ofName: $0) }) else { return false }
        return systemExecutables.contains { exe.elementsEqual($0) }
    }

    /// The rule id of the state-cap warning alert.
    public static let stateCapRuleIdentifier = "5c0a7e11-8b2d-4f6e-9a3c-1d2e3f4a5b6c"

    /// Entry time has reached `realtime` without new entries (an idle live journal): lets
    /// correlation windows close and silences fire, and writes their alerts.
    public func advanceCorrelations(to realtime: UInt64) throws(Failure) {
        guard let correlator, realtime > correlationWatermark else { return }
        correlationWatermark = realtime
        raised.removeAll(keepingCapacity: true)
        correlationMatches.removeAll(keepingCapacity: true)
        correlator.advance(to: realtime, into: &correlationMatches)
        raiseCorrelations()
        try write(raised)
    }

    /// The correlation state to save with the checkpoint; nil without correlation rules.
    public func correlationSnapshot() -> [UInt8]? {
        correlator?.snapshot()
    }

    /// Writes `alerts` to every sink, skipping those the journal already had before a restart,
    /// then hands each to the responder. Alerts written before a crash go to it too: the action
    /// ledger, not the journal, knows whether their actions were decided.
    private func write(_ alerts: [Alert]) throws(Failure) {
        for alert in alerts {
            if !alreadyWritten.isEmpty, alreadyWritten.remove(alert.key) != nil {
                counters.duplicatesSuppressed += 1
            } else {
                for sink in sinks { try sink.write(alert) }
                counters.alerts += 1
            }
            guard let responder else { continue }
            do {
                try responder.handle(alert)
            } catch {
                throw Failure(.cannotCreate, "\(error); the action for alert \(alert.ruleIdentifier) at \(alert.sourceCursor.rawValue) "
                    + "cannot be recorded, so the entry is read again at the next start; check the state directory")
            }
        }
    }

    /// Writes to standard output why each rule did or did not match `entry` (`--explain`).
    public func writeExplanation(of entry: JournalEntry) {
        var text = engine.explain(entry).text + "\n"
        text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: STDOUT_FILENO) }
    }

    /// Counts an entry that could not be read at all.
    public func countUnreadable(_ error: JournalError) {
        counters.unreadableEntries += 1
        logger.warning("Skipping an entry that cannot be read", metadata: ["error": "\(error)"])
    }

    /// Records a checkpoint save.
    func countCheckpoint() {
        counters.checkpoints += 1
    }

    /// Flushes every sink.
    public func flush() {
        sinks.forEach { $0.flush() }
    }
}
