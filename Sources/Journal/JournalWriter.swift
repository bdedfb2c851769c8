import CSystemd
import Glibc

/// One field to write: a name (`A`–`Z`, `0`–`9`, `_`; not starting with `_`) and a value of bytes.
public struct JournalField: Sendable, Hashable {
    public let name: String
    public let value: [UInt8]

    public init(_ name: String, _ value: [UInt8]) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: String) {
        self.init(name, Array(value.utf8))
    }

    /// Whether `name` is a field name journald accepts from a client: 1–64 characters of
    /// `A`–`Z`, `0`–`9` and `_`, not starting with `_` or a digit.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first,
              first != UInt8(ascii: "_"), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }
}

/// Writes entries to the local journal over the native protocol.
public struct JournalWriter: Sendable {
    public init() {}

    /// Writes one entry. The corresponding C function is `sd_journal_sendv`; values may hold any
    /// bytes, newlines included (sd-journal sends them in its binary-safe form).
    /// - Throws: `JournalError` when journald cannot be reached.
    public func send(_ fields: [JournalField]) throws(JournalError) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes += field.name.utf8
            bytes.append(UInt8(ascii: "="))
            bytes += field.value
            ranges.append(start..<bytes.count)
        }
        let result: CInt = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return -EINVAL }
            var vectors = ranges.map {
                iovec(iov_base: UnsafeMutableRawPointer(mutating: base + $0.lowerBound), iov_len: $0.count)
            }
            return sd_journal_sendv(&vectors, CInt(vectors.count))
        }
        try check("sd_journal_sendv", result)
    }
}
