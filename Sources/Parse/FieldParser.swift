import Journal

/// Extracts Sigma-named fields (`User`, `SourceIp`, `CommandLine` …) from an entry whose
/// text holds them only inside `MESSAGE` (or, for audit, in raw `_AUDIT_FIELD_*` values).
///
/// A parser is a small pure function of the entry: no I/O, no clocks, no state between
/// entries, so replay equals live. It must never trust one part of a message to locate
/// another that an attacker controls (see the sshd parser: the address is taken from its
/// fixed position at the end, so a user name such as `x from 10.1.1.1` cannot inject one).
public protocol FieldParser: Sendable {
    /// The name a log source mapping uses to select the parser (`sshd`, `sudo`, `auditd` …).
    var name: String { get }
    /// Every field the parser may produce, for documentation and `cordon check`.
    var fieldNames: [String] { get }
    /// The journal fields the parser reads (`MESSAGE`, `_AUDIT_TYPE_NAME` …). The reader
    /// fetches only the fields some rule or parser needs, so a parser must list all it reads.
    var inputFieldNames: [String] { get }
    /// Appends the fields found in `entry` to `fields`; appends nothing for a message it
    /// does not recognise.
    func parse(_ entry: JournalEntry, into fields: inout ParsedFields)
}
