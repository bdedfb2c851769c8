/// The outcome of one regular-expression match.
enum RegexMatchResult: Sendable, Hashable {
    /// The pattern matched somewhere in the subject.
    case match
    /// The pattern matched nowhere.
    case noMatch
    /// PCRE2 gave up (match, depth, heap or JIT stack limit): a non-match for the rule,
    /// counted in `RegexMatcher.limitHits`.
    case limitHit
}
