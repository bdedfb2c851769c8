/// What replaces a token, or a part of one, in a template. Masks are typed so that values of
/// different kinds (an address, a count) never merge by accident.
enum TokenMask: UInt8, Sendable {
    case none, number, ip, hex, path, user, email, uuid, mac, date, time, identifier, long, wildcard

    /// The mask as templates show it.
    var text: StaticString {
        switch self {
        case .none: ""
        case .number: "<NUM>"
        case .ip: "<IP>"
        case .hex: "<HEX>"
        case .path: "<PATH>"
        case .user: "<USER>"
        case .email: "<EMAIL>"
        case .uuid: "<UUID>"
        case .mac: "<MAC>"
        case .date: "<DATE>"
        case .time: "<TIME>"
        case .identifier: "<ID>"
        case .long: "<LONG>"
        case .wildcard: "<*>"
        }
    }
}

/// One whitespace-separated token of a message's first line and how it is masked: its canonical
/// text is the token with `mask` over `maskStart..<maskEnd` and `secondMask` over
/// `secondStart..<secondEnd` (offsets in the line; the second range lies after the first).
struct TokenShape: Sendable {
    var start: Int
    var end: Int
    var mask = TokenMask.none
    var maskStart = 0
    var maskEnd = 0
    var secondMask = TokenMask.none
    var secondStart = 0
    var secondEnd = 0
    /// Whether the raw token has an ASCII digit.
    var hasDigit = false
    /// Whether it has `=`, `:`, `@` or `/`: without them and without digits, only the context can mask it.
    var hasSeparator = false
    /// FNV-1a 64 of the canonical text.
    var key: UInt64 = 0

    init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Whether the parse tree files this token under `<*>` (masked or with a digit), as Drain does.
    var isVariable: Bool { mask != .none || hasDigit }
}

/// ASCII byte classes for tokenising; bytes ≥ 0x80 are in none of them.
enum ByteClass {
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20) &- 0x61 < 6 }
    /// Punctuation stripped from the start of a token before it is classified.
    @inline(__always) static func isLeadingPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "<"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        default: false
        }
    }
    /// Punctuation stripped from the end of a token before it is classified.
    @inline(__always) static func isTrailingPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"):
            true
        default: false
        }
    }
}

/// FNV-1a 64 steps over raw bytes, without the generic `Sequence` path.
enum TokenHash {
    static let prime: UInt64 = 0x0000_0100_0000_01b3
    /// The key of `<*>`: a template position that has taken different values.
    /// (FNV-1a 64 of the three bytes `<*>`, a literal so the hot path needs no lazy initialisation;
    /// a test checks it.)
    static let wildcard: UInt64 = 0x70cc_8c18_30b5_f0c7

    @inline(__always) static func add(_ hash: inout UInt64, _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        var value = hash
        for index in range { value = (value ^ UInt64(bytes[index])) &* prime }
        hash = value
    }

    @inline(__always) static func add(_ hash: inout UInt64, _ text: StaticString) {
        text.withUTF8Buffer { buffer in
            var value = hash
            for byte in buffer { value = (value ^ UInt64(byte)) &* prime }
            hash = value
        }
    }

    @inline(__always) static func add(_ hash: inout UInt64, _ byte: UInt8) {
        hash = (hash ^ UInt64(byte)) &* prime
    }
}
