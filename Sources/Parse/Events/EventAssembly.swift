import Journal

/// journal entries → Cordon's own events: kernel audit records assembled into audit events
/// and turned into Sigma taxonomy events, and Sysmon for Linux entries read as events.
///
/// Feed it every entry in journal order; it returns the events each entry completes. Only the
/// kinds some rule reads are made. Not thread-safe: owned by the thread that reads the journal.
public final class EventAssembly {
    /// The kinds of event made.
    public let kinds: Set<EventKind>
    private var audit: AuditAssembler
    private var taxonomy: AuditTaxonomy
    private var completed: [AuditAssembler.Event] = []
    private var nextSysmonGroup: UInt64 = 1 << 63
    private var sysmonCounters = AssemblyStatistics()
    private let needsAudit: Bool
    private let needsSysmon: Bool

    /// - Parameters:
    ///   - kinds: the kinds of event some rule reads; with none, `feed` does nothing.
    ///   - host: user names, and running processes when tailing live.
    public init(kinds: Set<EventKind>, options: AssemblyOptions = AssemblyOptions(), host: any HostLookup = NoHostLookup()) {
        self.kinds = kinds
        audit = AuditAssembler(options: options)
        taxonomy = AuditTaxonomy(options: options, host: host)
        needsAudit = !kinds.isEmpty
        needsSysmon = !kinds.subtracting([.auditRecord]).isEmpty
    }

    /// The journal fields assembly reads: the audit record fields `AuditParser` reads plus
    /// the ones copied into events, and Sysmon's.
    public static let inputFieldNames: Set<String> = [
        "_TRANSPORT", "_AUDIT_ID", "_AUDIT_TYPE", "_AUDIT_TYPE_NAME", "MESSAGE", "_HOSTNAME",
        "SYSLOG_IDENTIFIER", "_EXE", "_UID", "_PID", "_COMM", "_SYSTEMD_UNIT",
    ]

    /// Counters since the assembly was made.
    public var statistics: AssemblyStatistics {
        var statistics = audit.statistics
        statistics.processTableEvictions = taxonomy.statistics.processTableEvictions
        statistics.parentsFound = taxonomy.statistics.parentsFound
        statistics.sysmonEvents = sysmonCounters.sysmonEvents
        statistics.sysmonUnreadable = sysmonCounters.sysmonUnreadable
        return statistics
    }

    /// Whether audit events are in flight.
    public var hasPendingEvents: Bool { !audit.pending.isEmpty }

    /// The first record of the oldest audit event in flight and the tag it was fed with: the
    /// entry a restart must read again from, so that no event is lost half-assembled.
    public var oldestPending: (cursor: Cursor, tag: UInt64)? {
        audit.pending.first.map { ($0.records[0].cursor, $0.tag) }
    }

    private static let auditTransport = Bytes.of("audit")
    private static let sysmon = Bytes.of("sysmon")
    private static let transportName = Bytes.of("_TRANSPORT")
    private static let identifierName = Bytes.of("SYSLOG_IDENTIFIER")

    /// The value of the field with these name bytes: called for every entry, so no `String`.
    @inline(__always)
    private static func value(_ name: [UInt8], in entry: JournalEntry) -> ArraySlice<UInt8>? {
        name.withUnsafeBytes { entry.value(ofName: $0) }
    }

    /// Feeds one entry; appends the events it completes to `events`.
    /// - Parameters:
    ///   - tag: gives a number to keep with a new audit event, returned by `oldestPending`.
    ///   - cursor: the entry's cursor, read only for an entry that goes into an event.
    /// - Throws: the cursor's error; the entry then goes into no event.
    public func feed(_ entry: JournalEntry, tag: () -> UInt64, cursor: () throws(JournalError) -> Cursor,
                     into events: inout [AssembledEvent]) throws(JournalError) {
        guard needsAudit else { return }
        if !completed.isEmpty { completed.removeAll(keepingCapacity: true) }
        audit.advance(to: entry.realtime, into: &completed)
        if let transport = EventAssembly.value(EventAssembly.transportName, in: entry),
           transport.elementsEqual(EventAssembly.auditTransport) {
            let position: Cursor
            if let known = entry.cursor { position = known } else { position = try cursor() }
            audit.add(entry, cursor: position, tag: tag(), into: &completed)
        } else if needsSysmon, let identifier = EventAssembly.value(EventAssembly.identifierName, in: entry),
                  identifier.elementsEqual(EventAssembly.sysmon) {
            try sysmonEvent(entry, cursor: cursor, into: &events)
        }
        if !completed.isEmpty { emit(into: &events) }
    }

