import Glibc

/// A point in time as `--since` and `--until` take it, in the forms journalctl knows:
/// `2026-11-26 13:00[:SS]`, `2026-11-26`, `13:00[:SS]` (today), ISO 8601 with `T` and an optional
/// `Z` or `±HH[:]MM` offset, `@<seconds since the epoch>`, `now`, `today`, `yesterday`, `tomorrow`,
/// `-2h`, `+30min`, `-1d`, `2h ago`, `1h 30min ago`.
///
/// Forms without an offset are local time (the `TZ` environment variable is honoured); a date
/// and time followed by ` UTC` is UTC, as journalctl reads it.
public enum TimeSpecification {
    /// What the forms look like, for error messages.
    public static let acceptedForms = "'YYYY-MM-DD [HH:MM[:SS]]', ISO 8601 ('2026-11-26T13:00:00Z'), "
        + "'today', 'yesterday', 'now', '-2h', '-30min' or '2h ago'"

    /// Text that is none of the forms.
    public struct ParseError: Error, Equatable, Sendable {
        /// The text that could not be read.
        public let text: String

        /// - Parameter text: the text that could not be read.
        public init(text: String) {
            self.text = text
        }
    }

    /// Microseconds since the epoch for `text`.
    /// - Parameters:
    ///   - text: one of the forms above.
    ///   - now: the current time in µs since the epoch, for relative forms.
    /// - Throws: `ParseError` for anything else.
    public static func microseconds(parsing text: String, now: UInt64) throws(ParseError) -> UInt64 {
        let trimmed = text.trimmingSpaces
        let failure = ParseError(text: text)
        switch trimmed.lowercased() {
        case "now": return now
        case "today": return try startOfDay(now: now, addingDays: 0, failure)
        case "yesterday": return try startOfDay(now: now, addingDays: -1, failure)
        case "tomorrow": return try startOfDay(now: now, addingDays: 1, failure)
        default: break
        }
        if trimmed.hasPrefix("@"), let seconds = UInt64(trimmed.dropFirst()), seconds < UInt64.max / 1_000_000 {
            return seconds * 1_000_000
        }
        if let offset = relativeOffset(trimmed) {
            let result = Int64(clamping: now) + offset
            guard result >= 0 else { throw failure }
            return UInt64(result)
        }
        var body = trimmed
        let isUTC = body.lowercased().hasSuffix(" utc")
        if isUTC { body = String(body.dropLast(4)).trimmingSpaces }
        if let absolute = try absolute(body, now: now, utc: isUTC, failure) { return absolute }
        throw failure
    }

    // MARK: Relative

    /// `-2h`, `+30min`, `2h ago`, `1h 30min ago`, `1 day ago` → signed µs; nil for other text.
    static func relativeOffset(_ text: String) -> Int64? {
        var body = Substring(text)
        var sign: Int64
        if body.hasPrefix("-") {
            sign = -1
            body = body.dropFirst()
        } else if body.hasPrefix("+") {
            sign = 1
            body = body.dropFirst()
        } else if body.lowercased().hasSuffix(" ago") {
            sign = -1
            body = body.dropLast(4)
        } else {
            return nil
        }
        guard let span = span(String(body)) else { return nil }
        sign *= span
        return sign
    }

