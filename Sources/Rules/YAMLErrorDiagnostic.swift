import Yams

extension Diagnostic {
    /// The hint for most YAML syntax errors.
    static let yamlSyntaxHint = "check indentation (spaces, not tabs), the ':' after keys and quotes on this line or the one above"

    /// The diagnostic for an error Yams threw while reading `file`, at the line it names.
    ///
    /// When libyaml only notices a problem at the end of the text (an unclosed quote or
    /// bracket), the line where the unclosed construct starts is named instead.
    static func yaml(_ error: any Error, file: String) -> Diagnostic {
        guard let error = error as? YamlError else {
            return Diagnostic(file: file, line: nil, message: "invalid YAML: \(error)", hint: yamlSyntaxHint)
        }
        switch error {
        case .scanner(let context, let problem, let mark, let yaml),
             .parser(let context, let problem, let mark, let yaml),
             .composer(let context, let problem, let mark, let yaml):
            let lastLine = lastContentLine(of: yaml)
            let isAtEnd = mark.line > lastLine
            let line = isAtEnd ? min(context?.mark.line ?? lastLine, lastLine) : mark.line
            let place = isAtEnd ? "at the end of the file" : "at column \(mark.column)"
            let contextText = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            let hint = problem.contains("cannot start any token") || problem.contains("undefined alias")
                ? "quote the value: unquoted text cannot start with '*', '&', '!', '@', '`', '%' or '|'"
                : yamlSyntaxHint
            return Diagnostic(file: file, line: line,
                              message: "invalid YAML: \(problem) \(place)\(contextText)", hint: hint)
        case .reader(let problem, let offset, _, let yaml):
            let line = offset.map { offset in 1 + yaml.prefix(offset).count(where: \.isNewline) }
            return Diagnostic(file: file, line: line, message: "invalid YAML: \(problem)",
                              hint: "remove control characters and save the file as UTF-8")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let verb = duplicates.count == 1 ? "key \(keys) appears" : "keys \(keys) appear"
            return Diagnostic(file: file, line: context.mark.line,
                              message: "\(verb) more than once in the same map",
                              hint: "keep one; list several values under one key, or use a list of maps")
        default:
            return Diagnostic(file: file, line: nil, message: "invalid YAML: \(error)", hint: yamlSyntaxHint)
        }
    }

    /// The number of the last line that has any character other than a line break.
    private static func lastContentLine(of text: String) -> Int {
        var line = 1
        var lastContent = 1
        for character in text {
            if character.isNewline {
                line += 1
            } else {
                lastContent = line
            }
        }
        return lastContent
    }
}
