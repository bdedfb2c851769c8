import Journal

/// What detection sees of one journal entry: its fields by name, as bytes.
///
/// Later steps of the pipeline (field parsers, audit assembly) add derived fields here;
/// rules never read the journal directly.
public struct Event: Sendable {
    /// The journal entry this event was made from.
    public let entry: JournalEntry

    public init(entry: JournalEntry) {
        self.entry = entry
    }

    /// The value of the field `name` (journal field names are case-sensitive), or nil when absent.
    @inlinable
    public func value(of name: String) -> ArraySlice<UInt8>? {
        entry.value(of: name)
    }

    /// The value of the field with these name bytes, or nil when absent.
    @inlinable
    public func value(ofName name: UnsafeRawBufferPointer) -> ArraySlice<UInt8>? {
        entry.value(ofName: name)
    }
}
