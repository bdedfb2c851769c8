import Glibc

/// Which fields `Journal.entry(fields:includingCursor:)` copies into an entry: every field, or
/// only the fields with some names.
///
/// Make a selection once and read every entry with it: the names are prepared as bytes, with a
/// mask of their lengths, so telling a field to keep from one to skip costs a few instructions.
public struct JournalFieldSelection: Sendable {
    /// Where one selected name lies in `nameBytes`.
    private struct NameSpan: Sendable {
        /// Index of the name's first byte.
        let start: Int
        /// The name's length in bytes.
        let count: Int
    }

    /// The selected names back to back; empty for `all`.
    private let nameBytes: [UInt8]
    /// Where each selected name lies in `nameBytes`; nil for `all`.
    private let nameSpans: [NameSpan]?
    /// Bit `n` is set when a selected name is `n` bytes long (bit 63: 63 bytes or more).
    private let lengthMask: UInt64

    /// Every field of the entry.
    public static let all = JournalFieldSelection(nameBytes: [], nameSpans: nil, lengthMask: ~0)

    private init(nameBytes: [UInt8], nameSpans: [NameSpan]?, lengthMask: UInt64) {
        self.nameBytes = nameBytes
        self.nameSpans = nameSpans
        self.lengthMask = lengthMask
    }

    /// Only the fields with these names (case-sensitive, as the journal spells them: `MESSAGE`,
    /// `_PID` …). Repeated and empty names are ignored; a name no entry has costs nothing.
    /// - Parameters:
    ///   - names: the field names to keep.
    public init(names: some Sequence<String>) {
        var bytes: [UInt8] = []
        var spans: [NameSpan] = []
        var mask: UInt64 = 0
        for name in Set(names).sorted() where !name.isEmpty {
            spans.append(NameSpan(start: bytes.count, count: name.utf8.count))
            bytes += name.utf8
            mask |= 1 << UInt64(min(name.utf8.count, 63))
        }
        self.init(nameBytes: bytes, nameSpans: spans, lengthMask: mask)
    }

    /// Whether this is `all`.
    public var isAll: Bool { nameSpans == nil }

    /// The selected names, sorted; nil for `all`.
    public var names: [String]? {
        nameSpans?.map { String(decoding: nameBytes[$0.start..<$0.start + $0.count], as: UTF8.self) }
    }

    /// Whether a field called `name` is kept.
    public func contains(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { contains(name: UnsafeRawBufferPointer($0)) }
    }

    /// Whether a field whose name has these bytes is kept.
    func contains(name: UnsafeRawBufferPointer) -> Bool {
        guard let nameSpans else { return true }
        let length = name.count
        guard lengthMask & (1 << UInt64(min(length, 63))) != 0, let wanted = name.baseAddress else { return false }
        return nameBytes.withUnsafeBytes { selected in
            guard let base = selected.baseAddress else { return false }
            for span in nameSpans where span.count == length {
                if memcmp(base + span.start, wanted, length) == 0 { return true }
            }
            return false
        }
    }
}
