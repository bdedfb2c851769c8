/// A value to compare a field with.
///
/// Numbers and booleans in the YAML keep the text they were written as (`0x17`, `4769`, `true`).
public enum Value: Sendable, Hashable {
    /// A string, with Sigma's `*` and `?` wildcards and `\` escapes still in it.
    case string(String)
    /// YAML `null`: the field is absent or empty.
    case null
}
