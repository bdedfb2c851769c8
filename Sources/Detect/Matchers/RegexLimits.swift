/// How much work one regular-expression match may do before it gives up with `.limitHit`.
///
/// Both limits bound catastrophic backtracking (`(a+)+$` on a long line of `a`): with the
/// defaults such a match gives up within a few milliseconds on a 100 KB line, while ordinary
/// patterns on ordinary lines stay far below them.
struct RegexLimits: Sendable, Hashable {
    /// PCRE2's match limit: how many times its internal match function may be called (the JIT
    /// counts similarly). Set with `pcre2_set_match_limit`.
    var matchLimit: UInt32
    /// PCRE2's depth limit: how deep backtracking may nest. The JIT ignores it; the interpreter
    /// uses it. Set with `pcre2_set_depth_limit`.
    var depthLimit: UInt32

    /// The defaults: 100,000 calls and a depth of 10,000.
    static let `default` = RegexLimits(matchLimit: 100_000, depthLimit: 10_000)
}
