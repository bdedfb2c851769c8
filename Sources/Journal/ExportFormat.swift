/// The journal export format (https://systemd.io/JOURNAL_EXPORT_FORMATS/), the input of
/// `systemd-journal-remote`: `NAME=value` lines, the binary-safe form
/// `NAME\n<64-bit little-endian length><bytes>\n` for values that are not plain text,
/// and an empty line after each entry.
public enum ExportFormat {
    /// Appends one entry to `output`.
    /// - Parameters:
    ///   - fields: the entry's fields; `__REALTIME_TIMESTAMP`, `__MONOTONIC_TIMESTAMP` and
    ///     `_BOOT_ID` may be among them.
    public static func append(_ fields: [JournalField], to output: inout [UInt8]) {
        for field in fields {
            output += field.name.utf8
            if isPlainText(field.value) {
                output.append(UInt8(ascii: "="))
                output += field.value
            } else {
                output.append(UInt8(ascii: "\n"))
                var length = UInt64(field.value.count).littleEndian
                withUnsafeBytes(of: &length) { output += $0 }
                output += field.value
            }
            output.append(UInt8(ascii: "\n"))
        }
        output.append(UInt8(ascii: "\n"))
    }

    /// Text without control characters (tab allowed) that is valid UTF-8 can use the `NAME=value` form.
    static func isPlainText(_ value: [UInt8]) -> Bool {
        guard value.allSatisfy({ $0 >= 0x20 || $0 == 0x09 }), !value.contains(0x7f) else { return false }
        var iterator = value.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
