/// A Sigma value modifier (`field|contains`), as the Sigma modifiers appendix (v2.1) defines them.
public enum Modifier: String, Sendable, CaseIterable {
    // Generic.
    /// Match the value anywhere in the field: `*value*`.
    case contains
    /// Match the value at the start of the field: `value*`.
    case startswith
    /// Match the value at the end of the field: `*value`.
    case endswith
    /// Every value must match instead of any one.
    case all
    /// Compare case-sensitively (the default is case-insensitive).
    case cased
    /// The field must be present (`true`) or absent (`false`).
    case exists
    /// The field must differ from every value.
    case neq
    // Regular expressions.
    /// The value is a PCRE2 regular expression (case-sensitive unless `i`).
    case re
    /// With `re`: case-insensitive.
    case i
    /// With `re`: `^` and `$` match at line breaks.
    case m
    /// With `re`: `.` matches a line break too.
    case s
    // Encodings: the value is transformed before matching.
    /// The value Base64-encoded.
    case base64
    /// The value Base64-encoded at each of the three offsets it may have inside a longer encoded text.
    case base64offset
    /// The value encoded as UTF-16LE (alias of `utf16le`).
    case wide
    /// The value encoded as UTF-16LE.
    case utf16le
    /// The value encoded as UTF-16BE.
    case utf16be
    /// The value encoded as UTF-16 with a byte order mark (little-endian).
    case utf16
    /// Every dash-like character (`-`, `/`, `–`, `—`, `―`) in every combination.
    case windash
    // Numbers.
    /// The field, as a number, is less than the value.
    case lt
    /// The field, as a number, is less than or equal to the value.
    case lte
    /// The field, as a number, is greater than the value.
    case gt
    /// The field, as a number, is greater than or equal to the value.
    case gte
    // Addresses.
    /// The field is an IP address inside the value's network (IPv4 or IPv6 CIDR).
    case cidr
    // Specific.
    /// The value names another field of the same event to compare with.
    case fieldref
    /// `%name%` placeholders in the value are replaced by the values configured for them.
    case expand
    // Time.
    /// The minute (0–59) of the field's timestamp.
    case minute
    /// The hour (0–23) of the field's timestamp.
    case hour
    /// The day of the month (1–31) of the field's timestamp.
    case day
    /// The ISO week (1–53) of the field's timestamp.
    case week
    /// The month (1–12) of the field's timestamp.
    case month
    /// The year of the field's timestamp.
    case year

    /// Other spellings pySigma accepts for the regular expression flags.
    static let aliases: [String: Modifier] = ["ignorecase": .i, "multiline": .m, "dotall": .s]

    /// The modifier called `name`, or one of its aliases.
    static func named(_ name: String) -> Modifier? {
        Modifier(rawValue: name) ?? aliases[name]
    }

    /// `contains`, `startswith`, `endswith`: where the value sits in the field.
    public var isPlacement: Bool { [.contains, .startswith, .endswith].contains(self) }

    /// Modifiers that rewrite the value's bytes before matching.
    public var isEncoding: Bool { [.base64, .base64offset, .wide, .utf16le, .utf16be, .utf16, .windash].contains(self) }

    /// `lt`, `lte`, `gt`, `gte`.
    public var isComparison: Bool { [.lt, .lte, .gt, .gte].contains(self) }

    /// The regular expression flags `i`, `m`, `s`.
    public var isRegexFlag: Bool { [.i, .m, .s].contains(self) }

    /// `minute` … `year`.
    public var isTimePart: Bool { [.minute, .hour, .day, .week, .month, .year].contains(self) }
}
