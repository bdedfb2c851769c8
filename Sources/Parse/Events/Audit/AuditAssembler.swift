import Journal

/// Gathers the records of each kernel audit event (one journal entry per record, sharing
/// `_AUDIT_ID`) into one event.
///
/// journald drops records with an empty body, so the EOE record that closes an event in
/// auditd's log never reaches the journal. An event is complete when:
/// - its PROCTITLE record arrives (the kernel writes it last for every syscall event);
/// - a SYSCALL record of another event arrives from the same process (a process makes one
///   system call at a time, so its previous event is over);
/// - an entry arrives whose time is `timeoutMicroseconds` after the event's first record;
/// - more than `maximumPendingEvents` are in flight (the oldest is completed as it stands);
/// - the caller flushes (end of a replay; an idle live journal).
/// Records of different events may interleave (two CPUs): each goes to its own event.
/// A record written by user space (types 1100–1199 and 2100–2999: USER_CMD, ADD_USER,
/// SERVICE_STOP …) is an event of its own.
///
/// Everything is driven by the entries: no clock is read, so replay assembles what live did.
struct AuditAssembler {
    /// One record: its entry, the fields `AuditParser` read from it, its cursor.
    struct Record {
        let entry: JournalEntry
        let fields: ParsedFields
        let cursor: Cursor
        let type: ArraySlice<UInt8>
    }

    /// The records of one audit event, in arrival order.
    struct Event {
        let serial: ArraySlice<UInt8>
        let boot: ID128
        /// Entry time of the first record.
        let realtime: UInt64
        /// The caller's tag of the first record (the checkpoint uses it).
        let tag: UInt64
        /// Numbers the event for `AssembledEvent.group`.
        let number: UInt64
        /// The process that made the system call, from the SYSCALL record.
        var pid: ArraySlice<UInt8>?
        var records: [Record]
        var bytes: Int
        /// Whether records were dropped for the size limits.
        var isCut = false
    }

    let options: AssemblyOptions
    private let parser = AuditParser()
    /// Events in flight, oldest first.
    private(set) var pending: [Event] = []
    /// Bytes of the records in `pending`.
    private var pendingBytes = 0
    private var nextNumber: UInt64 = 0
    var statistics = AssemblyStatistics()

    init(options: AssemblyOptions) {
        self.options = options
    }

    private static let syscall = Bytes.of("SYSCALL")
    private static let processTitle = Bytes.of("PROCTITLE")

    /// Completes the events whose first record is more than the timeout older than `realtime`.
    mutating func advance(to realtime: UInt64, into completed: inout [Event]) {
        guard let first = pending.first, realtime > first.realtime &+ options.timeoutMicroseconds else { return }
        var index = 0
        while index < pending.count {
            if realtime > pending[index].realtime &+ options.timeoutMicroseconds {
                completed.append(take(at: index))
            } else {
                index += 1
            }
        }
    }

    /// Adds one audit record (an entry with `_TRANSPORT=audit`).
    mutating func add(_ entry: JournalEntry, cursor: Cursor, tag: UInt64, into completed: inout [Event]) {
        statistics.auditRecords += 1
        var fields = ParsedFields()
        parser.parse(entry, into: &fields)
        let type = fields.value(of: "type") ?? []
        let serial = entry.value(of: "_AUDIT_ID") ?? []
        let record = Record(entry: entry, fields: fields, cursor: cursor, type: type)

        if type.elementsEqual(AuditAssembler.syscall), let pid = fields.value(of: "pid") {
            // The process has moved on to another system call: its earlier event is over.
            var index = 0
            while index < pending.count {
                if pending[index].boot == entry.boot, pending[index].pid.map({ $0.elementsEqual(pid) }) == true,
                   !pending[index].serial.elementsEqual(serial) {
                    completed.append(take(at: index))
                } else {
                    index += 1
                }
            }
        }
        if !serial.isEmpty, let index = pending.firstIndex(where: { $0.boot == entry.boot && $0.serial.elementsEqual(serial) }) {
            append(record, to: index)
            if type.elementsEqual(AuditAssembler.processTitle) {
                completed.append(take(at: index))
            } else {
                completeOldestOverLimits(into: &completed)
            }
            return
        }
        var event = Event(serial: serial, boot: entry.boot, realtime: entry.realtime, tag: tag, number: nextNumber,
                          pid: nil, records: [], bytes: 0)
        nextNumber += 1
        event.records.append(record)
        event.bytes = entry.storage.count
        if type.elementsEqual(AuditAssembler.syscall) { event.pid = fields.value(of: "pid") }
        if serial.isEmpty || AuditAssembler.isUserSpace(entry) || type.elementsEqual(AuditAssembler.processTitle) {
            completed.append(event)
            return
        }
        if pending.count >= options.maximumPendingEvents {
            statistics.auditEventsCompletedEarly += 1
            completed.append(take(at: 0))
        }
        pending.append(event)
        pendingBytes += event.bytes
        completeOldestOverLimits(into: &completed)
    }

    /// Completes the oldest events while the ones in flight hold more than `maximumPendingBytes`.
    private mutating func completeOldestOverLimits(into completed: inout [Event]) {
        while pendingBytes > options.maximumPendingBytes, pending.count > 1 {
            statistics.auditEventsCompletedEarly += 1
            completed.append(take(at: 0))
        }
    }

    /// Removes the event at `index` from those in flight.
    private mutating func take(at index: Int) -> Event {
        let event = pending.remove(at: index)
        pendingBytes -= event.bytes
        return event
    }

    /// Completes every event in flight.
    mutating func flush(into completed: inout [Event]) {
        completed.append(contentsOf: pending)
        pending.removeAll()
        pendingBytes = 0
    }

    private mutating func append(_ record: Record, to index: Int) {
        let size = record.entry.storage.count
        guard pending[index].records.count < options.maximumRecordsPerEvent,
              pending[index].bytes + size <= options.maximumEventBytes
        else {
            statistics.auditRecordsDropped += 1
            pending[index].isCut = true
            return
        }
        pending[index].records.append(record)
        pending[index].bytes += size
        pendingBytes += size
        if pending[index].pid == nil, record.type.elementsEqual(AuditAssembler.syscall) {
            pending[index].pid = record.fields.value(of: "pid")
        }
    }

    /// Whether the record was sent by a user-space program (`_AUDIT_TYPE` 1100–1199 or
    /// 2100–2999), which makes it a whole event by itself.
    static func isUserSpace(_ entry: JournalEntry) -> Bool {
        guard let text = entry.value(of: "_AUDIT_TYPE"), let type = text.decimalValue() else { return false }
        return (1100...1199).contains(type) || (2100...2999).contains(type)
    }
}
