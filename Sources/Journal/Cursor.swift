/// The position of one journal entry, as sd-journal prints it (`s=…;i=…;b=…;m=…;t=…;x=…`).
///
/// A cursor is opaque text: compare cursors for equality only, and ask the journal
/// (`Journal.test(cursor:)`) whether the current entry is at one.
public struct Cursor: Hashable, Sendable, CustomStringConvertible {
    /// The cursor text, as `sd_journal_get_cursor` returns it.
    public let rawValue: String

    /// Wraps cursor text. Returns nil for text that cannot be a cursor (empty, a newline, a NUL,
    /// or longer than 4 KiB), as read from a corrupt checkpoint file.
    public init?(_ rawValue: String) {
        var text = rawValue
        let isValid = text.withUTF8 { bytes in
            !bytes.isEmpty && bytes.count <= 4096 && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
                && bytes.contains(UInt8(ascii: "="))
        }
        guard isValid else { return nil }
        self.rawValue = text
    }

    public var description: String { rawValue }

    /// The entry time written in the cursor (its `t=` part, hexadecimal µs since the epoch), or
    /// nil: where to look for the entry, not a way to compare cursors.
    public var realtime: UInt64? {
        for part in rawValue.split(separator: ";") where part.hasPrefix("t=") {
            return UInt64(part.dropFirst(2), radix: 16)
        }
        return nil
    }
}
