/// A regular expression PCRE2 refused to compile, with PCRE2's own message.
struct RegexCompileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written in the rule.
    let pattern: String
    /// PCRE2's message, from `pcre2_get_error_message`.
    let message: String
    /// PCRE2's error code.
    let code: Int32
    /// Where in the pattern PCRE2 stopped, in bytes (PCRE2 code units) from its start.
    let offset: Int

    /// `offset` counted in characters, for a `file:line:column` diagnostic: add it to the
    /// column where the value starts.
    var characterOffset: Int {
        let utf8 = pattern.utf8
        let end = utf8.index(utf8.startIndex, offsetBy: min(offset, utf8.count))
        return pattern[..<end].count
    }

    /// `offset 3: missing closing parenthesis`.
    var description: String { "offset \(offset): \(message)" }
}
