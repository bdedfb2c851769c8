/// Limits and settings of the detection engine.
public struct EngineOptions: Sendable {
    /// PCRE2's match limit for `|re` values: how many times the matcher may call its internal
    /// match function for one subject. A hit counts as no match and is reported.
    public var regexMatchLimit: UInt32 = 100_000
    /// PCRE2's depth limit for `|re` values (backtracking depth).
    public var regexDepthLimit: UInt32 = 10_000

    /// Default limits.
    public init() {}
}
