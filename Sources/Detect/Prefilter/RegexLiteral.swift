/// The runs of plain characters every match of a regular expression contains, for the
/// prefilter: `(Failed|Accepted) (password|publickey) for (invalid user )?kali[0-9]{2}` needs
/// ` for ` and `kali`. Every run is required, so each is a clause of its own: the rare `kali`
/// keeps the rule out for the common `Failed password for …` lines that ` for ` alone let in
/// (with 1,000 synthetic rules, such a rule was evaluated on every fourth entry).
///
/// Conservative: only the top-level sequence is read; groups, classes, escapes such as `\d`,
/// anchors and `.` end a run; a character made optional (`?`, `*`, `{0,…}`) is dropped and ends
/// the run; a top-level `|` means no literal at all.
enum RegexLiteral {
    /// The required runs of at least `RequiredLiteral.minimumLength` bytes, longest first; empty
    /// when there is none.
    static func required(in pattern: String) -> [[UInt8]] {
        let characters = Array(pattern.unicodeScalars)
        var runs: [[UInt8]] = []
        var run: [UInt8] = []
        func endRun() {
            if !run.isEmpty { runs.append(run) }
            run = []
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            var literal: Unicode.Scalar? = nil
            switch character {
            case "|":
                return []
            case "(":
                guard let end = closingParenthesis(characters, from: index) else { return [] }
                endRun()
                index = skipQuantifier(characters, after: end)
                continue
            case "[":
                guard let end = closingBracket(characters, from: index) else { return [] }
                endRun()
                index = skipQuantifier(characters, after: end)
                continue
            case "\\":
                guard index + 1 < characters.count else { return [] }
                let escaped = characters[index + 1]
                if escaped.properties.isAlphabetic || escaped.properties.numericType != nil {
                    // \d, \w, \b, \x41, \1 …: not a plain character.
                    endRun()
                    index = skipQuantifier(characters, after: index + 1)
                    continue
                }
                literal = escaped
                index += 1
            case ".", "^", "$":
                endRun()
                index = skipQuantifier(characters, after: index)
                continue
            case "*", "+", "?", "{", ")":
                // A quantifier or parenthesis where none belongs: leave the pattern to PCRE2.
                return []
            default:
                literal = character
            }
            guard let literal else { continue }
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let optional = next == "?" || next == "*" || (next == "{" && minimumRepeat(characters, at: index + 1) == 0)
            if optional {
                endRun()
            } else {
                run += Array(String(literal).utf8)
                if next == "+" || next == "{" { endRun() }
            }
            index = skipQuantifier(characters, after: index)
        }
        endRun()
        return runs.filter { $0.count >= RequiredLiteral.minimumLength }.sorted { $0.count > $1.count }
    }

    /// The index after a quantifier following `index` (`*`, `+`, `?`, `{n,m}`, each with an
    /// optional lazy `?` or possessive `+`), or `index + 1` when there is none.
    private static func skipQuantifier(_ characters: [Unicode.Scalar], after index: Int) -> Int {
        var next = index + 1
        guard next < characters.count else { return next }
        switch characters[next] {
        case "*", "+", "?":
            next += 1
        case "{":
            guard let close = characters[next...].firstIndex(of: "}") else { return next }
            next = close + 1
        default:
            return next
        }
        if next < characters.count, characters[next] == "?" || characters[next] == "+" { next += 1 }
        return next
    }

    /// The `n` of a `{n,…}` quantifier at `index`, or nil.
    private static func minimumRepeat(_ characters: [Unicode.Scalar], at index: Int) -> Int? {
        var digits = ""
        var position = index + 1
        while position < characters.count, characters[position].properties.numericType != nil {
            digits.unicodeScalars.append(characters[position])
            position += 1
        }
        return Int(digits)
    }

    /// The index of the `)` closing the group at `start`, skipping escapes, classes and nested groups.
    private static func closingParenthesis(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        var depth = 0
        var index = start
        while index < characters.count {
            switch characters[index] {
            case "\\": index += 1
            case "[":
                guard let end = closingBracket(characters, from: index) else { return nil }
                index = end
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
            index += 1
        }
        return nil
    }

    /// The index of the `]` closing the class at `start` (a `]` first in the class is literal).
    private static func closingBracket(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        if index < characters.count, characters[index] == "^" { index += 1 }
        if index < characters.count, characters[index] == "]" { index += 1 }
        while index < characters.count {
            if characters[index] == "\\" {
                index += 2
                continue
            }
            if characters[index] == "]" { return index }
            index += 1
        }
        return nil
    }
}
