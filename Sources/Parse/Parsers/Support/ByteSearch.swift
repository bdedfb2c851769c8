/// Byte-level searching for the parsers: log text stays bytes (it may be binary or invalid
/// UTF-8), and the hot path builds no `String`s.
extension ArraySlice where Element == UInt8 {
    /// The range of the first occurrence of `pattern` that starts at or after `start`
    /// (the slice's start when nil), or nil when there is none or `pattern` is empty.
    func rangeOfFirst(_ pattern: [UInt8], from start: Int? = nil) -> Range<Int>? {
        guard let first = pattern.first else { return nil }
        let lastStart = endIndex - pattern.count
        var index = Swift.max(start ?? startIndex, startIndex)
        while index <= lastStart {
            if self[index] == first, matches(pattern, at: index) {
                return index..<index + pattern.count
            }
            index += 1
        }
        return nil
    }

    /// The range of the last occurrence of `pattern` that ends at or before `end`
    /// (the slice's end when nil), or nil when there is none or `pattern` is empty.
    func rangeOfLast(_ pattern: [UInt8], before end: Int? = nil) -> Range<Int>? {
        guard let first = pattern.first else { return nil }
        var index = Swift.min(end ?? endIndex, endIndex) - pattern.count
        while index >= startIndex {
            if self[index] == first, matches(pattern, at: index) {
                return index..<index + pattern.count
            }
            index -= 1
        }
        return nil
    }

    /// Whether `pattern` occurs at `index` (in the slice's indices).
    func matches(_ pattern: [UInt8], at index: Int) -> Bool {
        guard index >= startIndex, index + pattern.count <= endIndex else { return false }
        var offset = 0
        while offset < pattern.count {
            if self[index + offset] != pattern[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Whether the slice starts with `prefix`.
    func hasPrefix(_ prefix: [UInt8]) -> Bool {
        matches(prefix, at: startIndex)
    }

    /// Whether the slice ends with `suffix`.
    func hasSuffix(_ suffix: [UInt8]) -> Bool {
        matches(suffix, at: endIndex - suffix.count)
    }

    /// The slice without `prefix`, or nil when it does not start with it.
    func dropping(prefix: [UInt8]) -> ArraySlice<UInt8>? {
        hasPrefix(prefix) ? self[(startIndex + prefix.count)...] : nil
    }

    /// The slice without `suffix`, or nil when it does not end with it.
    func dropping(suffix: [UInt8]) -> ArraySlice<UInt8>? {
        hasSuffix(suffix) ? self[..<(endIndex - suffix.count)] : nil
    }

    /// Whether the slice contains the byte `byte`.
    func contains(byte: UInt8) -> Bool {
        firstIndex(of: byte) != nil
    }

    /// The slice without trailing newlines, carriage returns and spaces (syslog senders
    /// such as userdel end some messages with `\n`).
    var trimmingTrailingWhitespace: ArraySlice<UInt8> {
        var end = endIndex
        while end > startIndex, Bytes.isLineSpace(self[end - 1]) { end -= 1 }
        return self[startIndex..<end]
    }

    /// The slice without leading spaces.
    var trimmingLeadingSpaces: ArraySlice<UInt8> {
        var start = startIndex
        while start < endIndex, self[start] == Bytes.space { start += 1 }
        return self[start..<endIndex]
    }

    /// Whether every byte is an ASCII decimal digit, and there is at least one.
    var isDecimalDigits: Bool {
        !isEmpty && allSatisfy(Bytes.isDigit)
    }

    /// The value of a run of at most 18 decimal digits, or nil when the slice is not one or the
    /// value exceeds `limit`.
    func decimalValue(limit: Int = Int.max) -> Int? {
        guard isDecimalDigits, count <= 18 else { return nil }
        var value = 0
        for byte in self { value = value * 10 + Int(byte - Bytes.zero) }
        return value <= limit ? value : nil
    }
}

/// Byte constants and classes shared by the parsers.
enum Bytes {
    static let space = UInt8(ascii: " ")
    static let zero = UInt8(ascii: "0")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let equals = UInt8(ascii: "=")
    static let colon = UInt8(ascii: ":")

    /// The UTF-8 bytes of a literal, for the parsers' tables of fixed message text.
    static func of(_ text: StaticString) -> [UInt8] {
        text.withUTF8Buffer { Array($0) }
    }

    /// Whether the byte is an ASCII decimal digit.
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Whether the byte is an ASCII hexadecimal digit (either case).
    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f"))
    }

    /// The value of one hex digit (the caller has checked it is one).
    static func hexValue(_ digit: UInt8) -> UInt8 {
        isDigit(digit) ? digit - zero : (digit | 0x20) - UInt8(ascii: "a") + 10
    }

    /// Whether the byte is a space, newline or carriage return.
    static func isLineSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Whether the byte is an ASCII letter or digit.
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z"))
    }
}

extension ParsedFields {
    /// Appends a field whose value is a literal (an `Outcome`, an `Action` …).
    mutating func append(_ name: StaticString, constant value: StaticString) {
        value.withUTF8Buffer { append(name, $0) }
    }

    /// Appends a field unless its value is empty: an empty value is reported as absent.
    mutating func append(_ name: StaticString, nonEmpty value: ArraySlice<UInt8>?) {
        if let value, !value.isEmpty { append(name, value) }
    }
}
