/// Makes log-derived bytes safe to show in one line: of an alert, an explanation, a message.
///
/// Log content is attacker-controlled: a value could carry newlines (to forge a second line in
/// `journalctl` output), terminal escapes, invalid UTF-8 or megabytes of text. Escaped text is
/// valid UTF-8 with no control characters and at most `limit` bytes (plus a marker when cut).
public enum Escaping {
    /// Escapes and cuts `bytes`: `\n`, `\r`, `\t`, `\\` and `\xNN` for other control bytes,
    /// DEL and invalid UTF-8; `…` marks a cut.
    /// - Parameters:
    ///   - limit: the most bytes of escaped output kept before the `…` marker.
    @inlinable
    public static func text<Bytes: Collection>(_ bytes: Bytes, limit: Int) -> String where Bytes.Element == UInt8 {
        // Generic code called from another module runs unspecialised, a witness call per byte
        // (alert output spent a tenth of a replay with 1,000 rules here): the work is done on
        // contiguous bytes by one concrete function.
        if let text = bytes.withContiguousStorageIfAvailable({ text(UnsafeRawBufferPointer($0), limit: limit) }) {
            return text
        }
        return Array(bytes).withUnsafeBytes { text($0, limit: limit) }
    }

    /// `text(_:limit:)` on bytes in memory.
    public static func text(_ bytes: UnsafeRawBufferPointer, limit: Int) -> String {
        // Most values are short printable ASCII: one pass to check, one copy (measured: alert output
        // spent a fifth of its time here without it).
        if bytes.count <= limit, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\\") }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var output: [UInt8] = []
        output.reserveCapacity(min(bytes.count, limit) + 8)
        let hex = Escaping.hexDigits
        func escape(_ byte: UInt8) {
            output += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
        }
        var index = 0
        while index < bytes.count {
            if output.count >= limit {
                return String(decoding: output, as: UTF8.self) + "…"
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"): output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0..<0x20, 0x7f: escape(byte)
            case 0x20..<0x7f: output.append(byte)
            default:
                // A multi-byte UTF-8 sequence is copied whole when valid, else escaped byte by byte.
                let length = sequenceLength(bytes, at: index)
                if length > 0 {
                    output.append(contentsOf: bytes[index..<index + length])
                    index += length
                    continue
                }
                escape(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The length of the valid UTF-8 sequence at `index` (2–4), or 0 when it is not one.
    /// Rejects overlong forms, surrogates and code points past U+10FFFF, as `String` would.
    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func sequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let first = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xbf
        switch first {
        case 0xc2...0xdf: length = 2
        case 0xe0: length = 3; lower = 0xa0
        case 0xe1...0xec, 0xee...0xef: length = 3
        case 0xed: length = 3; upper = 0x9f
        case 0xf0: length = 4; lower = 0x90
        case 0xf1...0xf3: length = 4
        case 0xf4: length = 4; upper = 0x8f
        default: return 0
        }
        for offset in 1..<length {
            guard index + offset < bytes.count else { return 0 }
            let byte = bytes[index + offset]
            let (low, high) = offset == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xbf))
            guard byte >= low, byte <= high else { return 0 }
        }
        return length
    }

    /// A journal field name for a matched field: `CORDON_FIELD_` and the name upper-cased, every
    /// character other than `A`–`Z` and `0`–`9` as `_`, cut to journald's 64-character limit.
    public static func fieldName(for name: String) -> String {
        var output = Array("CORDON_FIELD_".utf8)
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): output.append(byte - 32)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): output.append(byte)
            default: output.append(UInt8(ascii: "_"))
            }
        }
        return String(decoding: output.prefix(64), as: UTF8.self)
    }
}
