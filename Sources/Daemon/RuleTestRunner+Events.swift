import Detect
import Journal
import Parse

/// One thing the engine evaluates for a rule test case: a journal entry, or an event Cordon
/// assembled (or the case gave with `kind:`).
enum RuleTestEvent {
    case entry(JournalEntry)
    case assembled(AssembledEvent)
}

extension RuleTestRunner {
    /// Stands in for the cursor of an entry that has none: text with '=' and only printable
    /// ASCII, so `Cursor.init` accepts it.
    static let madeUpCursor = Cursor("s=test;i=1")!

    /// What the engine evaluates for `testCase`, in the order `run` and `replay` evaluate it.
    ///
    /// Journal entries: each entry, then the events it completes in a fresh `EventAssembly` of the
    /// kinds some rule reads, then the events still in flight at the end (as a replay flushes
    /// them). A `kind:` case: its one event, as an assembled event of that kind.
    func events(of testCase: RuleTestCase) -> [RuleTestEvent] {
        if let kind = testCase.kind {
            return testCase.entries.map { entry in
                .assembled(AssembledEvent(kind: kind, event: Event(entry: entry), cursor: entry.cursor ?? Self.madeUpCursor,
                                          group: 0))
            }
        }
        let kinds = engine.eventKinds
        let assembly = kinds.isEmpty ? nil : EventAssembly(kinds: kinds, host: NoHostLookup())
        var events: [RuleTestEvent] = []
        var assembled: [AssembledEvent] = []
        for entry in testCase.entries {
            events.append(.entry(entry))
            guard let assembly else { continue }
            assembled.removeAll(keepingCapacity: true)
            // Cases' entries always have a cursor (`ExportFormat.entry` makes one up), so this never throws.
            try? assembly.feed(entry, tag: { 0 }, cursor: { () throws(JournalError) -> Cursor in entry.cursor ?? Self.madeUpCursor },
                               into: &assembled)
            events += assembled.map { .assembled($0) }
        }
        if let assembly {
            assembled.removeAll(keepingCapacity: true)
            assembly.flush(into: &assembled)
            events += assembled.map { .assembled($0) }
        }
        return events
    }
}
