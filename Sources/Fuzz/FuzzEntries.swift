import Journal

/// Journal entries from fuzzer bytes, in a text form close to the journal export format, so
/// that seeds are readable and `journalctl -o export` text (without binary fields) is an input:
///
/// - one field per line, `NAME=value`, the name made of `A-Z`, `0-9` and `_` (at most 64);
/// - a line that is not such a field is the entry's `MESSAGE`;
/// - an empty line ends an entry;
/// - `__REALTIME_TIMESTAMP=` sets the entry's time in microseconds, `+N` is N seconds after
///   the previous entry (the default is one second after it), `__MONOTONIC_TIMESTAMP=` its
///   monotonic time; `_BOOT_ID=` is also its boot; other `__` fields (`__CURSOR`) are dropped.
///
/// Each entry gets a cursor of its own (`s=fuzz;i=N`).
public enum FuzzEntries {
    /// Entries an input gives at most, so that one input stays fast.
    public static let maximumEntries = 512

    /// The entries in `input`.
    /// - Parameter start: the time of an entry before the first, in microseconds.
    public static func decode(_ input: [UInt8], start: UInt64 = 1_780_000_000_000_000) -> [JournalEntry] {
        var entries: [JournalEntry] = []
        var fields: [(name: [UInt8], value: [UInt8])] = []
        var realtime = start
        var explicitTime: UInt64? = nil
        var monotonic: UInt64 = 0
        var boot = ID128.zero
        func finish() {
            guard !fields.isEmpty, entries.count < maximumEntries else { return }
            realtime = explicitTime ?? realtime &+ 1_000_000
            entries.append(JournalEntry(assembled: fields, realtime: realtime, monotonic: monotonic, boot: boot,
                                        cursor: Cursor("s=fuzz;i=\(entries.count + 1)")))
            fields.removeAll()
            explicitTime = nil
        }
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.isEmpty {
                finish()
                continue
            }
            guard let (name, value) = field(line) else {
                fields.append((messageName, Array(line)))
                continue
            }
            switch name {
            case realtimeName:
                if value.first == UInt8(ascii: "+") {
                    explicitTime = realtime &+ number(value.dropFirst()) &* 1_000_000
                } else {
                    explicitTime = number(value)
                }
            case monotonicName:
                monotonic = number(value)
            case bootName:
                boot = ID128(String(decoding: value, as: UTF8.self)) ?? .zero
                fields.append((Array(name), Array(value)))
            default:
                if name.starts(with: [UInt8(ascii: "_"), UInt8(ascii: "_")]) { continue }
                fields.append((Array(name), Array(value)))
            }
        }
        finish()
        return entries
    }

    /// The cursor of an entry read without one (every decoded entry has one).
    // Printable ASCII with an "=": a literal the failable initializer accepts.
    static let noCursor = Cursor("s=fuzz;i=0")!

    private static let messageName = Array("MESSAGE".utf8)
    private static let realtimeName = Array("__REALTIME_TIMESTAMP".utf8)[...]
    private static let monotonicName = Array("__MONOTONIC_TIMESTAMP".utf8)[...]
    private static let bootName = Array("_BOOT_ID".utf8)[...]

    /// The name and value of a `NAME=value` line, or nil when the line is not a field.
    private static func field(_ line: ArraySlice<UInt8>) -> (name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)? {
        guard let separator = line.firstIndex(of: UInt8(ascii: "=")), separator > line.startIndex,
              separator - line.startIndex <= 64 else { return nil }
        let name = line[..<separator]
        let isName = name.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
        return isName ? (name, line[(separator + 1)...]) : nil
    }

    /// The decimal number at the start of `digits` (wrapping on overflow), 0 when there is none.
    private static func number(_ digits: ArraySlice<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { break }
            value = value &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
