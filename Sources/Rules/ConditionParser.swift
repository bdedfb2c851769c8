/// Parses a Sigma condition into a `Condition`.
///
/// Grammar, from least to most binding:
/// ```
/// or      := and ("or" and)*
/// and     := not ("and" not)*
/// not     := "not" not | primary
/// primary := "(" or ")" | ("1" | "any" | "all") "of" ("them" | pattern) | name
/// ```
struct ConditionParser {
    private let tokens: [ConditionToken]
    private var index = 0
    /// Parentheses and `not`s open at the cursor.
    private var depth = 0
    /// Selection names and `1 of`/`all of` terms read so far.
    private var terms = 0

    /// Parentheses and `not`s a condition may nest. The parser, the checks and the compiled
    /// condition recurse once per level: a bound keeps a hostile rule from overflowing the stack.
    static let maximumDepth = 64
    /// Terms (selection names, `1 of x`) one condition may hold; each `and`/`or` nests the
    /// condition one level deeper, so this bounds the depth of long chains.
    static let maximumTerms = 256

    /// Words that cannot be selection names in a condition.
    static let keywords: Set<String> = ["and", "or", "not", "of", "them"]

    /// Parses `text`.
    /// - Throws: `ConditionSyntaxError` naming the position of the problem.
    static func parse(_ text: String) throws(ConditionSyntaxError) -> Condition {
        var parser = ConditionParser(tokens: try ConditionTokenizer.tokens(of: text))
        if parser.current.kind == .end {
            throw ConditionSyntaxError(message: "condition is empty",
                                       hint: "name the selections to match, e.g. 'condition: selection'")
        }
        let condition = try parser.parseOr()
        let rest = parser.current
        switch rest.kind {
        case .end:
            return condition
        case .closeParenthesis:
            throw ConditionSyntaxError(message: "unbalanced ')' at position \(rest.position) in the condition",
                                       hint: "remove it or add a matching '('", position: rest.position)
        case .word(let word) where ConditionParser.keywords.contains(word.lowercased()):
            throw ConditionSyntaxError(
                message: "unexpected \(rest.quoted) at position \(rest.position) in the condition",
                hint: "operators are lower-case: write '\(word.lowercased())'", position: rest.position)
        default:
            throw ConditionSyntaxError(
                message: "unexpected \(rest.quoted) at position \(rest.position) in the condition",
                hint: "join selections with 'and' or 'or'", position: rest.position)
        }
    }

    private init(tokens: [ConditionToken]) {
        self.tokens = tokens
    }

    /// The token at the cursor; the tokenizer always ends the list with `.end`, which is never passed.
    private var current: ConditionToken { tokens[min(index, tokens.count - 1)] }

    private var next: ConditionToken { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func advance() { index += 1 }

    private mutating func parseOr() throws(ConditionSyntaxError) -> Condition {
        var left = try parseAnd()
        while current.isKeyword("or") {
            advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(ConditionSyntaxError) -> Condition {
        var left = try parseNot()
        while current.isKeyword("and") {
            advance()
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(ConditionSyntaxError) -> Condition {
        if current.isKeyword("not") {
            try enter(at: current.position)
            advance()
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ConditionSyntaxError) -> Condition {
        let token = current
        switch token.kind {
        case .openParenthesis:
            try enter(at: token.position)
            defer { depth -= 1 }
            advance()
            let inner = try parseOr()
            guard current.kind == .closeParenthesis else {
                if current.kind == .end {
                    throw ConditionSyntaxError(
                        message: "unbalanced '(' at position \(token.position) in the condition",
                        hint: "add a matching ')'", position: token.position)
                }
                throw ConditionSyntaxError(
                    message: "unexpected \(current.quoted) at position \(current.position) in the condition",
                    hint: "join selections with 'and' or 'or', or close the '(' at position \(token.position)", position: current.position)
            }
            advance()
            return inner
        case .closeParenthesis:
            throw ConditionSyntaxError(message: "unexpected ')' at position \(token.position) in the condition",
                                       hint: "put a selection name before it", position: token.position)
        case .end:
            let previous = index > 0 ? tokens[index - 1].quoted : "the start"
            throw ConditionSyntaxError(message: "condition ends after \(previous)",
                                       hint: "add a selection name after it")
        case .word(let word):
            if next.isKeyword("of") {
                return try parseQuantifier(word, at: token.position)
            }
            if ConditionParser.keywords.contains(word) {
                throw ConditionSyntaxError(
                    message: "unexpected '\(word)' at position \(token.position) in the condition",
                    hint: "put a selection name, 'not', '(' or '1 of …' there", position: token.position)
            }
            if word.contains("*") {
                throw ConditionSyntaxError(
                    message: "wildcard in '\(word)' at position \(token.position) outside '1 of' or 'all of'",
                    hint: "write '1 of \(word)' or 'all of \(word)'", position: token.position)
            }
            try countTerm(at: token.position)
            advance()
            return .selection(word)
        }
    }

    /// Opens a parenthesis or `not` at `position`, unless that nests deeper than `maximumDepth`.
    private mutating func enter(at position: Int) throws(ConditionSyntaxError) {
        depth += 1
        guard depth <= ConditionParser.maximumDepth else {
            throw ConditionSyntaxError(
                message: "the condition nests parentheses and 'not' more than \(ConditionParser.maximumDepth) deep at position \(position)",
                hint: "simplify the condition", position: position)
        }
    }

    /// Counts a term at `position`, unless the condition already holds `maximumTerms`.
    private mutating func countTerm(at position: Int) throws(ConditionSyntaxError) {
        terms += 1
        guard terms <= ConditionParser.maximumTerms else {
            throw ConditionSyntaxError(
                message: "the condition has more than \(ConditionParser.maximumTerms) selection names and '1 of'/'all of' terms (position \(position))",
                hint: "group selections with '1 of selection_*' or split the rule", position: position)
        }
    }

    /// Parses `1 of x`, `any of x` or `all of x`, the cursor on the quantifier.
    private mutating func parseQuantifier(_ quantifier: String, at position: Int) throws(ConditionSyntaxError) -> Condition {
        guard quantifier == "1" || quantifier == "any" || quantifier == "all" else {
            throw ConditionSyntaxError(
                message: "'\(quantifier) of' at position \(position) is not a quantifier",
                hint: "use '1 of' or 'all of'", position: position)
        }
        try countTerm(at: position)
        advance()  // quantifier
        advance()  // of
        let target = current
        guard case .word(let word) = target.kind,
              word == "them" || !ConditionParser.keywords.contains(word) else {
            throw ConditionSyntaxError(
                message: "'\(quantifier) of' at position \(position) is followed by \(target.quoted)",
                hint: "write '\(quantifier) of them' or '\(quantifier) of' and a selection name pattern such as 'selection*'", position: position)
        }
        advance()
        let pattern = word == "them" ? Condition.themPattern : word
        return quantifier == "all" ? .allOf(pattern: pattern) : .oneOf(pattern: pattern)
    }
}
