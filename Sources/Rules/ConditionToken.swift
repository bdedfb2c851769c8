/// One token of a Sigma condition, with the position where it starts.
struct ConditionToken: Equatable {
    /// What the token is.
    enum Kind: Equatable {
        case openParenthesis
        case closeParenthesis
        /// A selection name, a pattern, a number or a keyword (`and`, `or`, `not`, `of`, `them`, `all`, `any`).
        case word(String)
        case end
    }

    let kind: Kind
    /// The character position in the condition, starting at 1.
    let position: Int

    /// How the token reads in a message.
    var quoted: String {
        switch kind {
        case .openParenthesis: "'('"
        case .closeParenthesis: "')'"
        case .word(let word): "'\(word)'"
        case .end: "the end"
        }
    }

    /// Whether the token is this keyword (keywords are lower-case, as in pySigma).
    func isKeyword(_ keyword: String) -> Bool {
        kind == .word(keyword)
    }
}

/// A condition that does not parse: what is wrong and what to do, without the file and line
/// (the loader adds them).
struct ConditionSyntaxError: Error, Equatable {
    let message: String
    let hint: String
    /// The character position (from 1) of the problem in the condition text, when there is one.
    var position: Int? = nil
}

/// Splits a condition into tokens.
enum ConditionTokenizer {
    /// The characters a selection name or pattern may contain besides letters and digits.
    static let nameSymbols: Set<Character> = ["_", "-", ".", "*"]

    /// The tokens of `text`, ending with an `.end` token.
    /// - Throws: `ConditionSyntaxError` for a character that cannot start a token.
    static func tokens(of text: String) throws(ConditionSyntaxError) -> [ConditionToken] {
        let characters = Array(text)
        var tokens: [ConditionToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let position = index + 1
            if character.isWhitespace {
                index += 1
            } else if character == "(" {
                tokens.append(ConditionToken(kind: .openParenthesis, position: position))
                index += 1
            } else if character == ")" {
                tokens.append(ConditionToken(kind: .closeParenthesis, position: position))
                index += 1
            } else if isNameCharacter(character) {
                var end = index
                while end < characters.count, isNameCharacter(characters[end]) { end += 1 }
                tokens.append(ConditionToken(kind: .word(String(characters[index..<end])), position: position))
                index = end
            } else if character == "|" {
                throw ConditionSyntaxError(
                    message: "Sigma 1 aggregation '| …' at position \(position) is not supported: Sigma 2 removed it from conditions",
                    hint: "keep the condition before '|' here and count with a Sigma correlation rule (type event_count or value_count)", position: position)
            } else {
                throw ConditionSyntaxError(
                    message: "unexpected character '\(character)' at position \(position) in the condition",
                    hint: "selection names use letters, digits, '_', '-' and '.'; operators are and, or, not, 1 of, all of", position: position)
            }
        }
        tokens.append(ConditionToken(kind: .end, position: characters.count + 1))
        return tokens
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        (character.isASCII && (character.isLetter || character.isNumber)) || nameSymbols.contains(character)
    }
}