    /// Completes every audit event in flight (end of a replay, an idle live journal).
    public func flush(into events: inout [AssembledEvent]) {
        completed.removeAll(keepingCapacity: true)
        audit.flush(into: &completed)
        emit(into: &events)
    }

    /// Turns the completed audit events into events of the kinds wanted.
    private func emit(into events: inout [AssembledEvent]) {
        for event in completed {
            audit.statistics.auditEvents += 1
            let group = event.number
            if let (kind, fields) = taxonomy.event(of: event, wanted: kinds), let first = event.records.first {
                let entry = JournalEntry(assembled: fields, realtime: first.entry.realtime, monotonic: first.entry.monotonic,
                                         boot: first.entry.boot, cursor: first.cursor)
                events.append(AssembledEvent(kind: kind, event: Event(entry: entry), cursor: first.cursor, group: group))
            }
            guard kinds.contains(.auditRecord) else { continue }
            // Each record sees its own fields first, then the event's SYSCALL, CWD and PROCTITLE ones.
            var shared: [(name: String, value: ArraySlice<UInt8>)] = []
            for type in [AuditRecordType.syscall, AuditRecordType.cwd, AuditRecordType.processTitle] {
                if let record = event.record(type) { shared += record.fields.fields }
            }
            for record in event.records {
                var fields = record.fields
                for field in shared { fields.append(name: field.name.utf8, field.value) }
                events.append(AssembledEvent(kind: .auditRecord, event: Event(entry: record.entry, parsed: fields),
                                             cursor: record.cursor, group: group))
            }
        }
    }
}

extension EventAssembly {
    /// The journald fields of a Sysmon entry its event keeps: what the mapping's trust tests
    /// (`_EXE`, `_UID`, `_SYSTEMD_UNIT`, `_TRANSPORT`) and what alerts show.
    static let sysmonCopiedFields = ["_TRANSPORT", "_EXE", "_UID", "_SYSTEMD_UNIT", "_COMM", "_PID", "_HOSTNAME",
                                     "SYSLOG_IDENTIFIER"]

    /// A Sysmon for Linux entry as an event of its category: journald's fields first, then the
    /// event's `EventID`, `<Data>` fields and `Computer`. A `<Data>` name starting with `_`
    /// is dropped, so no event field can pose as one journald sets.
    func sysmonEvent(_ entry: JournalEntry, cursor: () throws(JournalError) -> Cursor,
                     into events: inout [AssembledEvent]) throws(JournalError) {
        guard let message = entry.value(of: "MESSAGE"), let record = SysmonXML.parse(message) else {
            sysmonCounters.sysmonUnreadable += 1
            return
        }
        guard let category = record.category, let kind = EventKind(rawValue: category), kinds.contains(kind) else { return }
        let position: Cursor
        if let known = entry.cursor { position = known } else { position = try cursor() }
        var fields: [(name: [UInt8], value: [UInt8])] = []
        for name in EventAssembly.sysmonCopiedFields {
            if let value = entry.value(of: name) { fields.append((Array(name.utf8), Array(value))) }
        }
        for field in record.fields where !field.name.hasPrefix("_") {
            fields.append((Array(field.name.utf8), field.value))
        }
        sysmonCounters.sysmonEvents += 1
        let event = JournalEntry(assembled: fields, realtime: entry.realtime, monotonic: entry.monotonic, boot: entry.boot,
                                 cursor: position)
        events.append(AssembledEvent(kind: kind, event: Event(entry: event), cursor: position, group: nextSysmonGroup))
        nextSysmonGroup += 1
    }
}
