import Journal

/// What detection sees of one journal entry: its fields by name, as bytes, plus the fields
/// parsers derived from it.
///
/// Rules never read the journal directly. A name is looked up among the parsed fields first,
/// then among the entry's own fields.
public struct Event: Sendable {
    /// The journal entry this event was made from.
    public let entry: JournalEntry
    /// Fields parsers derived from the entry (`User`, `SourceIp` …); empty until a parser runs.
    public var parsed: ParsedFields

    /// Makes an event of `entry`, with the fields parsers derived from it, if any.
    public init(entry: JournalEntry, parsed: ParsedFields = ParsedFields()) {
        self.entry = entry
        self.parsed = parsed
    }

    /// The value of the field `name` (case-sensitive), or nil when absent.
    @inlinable
    public func value(of name: String) -> ArraySlice<UInt8>? {
        var name = name
        return name.withUTF8 { value(ofName: UnsafeRawBufferPointer($0)) }
    }

    /// The value of the field with these name bytes, or nil when absent.
    @inlinable
    public func value(ofName name: UnsafeRawBufferPointer) -> ArraySlice<UInt8>? {
        if !parsed.isEmpty, let value = parsed.value(ofName: name) { return value }
        return entry.value(ofName: name)
    }
}
