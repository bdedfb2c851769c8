import Glibc

/// One journal entry: its fields as bytes (every field, or those a `JournalFieldSelection` kept),
/// plus the entry's metadata.
///
/// Field values are bytes, not `String`: journal data can be binary or invalid UTF-8.
/// All `NAME=value` items share one byte buffer, so an entry costs two allocations
/// however many fields it has.
public struct JournalEntry: Sendable {
    /// The entry's `NAME=value` items back to back.
    public let storage: [UInt8]
    /// Where each field's name and value lie in `storage`.
    public let spans: [FieldSpan]
    /// Wall-clock time at which journald received the entry, in µs since the epoch.
    public let realtime: UInt64
    /// Monotonic time of the entry within its boot, in µs.
    public let monotonic: UInt64
    /// The boot the entry was written in.
    public let boot: ID128
    /// Where the entry is in the journal; nil when it was read without its cursor
    /// (`Journal.entry(fields:includingCursor:)`), which then only `Journal.cursor()` gives,
    /// while the journal is still at the entry.
    public let cursor: Cursor?
    /// Whether at least one field in the entry was cut at the data threshold (fields a selection
    /// left out are not looked at).
    public let isTruncated: Bool

    /// The boot the entry was written in, as 32 lower-case hex digits (formatted on each call).
    public var bootID: String { boot.description }

    /// The location of one field inside `storage`.
    public struct FieldSpan: Sendable, Hashable {
        /// Start of the name.
        public let start: Int32
        /// Index of the `=` between name and value.
        public let separator: Int32
        /// One past the end of the value.
        public let end: Int32
    }

    /// Builds an entry from parts already in memory (tests, fixtures, the export-format reader).
    /// - Parameters:
    ///   - fields: name and value pairs, in order; a name may repeat.
    ///   - bootID: 32 hex digits; other text gives the all-zero id.
    ///   - cursor: where the entry is, or nil for an entry read without its cursor.
    public init(
        fields: [(name: String, value: [UInt8])],
        realtime: UInt64 = 0,
        monotonic: UInt64 = 0,
        bootID: String = "00000000000000000000000000000000",
        cursor: Cursor?,
        isTruncated: Bool = false
    ) {
        var builder = Builder()
        for field in fields { builder.append(name: Array(field.name.utf8), value: field.value) }
        self.init(builder: builder, realtime: realtime, monotonic: monotonic, boot: ID128(bootID) ?? .zero,
                  cursor: cursor, isTruncated: isTruncated)
    }

    /// Builds an entry Cordon assembled itself (an event made of several entries) from byte fields.
    /// - Parameters:
    ///   - fields: name and value pairs, in order; a name may repeat.
    ///   - boot: the boot of the entries it was made from.
    ///   - cursor: the cursor of the entry that is its evidence.
    public init(assembled fields: [(name: [UInt8], value: [UInt8])], realtime: UInt64, monotonic: UInt64, boot: ID128,
                cursor: Cursor?) {
        var builder = Builder(capacity: fields.reduce(0) { $0 + $1.name.count + $1.value.count + 1 })
        for field in fields { builder.append(name: field.name, value: field.value) }
        self.init(builder: builder, realtime: realtime, monotonic: monotonic, boot: boot, cursor: cursor, isTruncated: false)
    }

    /// Builds an entry from text fields (tests).
    public init(_ fields: KeyValuePairs<String, String>, realtime: UInt64 = 0,
                cursor: Cursor = Cursor("s=test;i=1")!) {
        self.init(fields: fields.map { ($0.key, Array($0.value.utf8)) }, realtime: realtime, cursor: cursor)
    }

    init(builder: Builder, realtime: UInt64, monotonic: UInt64, boot: ID128, cursor: Cursor?, isTruncated: Bool) {
        self.storage = builder.storage
        self.spans = builder.spans
        self.realtime = realtime
        self.monotonic = monotonic
        self.boot = boot
        self.cursor = cursor
        self.isTruncated = isTruncated
    }

    /// Accumulates `NAME=value` items into one buffer.
    struct Builder {
        var storage: [UInt8] = []
        var spans: [FieldSpan] = []

        init(capacity: Int = 0) {
            storage.reserveCapacity(capacity)
            spans.reserveCapacity(32)
        }

        /// Appends a raw `NAME=value` item as sd-journal returns it.
        /// - Parameters:
        ///   - separator: the index of the `=` in `item`, found by the caller.
        mutating func append(item: UnsafeRawBufferPointer, separator: Int) {
            let start = storage.count
            storage.append(contentsOf: item)
            spans.append(FieldSpan(start: Int32(start), separator: Int32(start + separator), end: Int32(storage.count)))
        }

        mutating func append(name: [UInt8], value: [UInt8]) {
            let start = storage.count
            storage.append(contentsOf: name)
            storage.append(UInt8(ascii: "="))
            storage.append(contentsOf: value)
            spans.append(FieldSpan(start: Int32(start), separator: Int32(start + name.count), end: Int32(storage.count)))
        }
    }
}

extension JournalEntry {
    /// One field of an entry, viewed in place.
    public struct Field: Sendable {
        /// The field name's bytes (journal field names are ASCII).
        public let name: ArraySlice<UInt8>
        /// The value's bytes.
        public let value: ArraySlice<UInt8>

        /// The field name as text.
        public var nameString: String { String(decoding: name, as: UTF8.self) }
    }

    /// Every field of the entry, in the order the journal returned them.
    public var fields: [Field] {
        spans.map { field(at: $0) }
    }

    func field(at span: FieldSpan) -> Field {
        Field(name: storage[Int(span.start)..<Int(span.separator)],
              value: storage[Int(span.separator) + 1..<Int(span.end)])
    }

    /// The value of the first field called `name`, or nil when the entry has none.
    public func value(of name: String) -> ArraySlice<UInt8>? {
        var name = name
        return name.withUTF8 { value(ofName: UnsafeRawBufferPointer($0)) }
    }

    /// The value of the first field whose name has these bytes.
    public func value(ofName name: UnsafeRawBufferPointer) -> ArraySlice<UInt8>? {
        storage.withUnsafeBytes { bytes in
            // No storage, no field; a name without bytes is no field name.
            guard let base = bytes.baseAddress, let wanted = name.baseAddress else { return nil }
            for span in spans where Int(span.separator - span.start) == name.count {
                if memcmp(base + Int(span.start), wanted, name.count) == 0 {
                    return storage[Int(span.separator) + 1..<Int(span.end)]
                }
            }
            return nil
        }
    }

    /// The value of `name` decoded as UTF-8 (invalid bytes become U+FFFD), or nil.
    public func string(_ name: String) -> String? {
        value(of: name).map { String(decoding: $0, as: UTF8.self) }
    }
}
