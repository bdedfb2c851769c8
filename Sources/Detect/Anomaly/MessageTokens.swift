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

/// The tokens of a message's first line with their masks: the tokeniser and masker of the
/// template miner. Its arrays are scratch space reused from message to message, so reading a
/// line allocates nothing once they have grown.
///
/// Masking, on a token's core (the token without leading `( [ { < " '` and trailing
/// `) ] } > " ' , ; : . ! ?`, which stay in the canonical text):
/// - user names by context → `<USER>`: the token after the word `user` (not a capitalised word after
///   `User`, as in systemd's `User Manager`); after `for` when the next
///   token is `from`; after `by` when name-like (lower case, not a word such as `signal`); the
///   first token when the next is `:` (sudo);
///   the values of `user=`, `acct=`, `ruser=`, `logname=`. A `name(uid=0)` keeps its parenthesis:
///   `<USER>(uid=<NUM>)`.
/// - `/…` → `<PATH>`; `a@b.c` → `<EMAIL>`; IPv4 (with `:port` or `/prefix`) and IPv6 (with
///   `%zone`, `[…]:port`) → `<IP>`; `aa:bb:cc:dd:ee:ff` → `<MAC>`; UUIDs → `<UUID>`; `0x…` and
///   runs of ≥ 8 hex digits with a digit → `<HEX>`; numbers, signed, with decimals and a unit
///   (`12ms`, `4.5s`, `100%`, `1024K`) → `<NUM>`; `2024-03-01`, `2024/03/01` (with a `T…` time)
///   → `<DATE>`; `10:00:00.123` (with a zone) → `<TIME>`.
/// - `key=value` and `key:value` (key a word starting with a letter) whose value masks as above:
///   `key=<mask>`; an empty or word value keeps the token as it is (`OUT=`, `PROTO=TCP`).
/// - Any other token with a digit becomes `<ID>` when it looks like an identifier: a run of two
///   or more digits, a part between punctuation that is all digits, twelve or more bytes, or
///   quotes around it (`session-12.scope`, `pts/0`, `HTTP/1.1` → `<ID>`); single digits in words
///   stay (`ssh2`, `eth0`, `EXT4-fs`, `vda1`).
/// - A token longer than `maximumTokenBytes` → `<LONG>`. Anything else, including punctuation,
///   binary and invalid UTF-8, stays as it is.
struct MessageTokens: Sendable {
    /// Tokens longer than this become `<LONG>`, which bounds a template's size.
    static let maximumTokenBytes = 100

    private(set) var shapes: [TokenShape] = []
    /// The tokens' keys, one per shape: what templates are compared by.
    private(set) var keys: [UInt64] = []

