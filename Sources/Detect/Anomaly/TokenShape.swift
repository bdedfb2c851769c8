import Parse
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
    // Offsets are stored as 32 bits (lines are at most `MessageTokens.maximumLineBytes`) to keep the
    // shape small: it is copied for every token.
    private var storedStart: Int32
    private var storedEnd: Int32
    private var storedMaskStart: Int32 = 0
    private var storedMaskEnd: Int32 = 0
    private var storedSecondStart: Int32 = 0
    private var storedSecondEnd: Int32 = 0
    /// FNV-1a 64 of the canonical text.
    var key: UInt64 = 0
    var mask = TokenMask.none
    var secondMask = TokenMask.none
    /// Whether the raw token has an ASCII digit.
    var hasDigit = false
    /// Whether it has `=`, `:`, `@` or `/`: without them and without digits, only the context can mask it.
    var hasSeparator = false
    /// Whether it has `@`.
    var hasAt = false
    /// Its `:` count, at most 255.
    var colons: UInt8 = 0
    /// Its `.` count, at most 255.
    var dots: UInt8 = 0
    /// Which word of the user-name contexts the raw token is.
    var word = ContextWord.other

    init(start: Int, end: Int) {
        storedStart = Int32(truncatingIfNeeded: start)
        storedEnd = Int32(truncatingIfNeeded: end)
    }

    var start: Int { Int(storedStart) }
    var end: Int { Int(storedEnd) }
    var maskStart: Int {
        get { Int(storedMaskStart) }
        set { storedMaskStart = Int32(truncatingIfNeeded: newValue) }
    }
    var maskEnd: Int {
        get { Int(storedMaskEnd) }
        set { storedMaskEnd = Int32(truncatingIfNeeded: newValue) }
    }
    var secondStart: Int {
        get { Int(storedSecondStart) }
        set { storedSecondStart = Int32(truncatingIfNeeded: newValue) }
    }
    var secondEnd: Int {
        get { Int(storedSecondEnd) }
        set { storedSecondEnd = Int32(truncatingIfNeeded: newValue) }
    }

    /// Whether the parse tree files this token under `<*>` (masked or with a digit), as Drain does.
    var isVariable: Bool { mask != .none || hasDigit }
}

/// The words that make a neighbouring token a user name (see `MessageTokens`), found once per token.
enum ContextWord: UInt8, Sendable {
    case other, user, capitalisedUser, forWord, from, by, colon
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
    /// The key of `<*>`: a template position that has taken different values.
    /// (FNV-1a 64 of the three bytes `<*>`, a literal so the hot path needs no lazy initialisation;
    /// a test checks it.)
    static let wildcard: UInt64 = 0x70cc_8c18_30b5_f0c7

    @inline(__always) static func add(_ hash: inout UInt64, _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        hash = FNV1a.hash(UnsafeRawBufferPointer(rebasing: bytes[range]), basis: hash)
    }

    @inline(__always) static func add(_ hash: inout UInt64, _ text: StaticString) {
        text.withUTF8Buffer { hash = FNV1a.hash($0, basis: hash) }
    }

    @inline(__always) static func add(_ hash: inout UInt64, _ byte: UInt8) {
        hash = (hash ^ UInt64(byte)) &* FNV1a.prime
    }
}
