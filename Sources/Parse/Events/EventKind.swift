/// A kind of event Cordon assembles from journal entries. A log source mapping with
/// `events: <rawValue>` reads these events instead of journal entries.
///
/// The taxonomy kinds carry Sysmon's field names (`Image`, `CommandLine`, `TargetFilename`,
/// `DestinationIp` …), so SigmaHQ's rules for those categories run unchanged.
public enum EventKind: String, CaseIterable, Sendable {
    /// Each record of an assembled kernel audit event, with the event's SYSCALL, CWD and
    /// PROCTITLE fields behind its own (SigmaHQ's `service: auditd` rules).
    case auditRecord = "audit_record"
    /// A program started: audit `execve`/`execveat`, Sysmon event 1.
    case processCreation = "process_creation"
    /// A process ended: Sysmon event 5.
    case processTermination = "process_termination"
    /// A file created or opened for writing, or renamed or linked into place: audit
    /// `creat`/`open*`/`rename*`/`link*`/`mknod*`, Sysmon event 11.
    case fileEvent = "file_event"
    /// A file deleted: audit `unlink`/`unlinkat`/`rmdir`, Sysmon event 23.
    case fileDelete = "file_delete"
    /// A connection made or a socket bound: audit `connect`/`bind` with an IPv4 or IPv6
    /// address, Sysmon event 3.
    case networkConnection = "network_connection"
}

/// One event Cordon assembled, ready for the rules of its kind.
public struct AssembledEvent: Sendable {
    /// What kind of event it is.
    public let kind: EventKind
    /// Its fields. `event.entry` is the audit record itself for `auditRecord`, else an entry
    /// Cordon built (timestamps and boot of the first record or the Sysmon entry).
    public let event: Event
    /// The evidence: the audit record for `auditRecord`, the first record of the audit event
    /// (usually its SYSCALL record) for the other kinds, or the Sysmon entry.
    public let cursor: Cursor
    /// Events made from one audit event (or one Sysmon entry) share this number, so a rule
    /// alerts at most once per audit event however many of its records match.
    public let group: UInt64

    /// Makes an event; `EventAssembly` makes them from the journal, `cordon test` from a case.
    /// - Parameters:
    ///   - kind: what kind of event it is.
    ///   - event: its fields.
    ///   - cursor: the evidence's cursor.
    ///   - group: the number it shares with the other events of its audit event or Sysmon entry.
    public init(kind: EventKind, event: Event, cursor: Cursor, group: UInt64) {
        self.kind = kind
        self.event = event
        self.cursor = cursor
        self.group = group
    }
}

import Journal
