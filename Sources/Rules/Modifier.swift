/// A Sigma value modifier (`field|contains`), limited to the subset Cordon implements.
public enum Modifier: String, Sendable, CaseIterable {
    /// Match the value anywhere in the field: `*value*`.
    case contains
    /// Match the value at the start of the field: `value*`.
    case startswith
    /// Match the value at the end of the field: `*value`.
    case endswith
    /// Every value must match instead of any one.
    case all
    /// Compare case-sensitively (the default is ASCII case-insensitive).
    case cased
    /// The field must be present (`true`) or absent (`false`).
    case exists
}

extension Modifier {
    /// Modifiers the Sigma specification defines that Cordon does not implement yet.
    /// A rule that uses one is rejected with "modifier 'x' is not supported yet".
    static let unsupportedNames: [String] = [
        "re", "i", "m", "s", "cidr", "base64", "base64offset", "wide", "utf16", "utf16le", "utf16be",
        "windash", "lt", "lte", "gt", "gte", "neq", "fieldref", "expand",
        "minute", "hour", "day", "week", "month", "year",
    ]
}
