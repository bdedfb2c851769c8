import Parse

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
    /// Bytes of a first line read at most (the rest is ignored): offsets fit in 32 bits.
    static let maximumLineBytes = 1 << 30

    private(set) var shapes: [TokenShape] = []
    /// The tokens' keys, one per shape: what templates are compared by.
    private(set) var keys: [UInt64] = []

    /// Reads `line` (no newline in it): at most `maximumTokens` tokens, then one `<*>` when more follow.
    mutating func read(_ line: UnsafeRawBufferPointer, maximumTokens: Int) {
        shapes.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        let count = min(line.count, Self.maximumLineBytes)
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
            var hasDigit = false, hasSeparator = false, hasAt = false
            var colons = 0, dots = 0
            // The raw token's hash on the way: its key unless a mask changes it.
            var hash = FNV1a.offsetBasis
            while index < count {
                let byte = line[index]
                // Letters, bytes ≥ 0x80 and the punctuation above `@` (most bytes) are neither space,
                // digit nor separator: one comparison, then the next byte.
                if byte > UInt8(ascii: "@") {
                    hash = (hash ^ UInt64(byte)) &* FNV1a.prime
                    index += 1
                    continue
                }
                if ByteClass.isSpace(byte) { break }
                hash = (hash ^ UInt64(byte)) &* FNV1a.prime
                if ByteClass.isDigit(byte) {
                    hasDigit = true
                } else if byte == UInt8(ascii: ":") {
                    hasSeparator = true
                    colons += 1
                } else if byte == UInt8(ascii: "=") || byte == UInt8(ascii: "/") {
                    hasSeparator = true
                } else if byte == UInt8(ascii: ".") {
                    dots += 1
                } else if byte == UInt8(ascii: "@") {
                    hasSeparator = true
                    hasAt = true
                }
                index += 1
            }
            var shape = TokenShape(start: start, end: index)
            shape.hasDigit = hasDigit
            shape.hasSeparator = hasSeparator
            shape.hasAt = hasAt
            shape.colons = UInt8(truncatingIfNeeded: min(colons, 255))
            shape.dots = UInt8(truncatingIfNeeded: min(dots, 255))
            shape.word = Self.contextWord(line, start, index)
            shape.key = hash
            shapes.append(shape)
        }
        shapes.withUnsafeMutableBufferPointer { shapes in
            for position in shapes.indices { Self.classify(position, shapes, line) }
        }
        keys.reserveCapacity(shapes.count + 1)
        for position in shapes.indices { keys.append(shapes[position].key) }
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

    /// Masks token `position` of `shapes` and sets its key. Only the context can mask a token
    /// without digits and separators, so most tokens return at the first test.
    private static func classify(_ position: Int, _ shapes: UnsafeMutableBufferPointer<TokenShape>, _ line: UnsafeRawBufferPointer) {
        let start = shapes[position].start, end = shapes[position].end
        // Whether the neighbours are such that `isUserByContext` can hold.
        let hasUserContext = switch word(position - 1, shapes) {
        case .user, .capitalisedUser, .forWord, .by: true
        default: position == 0 && word(1, shapes) == .colon
        }
        if !hasUserContext, !shapes[position].hasDigit, !shapes[position].hasSeparator, end - start <= maximumTokenBytes { return }
        var shape = shapes[position]
        if end - start > Self.maximumTokenBytes {
            shape.mask = .long
            shape.maskStart = start
            shape.maskEnd = end
        } else {
            var coreStart = start, coreEnd = end
            var trailingColons = 0, trailingDots = 0
            while coreStart < coreEnd, ByteClass.isLeadingPunctuation(line[coreStart]) { coreStart += 1 }
            while coreEnd > coreStart, ByteClass.isTrailingPunctuation(line[coreEnd - 1]) {
                if line[coreEnd - 1] == UInt8(ascii: ":") { trailingColons += 1 }
                if line[coreEnd - 1] == UInt8(ascii: ".") { trailingDots += 1 }
                coreEnd -= 1
            }
            if coreStart < coreEnd {
                if hasUserContext, isUserByContext(position, shapes, line, coreStart, coreEnd) {
                    maskUser(&shape, line, coreStart, coreEnd)
                } else if shape.hasDigit || shape.hasSeparator {
                    maskCore(&shape, line, coreStart, coreEnd, colons: Int(shape.colons) - trailingColons,
                             dots: Int(shape.dots) - trailingDots,
                             isQuoted: coreStart > start && line[coreStart - 1] == UInt8(ascii: "\""))
                }
            }
        }
        if shape.mask != .none {
            var hash = FNV1a.offsetBasis
            TokenHash.add(&hash, line, start..<shape.maskStart)
            TokenHash.add(&hash, shape.mask.text)
            if shape.secondMask == .none {
                TokenHash.add(&hash, line, shape.maskEnd..<end)
            } else {
                TokenHash.add(&hash, line, shape.maskEnd..<shape.secondStart)
                TokenHash.add(&hash, shape.secondMask.text)
                TokenHash.add(&hash, line, shape.secondEnd..<end)
            }
            shape.key = hash
        }
        shapes[position] = shape
    }

    /// `<USER>` over the core, or over its part before `(` with the part inside masked as a `key=value`.
    private static func maskUser(_ shape: inout TokenShape, _ line: UnsafeRawBufferPointer, _ coreStart: Int, _ coreEnd: Int) {
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

    /// `colons`, `dots`: the core's `:` and `.` counts (a token's digits and `@` are all in its core).
    private static func maskCore(_ shape: inout TokenShape, _ line: UnsafeRawBufferPointer, _ coreStart: Int, _ coreEnd: Int, colons: Int,
                                 dots: Int, isQuoted: Bool) {
        if let mask = Self.wholeMask(line, coreStart, coreEnd, hasDigit: shape.hasDigit, colons: colons, dots: dots, hasAt: shape.hasAt) {
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

    /// The context word token `position` is, or `.other` (also outside the line).
    @inline(__always) private static func word(_ position: Int, _ shapes: UnsafeMutableBufferPointer<TokenShape>) -> ContextWord {
        position >= 0 && position < shapes.count ? shapes[position].word : .other
    }

    /// Which context word `line[start..<end]` is, ignoring ASCII case.
    @inline(__always) private static func contextWord(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> ContextWord {
        switch end - start {
        case 1: return line[start] == UInt8(ascii: ":") ? .colon : .other
        case 2: return line[start] | 0x20 == UInt8(ascii: "b") && line[start + 1] | 0x20 == UInt8(ascii: "y") ? .by : .other
        case 3: return equalsIgnoringCase(line, start, end, "for") ? .forWord : .other
        case 4:
            if equalsIgnoringCase(line, start, end, "user") {
                return line[start] &- UInt8(ascii: "A") < 26 ? .capitalisedUser : .user
            }
            return equalsIgnoringCase(line, start, end, "from") ? .from : .other
        default: return .other
        }
    }

    private static func isUserByContext(_ position: Int, _ shapes: UnsafeMutableBufferPointer<TokenShape>, _ line: UnsafeRawBufferPointer,
                                        _ coreStart: Int, _ coreEnd: Int) -> Bool {
        let first = line[coreStart]
        let isCapitalised = first &- UInt8(ascii: "A") < 26
        let previous = word(position - 1, shapes)
        switch previous {
        // sshd writes an empty name as "invalid user  from …": "from" is then no name.
        case .user: return shapes[position].word != .from
        // "User Manager", "User Runtime Directory" (systemd): a capitalised word after a capitalised User is no name.
        case .capitalisedUser: return !isCapitalised && shapes[position].word != .from
        case .forWord: if word(position + 1, shapes) == .from { return true }
        default: break
        }
        if position == 0, word(1, shapes) == .colon { return true }
        if previous == .by {
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
}
