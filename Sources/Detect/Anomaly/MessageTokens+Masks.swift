/// The recognisers behind the masks (see `MessageTokens`): each looks at `line[start..<end]`.
extension MessageTokens {
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
        if isEquals, isUserKey(line, start, keyEnd) { return (.user, valueStart..<end) }
        if let mask = wholeMask(line, valueStart, end) { return (mask, valueStart..<end) }
        var hasDigit = false
        for index in valueStart..<end where ByteClass.isDigit(line[index]) {
            hasDigit = true
            break
        }
        if hasDigit, looksLikeIdentifier(line, valueStart, end) { return (.identifier, valueStart..<end) }
        return nil
    }

    /// Whether `line[start..<end]` is `user`, `acct`, `ruser` or `logname`, ignoring ASCII case.
    private static func isUserKey(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        switch end - start {
        case 4: equalsIgnoringCase(line, start, end, "user") || equalsIgnoringCase(line, start, end, "acct")
        case 5: equalsIgnoringCase(line, start, end, "ruser")
        case 7: equalsIgnoringCase(line, start, end, "logname")
        default: false
        }
    }

    /// The mask for all of `start..<end` (a non-empty core), or nil.
    static func wholeMask(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> TokenMask? {
        var hasDigit = false, colons = 0, dots = 0, hasAt = false
        for index in start..<end {
            let byte = line[index]
            if ByteClass.isDigit(byte) {
                hasDigit = true
            } else if byte == UInt8(ascii: ":") {
                colons += 1
            } else if byte == UInt8(ascii: ".") {
                dots += 1
            } else if byte == UInt8(ascii: "@") {
                hasAt = true
            }
        }
        return wholeMask(line, start, end, hasDigit: hasDigit, colons: colons, dots: dots, hasAt: hasAt)
    }

    /// `wholeMask(_:_:_:)` with what it counts known: whether `start..<end` has a digit, its `:` and `.` counts and whether it has `@`.
    static func wholeMask(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int, hasDigit: Bool, colons: Int, dots: Int,
                          hasAt: Bool) -> TokenMask? {
        let first = line[start]
        if first == UInt8(ascii: "/") { return end - start > 1 ? .path : nil }
        if hasAt { return isEmail(line, start, end) ? .email : nil }
        guard hasDigit else { return nil }
        // Every mask below starts with a hex digit, a sign or `:` (IPv6's `::1`): most `key=value` tokens have none.
        guard ByteClass.isHexDigit(first) || first == UInt8(ascii: ":") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
        else { return nil }
        if dots >= 3, isIPv4(line, start, end) { return .ip }
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
