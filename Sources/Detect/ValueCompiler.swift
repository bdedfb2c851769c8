import Rules

/// Compiles a `FieldPredicate`'s modifiers and values into a `CompiledPredicate`, or says
/// precisely why it cannot (an invalid regular expression, an address that is not a network …).
struct ValueCompiler {
    let options: EngineOptions

    /// Compiles `predicate`, reading the field `readName` (the log source may rename it).
    /// - Returns: the compiled predicate, or a diagnostic at the predicate's location.
    func compile(_ predicate: FieldPredicate, readName: String) -> Result<CompiledPredicate, Diagnostic> {
        let modifiers = predicate.modifiers
        let key = ([predicate.field] + modifiers.map(\.rawValue)).joined(separator: "|")
        func make(_ test: CompiledPredicate.Test) -> Result<CompiledPredicate, Diagnostic> {
            .success(CompiledPredicate(field: predicate.field, fieldBytes: Array(readName.utf8), test: test,
                                       location: predicate.location))
        }
        func fail(_ message: String, _ hint: String) -> Result<CompiledPredicate, Diagnostic> {
            .failure(Diagnostic(kind: .data, file: predicate.location.file, line: predicate.location.line,
                                column: predicate.location.column, message: message, hint: hint))
        }
        if modifiers.contains(.exists) {
            return make(.exists(predicate.values.first != .string("false")))
        }
        var tests: [ValueTest] = []
        for value in predicate.values {
            guard case .string(let text) = value else {
                tests.append(.null)
                continue
            }
            switch compileValue(text, modifiers: modifiers) {
            case .success(let compiled): tests += compiled
            case .failure(let problem): return fail("\(problem.message) in '\(key)'", problem.hint)
            }
        }
        return make(.values(tests, matchesAll: predicate.matchesAll, isNegated: modifiers.contains(.neq)))
    }

    /// Why a value cannot be compiled (or encoded).
    struct Problem: Error {
        let message: String
        let hint: String
    }

    /// The tests one value compiles to (encodings such as `windash` make several).
    private func compileValue(_ text: String, modifiers: [Modifier]) -> Result<[ValueTest], Problem> {
        if modifiers.contains(.re) {
            var regexOptions: RegexOptions = []
            if modifiers.contains(.i) { regexOptions.insert(.caseInsensitive) }
            if modifiers.contains(.m) { regexOptions.insert(.multiline) }
            if modifiers.contains(.s) { regexOptions.insert(.dotMatchesNewline) }
            do {
                let regex = try RegexMatcher(text, options: regexOptions,
                                             limits: RegexLimits(matchLimit: options.regexMatchLimit,
                                                                 depthLimit: options.regexDepthLimit))
                return .success([.regex(regex)])
            } catch {
                return .failure(Problem(message: "invalid regular expression: \(error)",
                                        hint: "fix the pattern (PCRE2 syntax; Sigma allows . ^ $ * + ? {n,m} [] | ())"))
            }
        }
        if modifiers.contains(.fieldref) {
            let placement: ValueTest.Placement = modifiers.contains(.contains) ? .contains
                : modifiers.contains(.startswith) ? .startsWith : modifiers.contains(.endswith) ? .endsWith : .equal
            return .success([.fieldReference(name: Array(text.utf8), placement: placement,
                                             isCaseSensitive: modifiers.contains(.cased))])
        }
        if modifiers.contains(.cidr) {
            guard let network = IPNetwork(text) else {
                return .failure(Problem(message: "'\(text)' is not an IPv4 or IPv6 network",
                                        hint: "write it as 10.0.0.0/8 or 2001:db8::/32"))
            }
            return .success([.network(network)])
        }
        let comparisons: [(Modifier, NumericComparison.Operator)] = [
            (.lt, .less), (.lte, .lessOrEqual), (.gt, .greater), (.gte, .greaterOrEqual),
        ]
        if let (_, comparison) = comparisons.first(where: { modifiers.contains($0.0) }) {
            guard let number = NumericComparison(comparison, text) else {
                return .failure(Problem(message: "'\(text)' is not a number", hint: "compare with a number such as 10 or 2.5"))
            }
            return .success([.number(number)])
        }
        // Sigma applies modifiers in the order written: encodings on the plain value, then the
        // placement adds wildcards (the chain check put placement last for Base64 and UTF-16).
        var values = [BytePattern.elements(of: Array(text.utf8))]
        var isCaseSensitive = modifiers.contains(.cased)
        for modifier in modifiers where modifier.isEncoding {
            do throws(Problem) {
                values = try ValueEncoding.apply(modifier, to: values)
            } catch {
                return .failure(error)
            }
            // Base64 text is case-sensitive by nature: folding it would match other bytes.
            if modifier == .base64 || modifier == .base64offset { isCaseSensitive = true }
        }
        return .success(values.map {
            .pattern(BytePattern(elements: BytePattern.placed($0, modifiers: modifiers), isCaseSensitive: isCaseSensitive))
        })
    }
}