    /// `2h`, `1h 30min`, `90 s` → µs; nil when any part is not a number with a known unit.
    static func span(_ text: String) -> Int64? {
        let bytes = Array(text.lowercased().utf8)
        var index = 0
        var total: Int64 = 0
        var parts = 0
        func skipSpaces() { while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 } }
        skipSpaces()
        while index < bytes.count {
            let numberStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > numberStart, index - numberStart <= 12,
                  let number = Int64(String(decoding: bytes[numberStart..<index], as: UTF8.self)) else { return nil }
            skipSpaces()
            let unitStart = index
            while index < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[index]) { index += 1 }
            guard let unit = unitMicroseconds[String(decoding: bytes[unitStart..<index], as: UTF8.self)] else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            total = total.addingReportingOverflow(product).overflow ? Int64.max : total + product
            parts += 1
            skipSpaces()
        }
        return parts > 0 ? total : nil
    }

    /// systemd.time(7)'s time span units (a bare number is seconds).
    private static let unitMicroseconds: [String: Int64] = {
        let second: Int64 = 1_000_000
        var units: [String: Int64] = ["": second, "us": 1, "usec": 1, "ms": 1000, "msec": 1000]
        for name in ["s", "sec", "secs", "second", "seconds"] { units[name] = second }
        for name in ["m", "min", "mins", "minute", "minutes"] { units[name] = 60 * second }
        for name in ["h", "hr", "hrs", "hour", "hours"] { units[name] = 3600 * second }
        for name in ["d", "day", "days"] { units[name] = 86_400 * second }
        for name in ["w", "week", "weeks"] { units[name] = 7 * 86_400 * second }
        return units
    }()

    // MARK: Absolute

    /// Local midnight of the day `now` is in, moved by `days`.
    private static func startOfDay(now: UInt64, addingDays days: Int32, _ failure: ParseError) throws(ParseError) -> UInt64 {
        var seconds = time_t(now / 1_000_000)
        var parts = tm()
        tzset()
        guard localtime_r(&seconds, &parts) != nil else { throw failure }
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        parts.tm_mday += days
        parts.tm_isdst = -1
        let result = mktime(&parts)
        guard result >= 0 else { throw failure }
        return UInt64(result) * 1_000_000
    }

    /// The date and time forms; nil when `text` does not start like one.
    /// - Parameters:
    ///   - utc: the text ended in ` UTC` (then it may not carry an offset of its own).
    private static func absolute(_ text: String, now: UInt64, utc: Bool, _ failure: ParseError) throws(ParseError) -> UInt64? {
        var scanner = DigitScanner(Array(text.utf8))
        var parts = tm()
        var offsetSeconds: Int?
        var microseconds: UInt64 = 0
        if let year = scanner.number(digits: 4) {
            guard scanner.take("-"), let month = scanner.number(digits: 2), scanner.take("-"),
                  let day = scanner.number(digits: 2) else { throw failure }
            parts.tm_year = Int32(year - 1900)
            parts.tm_mon = Int32(month - 1)
            parts.tm_mday = Int32(day)
            guard (1...12).contains(month), (1...31).contains(day) else { throw failure }
            if scanner.isAtEnd { return try combine(parts, offsetSeconds: utc ? 0 : nil, microseconds: 0, failure) }
            guard scanner.take("T") || scanner.take("t") || scanner.take(" ") else { throw failure }
        } else {
            // A time alone is today's.
            var seconds = time_t(now / 1_000_000)
            tzset()
            guard localtime_r(&seconds, &parts) != nil else { throw failure }
        }
        guard let hour = scanner.number(digits: 2), scanner.take(":"), let minute = scanner.number(digits: 2),
              hour < 24, minute < 60 else {
            if scanner.position == 0 { return nil }
            throw failure
        }
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = 0
        if scanner.take(":") {
            guard let second = scanner.number(digits: 2), second < 61 else { throw failure }
            parts.tm_sec = Int32(second)
            if scanner.take(".") || scanner.take(",") {
                guard let (fraction, digits) = scanner.fraction() else { throw failure }
                var scaled = fraction
                for _ in digits..<6 { scaled *= 10 }
                microseconds = scaled
            }
        }
        if scanner.take("Z") || scanner.take("z") {
            offsetSeconds = 0
        } else if let sign = scanner.takeSign() {
            guard let hours = scanner.number(digits: 2) else { throw failure }
            _ = scanner.take(":")
            let minutes = scanner.number(digits: 2) ?? 0
            guard hours < 24, minutes < 60 else { throw failure }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.isAtEnd else { throw failure }
        if utc {
            guard offsetSeconds == nil else { throw failure }
            offsetSeconds = 0
        }
        return try combine(parts, offsetSeconds: offsetSeconds, microseconds: microseconds, failure)
    }

    /// Broken-down time → µs: UTC plus an offset when one was given, else local time.
    private static func combine(_ parts: tm, offsetSeconds: Int?, microseconds: UInt64, _ failure: ParseError) throws(ParseError) -> UInt64 {
        var parts = parts
        let seconds: Int
        if let offsetSeconds {
            seconds = Int(timegm(&parts)) - offsetSeconds
        } else {
            parts.tm_isdst = -1
            tzset()
            seconds = Int(mktime(&parts))
        }
        guard seconds >= 0 else { throw failure }
        return UInt64(seconds) * 1_000_000 + microseconds
    }
}

/// Reads fixed-width numbers and separators off ASCII bytes.
private struct DigitScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }

    /// Exactly `digits` decimal digits (a 1-digit month, day or hour is accepted too, as journalctl does).
    mutating func number(digits: Int) -> Int? {
        var value = 0
        var count = 0
        while count < digits, position < bytes.count, let digit = Self.digit(bytes[position]) {
            value = value * 10 + digit
            position += 1
            count += 1
        }
        if count == digits || (digits == 2 && count == 1) { return value }
        position -= count
        return nil
    }

    /// Up to six digits of a fraction of a second (more are read and dropped).
    mutating func fraction() -> (UInt64, Int)? {
        var value: UInt64 = 0
        var count = 0
        while position < bytes.count, let digit = Self.digit(bytes[position]) {
            if count < 6 {
                value = value * 10 + UInt64(digit)
                count += 1
            }
            position += 1
        }
        return count > 0 ? (value, count) : nil
    }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    mutating func takeSign() -> Int? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
