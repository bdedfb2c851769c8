import Journal
import Parse

/// Bytes → journal entries (`FuzzEntries`), each through every field parser (sshd, sudo, su,
/// PAM, shadow, systemd, auditd), and all of them through event assembly (audit records into
/// process, file and network events; Sysmon XML).
final class ParsersFuzzTarget: FuzzTarget {
    private var assembled: [AssembledEvent] = []

    func run(_ input: [UInt8]) {
        let entries = FuzzEntries.decode(input)
        var fields = ParsedFields()
        for entry in entries {
            for parser in FieldParsers.all {
                fields.removeAll()
                parser.parse(entry, into: &fields)
                _ = fields.fields
            }
        }
        // A small assembly, so that its limits (records per event, events in flight) are reached.
        var options = AssemblyOptions()
        options.maximumPendingEvents = 4
        options.maximumRecordsPerEvent = 16
        options.maximumEventBytes = 4096
        options.processTableCapacity = 8
        let assembly = EventAssembly(kinds: Set(EventKind.allCases), options: options)
        assembled.removeAll(keepingCapacity: true)
        for entry in entries {
            try? assembly.feed(entry, tag: { entry.realtime }, cursor: { () throws(JournalError) in entry.cursor ?? FuzzEntries.noCursor },
                               into: &assembled)
        }
        assembly.flush(into: &assembled)
    }
}
