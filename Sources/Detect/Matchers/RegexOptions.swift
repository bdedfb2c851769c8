import CPCRE2

/// The `re` sub-modifiers: `i`, `m` and `s`. Sigma regular expressions are case-sensitive,
/// single-line and `.`-excludes-newline by default.
struct RegexOptions: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    /// `re|i`: case-insensitive matching (`PCRE2_CASELESS`, Unicode simple case folding).
    static let caseInsensitive = RegexOptions(rawValue: 1 << 0)
    /// `re|m`: `^` and `$` also match at line starts and ends (`PCRE2_MULTILINE`).
    static let multiline = RegexOptions(rawValue: 1 << 1)
    /// `re|s`: `.` also matches a newline (`PCRE2_DOTALL`).
    static let dotMatchesNewline = RegexOptions(rawValue: 1 << 2)

    /// The options for the Sigma modifier names `i`/`ignorecase`, `m`/`multiline` and
    /// `s`/`dotall`, or nil for any other name.
    init?(modifierName: String) {
        switch modifierName {
        case "i", "ignorecase": self = .caseInsensitive
        case "m", "multiline": self = .multiline
        case "s", "dotall": self = .dotMatchesNewline
        default: return nil
        }
    }

    /// Makes options from their bits.
    init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The `pcre2_compile` option bits for these options.
    var compileOptions: UInt32 {
        var bits: UInt32 = 0
        if contains(.caseInsensitive) { bits |= UInt32(PCRE2_CASELESS) }
        if contains(.multiline) { bits |= UInt32(PCRE2_MULTILINE) }
        if contains(.dotMatchesNewline) { bits |= UInt32(PCRE2_DOTALL) }
        return bits
    }
}
