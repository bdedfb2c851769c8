import CPCRE2

/// A Sigma `re` value compiled once with PCRE2, matched against field bytes.
///
/// The pattern is searched for anywhere in the subject (Sigma anchors with `^`/`$`). It is
/// compiled in UTF mode with `PCRE2_MATCH_INVALID_UTF`: `.` and classes see whole UTF-8
/// characters, and bytes that are not valid UTF-8 match nothing but do not stop the search in
/// the valid parts around them. `\d`, `\w` and `\b` stay ASCII (no `PCRE2_UCP`), as in PCRE.
/// JIT-compiled when the platform has a JIT, else run by the interpreter.
///
/// `@unchecked Sendable`: the matcher owns one `pcre2_match_data` and a `limitHits` counter
/// that every `match` call writes, so it must be used by one thread at a time. The engine
/// evaluates events on a single task, which owns its compiled rules; sharing them between
/// concurrent tasks needs one matcher per task.
final class RegexMatcher: @unchecked Sendable {
    /// The pattern as written in the rule.
    let pattern: String
    /// The sub-modifiers it was compiled with.
    let options: RegexOptions
    /// The work limits of each match.
    let limits: RegexLimits
    /// Whether the pattern runs JIT-compiled code (false: PCRE2's interpreter).
    let isJITCompiled: Bool
    /// How many matches gave up at a limit since the matcher was made; the engine reads it
    /// for its statistics.
    private(set) var limitHits: Int = 0

    private let code: OpaquePointer
    private let matchContext: OpaquePointer
    private let matchData: OpaquePointer

    /// Compiles `pattern`. The corresponding C functions are `pcre2_compile`,
    /// `pcre2_jit_compile`, `pcre2_match_context_create`, `pcre2_set_match_limit`,
    /// `pcre2_set_depth_limit` and `pcre2_match_data_create_from_pattern`.
    /// - Parameters:
    ///   - pattern: the regular expression as written in the rule.
    ///   - options: the `i`, `m` and `s` sub-modifiers.
    ///   - limits: how much work one match may do.
    /// - Throws: `RegexCompileError` with PCRE2's message and offset when the pattern is invalid.
    init(_ pattern: String, options: RegexOptions = [], limits: RegexLimits = .default) throws {
        self.pattern = pattern
        self.options = options
        self.limits = limits
        let compileOptions = UInt32(PCRE2_UTF) | UInt32(PCRE2_MATCH_INVALID_UTF)
            | UInt32(PCRE2_NEVER_BACKSLASH_C) | options.compileOptions
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled = pattern.utf8.withContiguousStorageIfAvailable { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count, compileOptions, &errorCode, &errorOffset, nil)
        } ?? Array(pattern.utf8).withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count, compileOptions, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw RegexCompileError(
                pattern: pattern, message: RegexMatcher.errorMessage(errorCode), code: errorCode, offset: errorOffset)
        }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            throw RegexCompileError(pattern: pattern, message: "out of memory", code: PCRE2_ERROR_NOMEMORY, offset: 0)
        }
        guard let data = pcre2_match_data_create_from_pattern_8(compiled, nil) else {
            pcre2_match_context_free_8(context)
            pcre2_code_free_8(compiled)
            throw RegexCompileError(pattern: pattern, message: "out of memory", code: PCRE2_ERROR_NOMEMORY, offset: 0)
        }
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        // A negative result (PCRE2_ERROR_JIT_BADOPTION) means no JIT here: the interpreter runs it.
        self.isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        self.code = compiled
        self.matchContext = context
        self.matchData = data
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(matchContext)
        pcre2_code_free_8(code)
    }

    /// Searches `subject` for the pattern. The corresponding C function is `pcre2_match`.
    /// - Parameter subject: the field's bytes, any bytes at all.
    /// - Returns: `.match`, `.noMatch`, or `.limitHit` (also counted in `limitHits`).
    func match(_ subject: UnsafeRawBufferPointer) -> RegexMatchResult {
        // PCRE2 reads no byte of an empty subject, but wants a non-null pointer.
        let emptySubject: UInt8 = 0
        let result = withUnsafePointer(to: emptySubject) { empty in
            let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty
            return pcre2_match_8(code, base, subject.count, 0, 0, matchData, matchContext)
        }
        if result >= 0 { return .match }
        if result == PCRE2_ERROR_NOMATCH { return .noMatch }
        // PCRE2_ERROR_MATCHLIMIT, _DEPTHLIMIT, _HEAPLIMIT, _JIT_STACKLIMIT or _NOMEMORY: the
        // match gave up. (UTF errors cannot happen with PCRE2_MATCH_INVALID_UTF.)
        limitHits += 1
        return .limitHit
    }

    /// Searches `subject` for the pattern; see `match(_:)` for raw buffers.
    func match(_ subject: some Collection<UInt8>) -> RegexMatchResult {
        if let result = subject.withContiguousStorageIfAvailable({ match(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(subject).withUnsafeBytes { match($0) }
    }

    /// PCRE2's message for an error code. The corresponding C function is `pcre2_get_error_message`.
    static func errorMessage(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(code, &buffer, buffer.count)
        guard length > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[..<Int(length)], as: UTF8.self)
    }
}