    /// Reads `line` (no newline in it): at most `maximumTokens` tokens, then one `<*>` when more follow.
    mutating func read(_ line: UnsafeRawBufferPointer, maximumTokens: Int) {
        shapes.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        let count = line.count
        var index = 0
        var truncated = false
        while index < count {
            while index < count, ByteClass.isSpace(line[index]) { index += 1 }
            if index == count { break }
            if shapes.count == maximumTokens {
                truncated = true
                break
            }
            let start = index
            var hasDigit = false, hasSeparator = false
            while index < count {
                let byte = line[index]
                if ByteClass.isSpace(byte) { break }
                if ByteClass.isDigit(byte) {
                    hasDigit = true
                } else if byte == UInt8(ascii: "=") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "/") {
                    hasSeparator = true
                }
                index += 1
            }
            var shape = TokenShape(start: start, end: index)
            shape.hasDigit = hasDigit
            shape.hasSeparator = hasSeparator
            shapes.append(shape)
        }
        for position in shapes.indices {
            classify(position, line)
            keys.append(shapes[position].key)
        }
        if truncated {
            var marker = TokenShape(start: count, end: count)
            marker.mask = .wildcard
            marker.maskStart = count
            marker.maskEnd = count
            marker.key = TokenHash.wildcard
            shapes.append(marker)
            keys.append(marker.key)
        }
    }

    /// Appends the canonical text of token `position` to `text`.
    func appendText(of position: Int, _ line: UnsafeRawBufferPointer, to text: inout [UInt8]) {
        let shape = shapes[position]
        func bytes(_ range: Range<Int>) {
            if !range.isEmpty, let base = line.baseAddress {
                text.append(contentsOf: UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
            }
        }
        if shape.mask == .none {
            bytes(shape.start..<shape.end)
            return
        }
        bytes(shape.start..<shape.maskStart)
        shape.mask.text.withUTF8Buffer { text.append(contentsOf: $0) }
        if shape.secondMask == .none {
            bytes(shape.maskEnd..<shape.end)
        } else {
            bytes(shape.maskEnd..<shape.secondStart)
            shape.secondMask.text.withUTF8Buffer { text.append(contentsOf: $0) }
            bytes(shape.secondEnd..<shape.end)
        }
    }

    // MARK: Classifying

    private mutating func classify(_ position: Int, _ line: UnsafeRawBufferPointer) {
        var shape = shapes[position]
        let start = shape.start, end = shape.end
        if end - start > Self.maximumTokenBytes {
            shape.mask = .long
            shape.maskStart = start
            shape.maskEnd = end
        } else {
            var coreStart = start, coreEnd = end
            while coreStart < coreEnd, ByteClass.isLeadingPunctuation(line[coreStart]) { coreStart += 1 }
            while coreEnd > coreStart, ByteClass.isTrailingPunctuation(line[coreEnd - 1]) { coreEnd -= 1 }
            if coreStart < coreEnd {
                if isUserByContext(position, line, coreStart, coreEnd) {
                    maskUser(&shape, line, coreStart, coreEnd)
                } else if shape.hasDigit || shape.hasSeparator {
                    maskCore(&shape, line, coreStart, coreEnd, isQuoted: coreStart > start && line[coreStart - 1] == UInt8(ascii: "\""))
                }
            }
        }
        var hash = FNV1a.offsetBasis
        if shape.mask == .none {
            TokenHash.add(&hash, line, start..<end)
        } else {
            TokenHash.add(&hash, line, start..<shape.maskStart)
            TokenHash.add(&hash, shape.mask.text)
            if shape.secondMask == .none {
                TokenHash.add(&hash, line, shape.maskEnd..<end)
            } else {
                TokenHash.add(&hash, line, shape.maskEnd..<shape.secondStart)
                TokenHash.add(&hash, shape.secondMask.text)
                TokenHash.add(&hash, line, shape.secondEnd..<end)
            }
        }
        shape.key = hash
        shapes[position] = shape
    }

    /// `<USER>` over the core, or over its part before `(` with the part inside masked as a `key=value`.
    private func maskUser(_ shape: inout TokenShape, _ line: UnsafeRawBufferPointer, _ coreStart: Int, _ coreEnd: Int) {
        shape.mask = .user
        shape.maskStart = coreStart
        shape.maskEnd = coreEnd
        var parenthesis = coreStart + 1
        while parenthesis < coreEnd, line[parenthesis] != UInt8(ascii: "(") { parenthesis += 1 }
        guard parenthesis < coreEnd else { return }
        shape.maskEnd = parenthesis
        if let (mask, range) = Self.maskKeyValue(line, parenthesis + 1, coreEnd) {
            shape.secondMask = mask
            shape.secondStart = range.lowerBound
            shape.secondEnd = range.upperBound
        }
    }

    private func maskCore(_ shape: inout TokenShape, _ line: UnsafeRawBufferPointer, _ coreStart: Int, _ coreEnd: Int, isQuoted: Bool) {
        if let mask = Self.wholeMask(line, coreStart, coreEnd) {
            shape.mask = mask
            shape.maskStart = coreStart
            shape.maskEnd = coreEnd
        } else if let (mask, range) = Self.maskKeyValue(line, coreStart, coreEnd) {
            shape.mask = mask
            shape.maskStart = range.lowerBound
            shape.maskEnd = range.upperBound
        } else if shape.hasDigit, isQuoted || Self.looksLikeIdentifier(line, coreStart, coreEnd) {
            shape.mask = .identifier
            shape.maskStart = coreStart
            shape.maskEnd = coreEnd
        }
    }

    // MARK: Context

    private func raw(_ position: Int, is word: StaticString, _ line: UnsafeRawBufferPointer) -> Bool {
        guard position >= 0, position < shapes.count else { return false }
        let shape = shapes[position]
        return word.withUTF8Buffer { word in
            guard shape.end - shape.start == word.count else { return false }
            for index in 0..<word.count where line[shape.start + index] | 0x20 != word[index] | 0x20 { return false }
            return true
        }
    }

    private func isUserByContext(_ position: Int, _ line: UnsafeRawBufferPointer, _ coreStart: Int, _ coreEnd: Int) -> Bool {
        let first = line[coreStart]
        let isCapitalised = first &- UInt8(ascii: "A") < 26
        if raw(position - 1, is: "user", line) {
            // "User Manager", "User Runtime Directory" (systemd): a capitalised word after a capitalised User is no name.
            return !(isCapitalised && line[shapes[position - 1].start] &- UInt8(ascii: "A") < 26)
        }
        if raw(position - 1, is: "for", line), raw(position + 1, is: "from", line) { return true }
        if position == 0, raw(1, is: ":", line) { return true }
        if raw(position - 1, is: "by", line) {
            guard (ByteClass.isLetter(first) && !isCapitalised) || first == UInt8(ascii: "_") else { return false }
            var index = coreStart
            while index < coreEnd, line[index] != UInt8(ascii: "(") {
                let byte = line[index]
                guard ByteClass.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                else { return false }
                index += 1
            }
            for word: StaticString in ["user", "invalid", "authenticating", "signal", "peer", "remote", "the", "a", "an",
                                        "client", "server", "host", "foreign", "kernel", "systemd"] {
                if Self.equalsIgnoringCase(line, coreStart, index, word) { return false }
            }
            return true
        }
        return false
    }

    static func equalsIgnoringCase(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { word in
            guard end - start == word.count else { return false }
            for index in 0..<word.count where line[start + index] | 0x20 != word[index] | 0x20 { return false }
            return true
        }
    }

    // MARK: Masks

    /// `key=value` or `key:value` with a maskable value: the value's mask and range.
    static func maskKeyValue(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> (TokenMask, Range<Int>)? {
        guard start < end, ByteClass.isLetter(line[start]) else { return nil }
        var index = start + 1
        while index < end {
            let byte = line[index]
            if byte == UInt8(ascii: "=") || byte == UInt8(ascii: ":") { break }
            guard ByteClass.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            else { return nil }
            index += 1
        }
        guard index < end else { return nil }
        let isEquals = line[index] == UInt8(ascii: "=")
        let keyEnd = index
        var valueStart = index + 1
        while valueStart < end, ByteClass.isLeadingPunctuation(line[valueStart]) { valueStart += 1 }
        guard valueStart < end else { return nil }
        if isEquals {
            for word: StaticString in ["user", "acct", "ruser", "logname"] where equalsIgnoringCase(line, start, keyEnd, word) {
                return (.user, valueStart..<end)
            }
        }
        if let mask = wholeMask(line, valueStart, end) { return (mask, valueStart..<end) }
        var hasDigit = false
        for index in valueStart..<end where ByteClass.isDigit(line[index]) {
            hasDigit = true
            break
        }
        if hasDigit, looksLikeIdentifier(line, valueStart, end) { return (.identifier, valueStart..<end) }
        return nil
    }

    /// The mask for all of `start..<end` (a non-empty core), or nil.
    static func wholeMask(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> TokenMask? {
        let first = line[start]
        if first == UInt8(ascii: "/") { return end - start > 1 ? .path : nil }
        var digits = 0, colons = 0, hasAt = false
        for index in start..<end {
            let byte = line[index]
            if ByteClass.isDigit(byte) { digits += 1 } else if byte == UInt8(ascii: ":") { colons += 1 } else if byte == UInt8(ascii: "@") { hasAt = true }
        }
        if hasAt { return isEmail(line, start, end) ? .email : nil }
        guard digits > 0 else { return nil }
        if isIPv4(line, start, end) { return .ip }
        if end - start >= 17, isMAC(line, start, end) { return .mac }
        if colons >= 2, isIPv6(line, start, end) { return .ip }
        if end - start == 36, isUUID(line, start, end) { return .uuid }
        if end - start > 2, first == UInt8(ascii: "0"), line[start + 1] | 0x20 == UInt8(ascii: "x"), allHex(line, start + 2, end) { return .hex }
        if isNumber(line, start, end) { return .number }
        if isDate(line, start, end) { return .date }
        if colons > 0, isTime(line, start, end) { return .time }
        if end - start >= 8, allHex(line, start, end) { return .hex }
        return nil
    }

    /// Whether a token with a digit that no mask took looks like an identifier (see the type's comment).
    static func looksLikeIdentifier(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        if end - start >= 12 { return true }
        var run = 0, segmentDigitsOnly = true, segmentLength = 0
        for index in start..<end {
            let byte = line[index]
            if ByteClass.isDigit(byte) {
                run += 1
                if run >= 2 { return true }
                segmentLength += 1
            } else if ByteClass.isLetter(byte) || byte >= 0x80 {
                run = 0
                segmentDigitsOnly = false
                segmentLength += 1
            } else {
                if segmentLength > 0, segmentDigitsOnly { return true }
                run = 0
                segmentDigitsOnly = true
                segmentLength = 0
            }
        }
        return segmentLength > 0 && segmentDigitsOnly
    }

    private static func allHex(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        guard start < end else { return false }
        for index in start..<end where !ByteClass.isHexDigit(line[index]) { return false }
        return true
    }

    /// Digits from `index`, at most `maximum`; the index after them and how many.
    private static func digits(_ line: UnsafeRawBufferPointer, _ index: Int, _ end: Int, maximum: Int = .max) -> (Int, Int) {
        var cursor = index
        while cursor < end, cursor - index < maximum, ByteClass.isDigit(line[cursor]) { cursor += 1 }
        return (cursor, cursor - index)
    }

    /// Four dotted octets, then nothing, `:port` or `/prefix`.
    static func isIPv4(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        guard let after = ipv4End(line, start, end) else { return false }
        if after == end { return true }
        let separator = line[after]
        guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "/") else { return false }
        let (digitsEnd, count) = digits(line, after + 1, end)
        return count > 0 && digitsEnd == end && count <= 5
    }

    private static func ipv4End(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int? {
        var index = start
        for octet in 0..<4 {
            if octet > 0 {
                guard index < end, line[index] == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            let (after, count) = digits(line, index, end, maximum: 3)
            guard count > 0 else { return nil }
            var value = 0
            for position in index..<after { value = value * 10 + Int(line[position] &- 0x30) }
            guard value <= 255 else { return nil }
            index = after
        }
        return index
    }

    /// Two-hex-digit groups, six or more, all separated by `:` (or all by `-`).
    static func isMAC(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        guard (end - start + 1) % 3 == 0, (end - start + 1) / 3 >= 6 else { return false }
        let separator = line[start + 2]
        guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else { return false }
        var index = start
        while index < end {
            guard ByteClass.isHexDigit(line[index]), ByteClass.isHexDigit(line[index + 1]) else { return false }
            if index + 2 < end, line[index + 2] != separator { return false }
            index += 3
        }
        return true
    }

    /// Hex groups of ≤ 4 digits separated by `:`, with `::` or eight groups, a dotted IPv4 tail allowed,
    /// then nothing, `%zone` or `]:port`.
    static func isIPv6(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var addressEnd = start
        while addressEnd < end {
            let byte = line[addressEnd]
            if byte == UInt8(ascii: "%") || byte == UInt8(ascii: "]") { break }
            addressEnd += 1
        }
        if addressEnd < end {
            if line[addressEnd] == UInt8(ascii: "%") {
                guard addressEnd + 1 < end else { return false }
                for index in addressEnd + 1..<end {
                    let byte = line[index]
                    guard ByteClass.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                    else { return false }
                }
            } else {
                guard addressEnd + 1 < end, line[addressEnd + 1] == UInt8(ascii: ":") else { return false }
                let (digitsEnd, count) = digits(line, addressEnd + 2, end)
                guard count > 0, digitsEnd == end else { return false }
            }
        }
        var colons = 0, hasDoubleColon = false, groupStart = start, hasDigit = false
        var index = start
        while index <= addressEnd {
            if index == addressEnd || line[index] == UInt8(ascii: ":") {
                let group = index - groupStart
                if index == addressEnd, group > 0, ipv4End(line, groupStart, addressEnd) == addressEnd {
                    // A dotted IPv4 tail (::ffff:1.2.3.4).
                    hasDigit = true
                } else {
                    guard group <= 4 else { return false }
                    for position in groupStart..<index {
                        let byte = line[position]
                        guard ByteClass.isHexDigit(byte) else { return false }
                        if ByteClass.isDigit(byte) { hasDigit = true }
                    }
                }
                if index < addressEnd {
                    colons += 1
                    if index + 1 < addressEnd, line[index + 1] == UInt8(ascii: ":") { hasDoubleColon = true }
                }
                groupStart = index + 1
            }
            index += 1
        }
        return hasDigit && colons >= 2 && colons <= 7 && (hasDoubleColon || colons == 7)
    }

    /// 8-4-4-4-12 hex digits.
    static func isUUID(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        for index in start..<end {
            let offset = index - start
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard line[index] == UInt8(ascii: "-") else { return false }
            } else {
                guard ByteClass.isHexDigit(line[index]) else { return false }
            }
        }
        return true
    }

    /// `[+-]digits([.,]digits)*` then nothing, `%`, or a unit of at most four letters.
    static func isNumber(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var index = start
        if line[index] == UInt8(ascii: "+") || line[index] == UInt8(ascii: "-") { index += 1 }
        var (after, count) = digits(line, index, end)
        guard count > 0 else { return false }
        index = after
        while index + 1 < end, line[index] == UInt8(ascii: ".") || line[index] == UInt8(ascii: ","), ByteClass.isDigit(line[index + 1]) {
            (after, count) = digits(line, index + 1, end)
            index = after
        }
        if index == end { return true }
        if line[index] == UInt8(ascii: "%") { return index + 1 == end }
        guard end - index <= 4 else { return false }
        for position in index..<end where !ByteClass.isLetter(line[position]) { return false }
        return true
    }

    /// `yyyy-mm-dd` or `yyyy/mm/dd`, optionally `T` and a time with digits, `:`, `.`, `,`, `+`, `-`, `Z`.
    static func isDate(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        let (yearEnd, yearDigits) = digits(line, start, end)
        guard yearDigits == 4, yearEnd < end else { return false }
        let separator = line[yearEnd]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") else { return false }
        let (monthEnd, monthDigits) = digits(line, yearEnd + 1, end)
        guard monthDigits >= 1, monthDigits <= 2, monthEnd < end, line[monthEnd] == separator else { return false }
        let (dayEnd, dayDigits) = digits(line, monthEnd + 1, end)
        guard dayDigits >= 1, dayDigits <= 2 else { return false }
        if dayEnd == end { return true }
        guard line[dayEnd] == UInt8(ascii: "T"), dayEnd + 1 < end else { return false }
        for index in dayEnd + 1..<end {
            let byte = line[index]
            guard ByteClass.isDigit(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "Z")
            else { return false }
        }
        return true
    }

    /// `h:mm`, `hh:mm:ss`, with `[.,]fraction`, then nothing, `Z` or `[+-]hh[:]mm`.
    static func isTime(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        let (hourEnd, hourDigits) = digits(line, start, end)
        guard hourDigits >= 1, hourDigits <= 2, hourEnd < end, line[hourEnd] == UInt8(ascii: ":") else { return false }
        var (index, count) = digits(line, hourEnd + 1, end)
        guard count == 2 else { return false }
        if index < end, line[index] == UInt8(ascii: ":") {
            (index, count) = digits(line, index + 1, end)
            guard count == 2 else { return false }
        }
        if index < end, line[index] == UInt8(ascii: ".") || line[index] == UInt8(ascii: ",") {
            (index, count) = digits(line, index + 1, end)
            guard count > 0 else { return false }
        }
        if index == end { return true }
        if line[index] == UInt8(ascii: "Z") { return index + 1 == end }
        guard line[index] == UInt8(ascii: "+") || line[index] == UInt8(ascii: "-") else { return false }
        for position in index + 1..<end where !ByteClass.isDigit(line[position]) && line[position] != UInt8(ascii: ":") { return false }
        return index + 1 < end
    }

    /// `local@domain.tld` with word characters.
    static func isEmail(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var at = -1, domainDot = false
        for index in start..<end {
            let byte = line[index]
            if byte == UInt8(ascii: "@") {
                guard at < 0 else { return false }
                at = index
            } else if ByteClass.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") {
                if byte == UInt8(ascii: "."), at >= 0, index > at + 1, index < end - 1 { domainDot = true }
            } else if at < 0, byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "%") {
                continue
            } else {
                return false
            }
        }
        guard at > start, at < end - 1, domainDot else { return false }
        // systemd's instance units (user@1000.service, getty@tty1.service) are not addresses.
        var dot = end - 1
        while line[dot] != UInt8(ascii: ".") { dot -= 1 }
        for suffix: StaticString in ["service", "scope", "socket", "timer", "mount", "target", "slice", "path", "device", "swap"]
            where equalsIgnoringCase(line, dot + 1, end, suffix) {
            return false
        }
        return true
    }
}
