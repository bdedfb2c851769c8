import Yams

/// A rule as parsed from one document, with where its `id` is written (for duplicate checks).
struct ParsedRule {
    let rule: Rule
    let identifierLocation: SourceLocation
}

/// Turns one YAML document into a `Rule`, adding a diagnostic for each problem.
///
/// A document with any problem yields no rule; every problem in it is still reported.
struct RuleDocumentParser {
    let file: String
    var diagnostics: [Diagnostic] = []

    /// The keys every Cordon rule must have, with what to add when one is missing.
    private static let requiredKeys: [(key: String, missingHint: String)] = [
        ("title", "add 'title: <what the rule detects>'"),
        ("id", "add 'id: <a new UUID>'; alerts are keyed on it"),
        ("level", "add 'level: medium' (or informational, low, high, critical)"),
        ("detection", "add 'detection:' with selections and a 'condition:'"),
    ]

    /// The top-level keys the Sigma specification defines; never suggested as typos.
    private static let sigmaKeys: Set<String> = [
        "title", "id", "name", "related", "taxonomy", "status", "description", "license", "author", "references",
        "date", "modified", "logsource", "detection", "fields", "falsepositives", "level", "tags", "scope",
    ]

    /// Parses `root`, the top node of one document.
    /// - Returns: the rule, or nil when the document is empty or has problems.
    mutating func parse(_ root: Node) -> ParsedRule? {
        if root.isNull { return nil }  // An empty document, e.g. after a trailing `---`.
        let documentLine = root.line(or: 1)
        let documentLocation = SourceLocation(file: file, line: documentLine)
        guard case .mapping(let mapping) = root else {
            diagnostics.append(Diagnostic(
                at: documentLocation, "a rule must be a map of keys such as title, id, level and detection, not \(root.kindDescription)",
                hint: "start the document with 'title:'"))
            return nil
        }
        if let unsupported = unsupportedKind(of: mapping) {
            diagnostics.append(unsupported)
            return nil
        }
        let count = diagnostics.count
        for required in RuleDocumentParser.requiredKeys where mapping.entry(required.key) == nil {
            let keys = mapping.compactMap { $0.key.text }.filter { !RuleDocumentParser.sigmaKeys.contains($0) }
            let hint = Suggestion.nearest(to: required.key, among: keys).map { "rename '\($0)' to '\(required.key)'" }
                ?? required.missingHint
            diagnostics.append(Diagnostic(at: documentLocation, "rule has no '\(required.key)'", hint: hint))
        }
        let title = requiredText("title", in: mapping)
        let identifier = requiredText("id", in: mapping)
        let level = parseLevel(in: mapping)
        let description = optionalText("description", in: mapping)
        let status = optionalText("status", in: mapping)
        let author = optionalText("author", in: mapping)
        let tags = textList("tags", in: mapping)
        let references = textList("references", in: mapping)
        let falsePositives = textList("falsepositives", in: mapping)
        let logSource = parseLogSource(in: mapping)
        var detection: Detection? = nil
        if let entry = mapping.entry("detection") {
            var detectionParser = DetectionParser(file: file)
            detection = detectionParser.parse(entry.value, line: entry.key.line(or: documentLine))
            diagnostics += detectionParser.diagnostics
        }
        guard diagnostics.count == count, let title, let identifier, let level, let detection else { return nil }
        let rule = Rule(
            identifier: identifier.text, title: title.text, description: description, status: status, level: level,
            tags: tags, author: author, references: references, falsePositives: falsePositives,
            logSource: logSource, detection: detection, location: documentLocation)
        return ParsedRule(rule: rule, identifierLocation: SourceLocation(file: file, line: identifier.line))
    }

    /// A diagnostic when the document is a kind of Sigma rule Cordon does not load yet.
    private func unsupportedKind(of mapping: Node.Mapping) -> Diagnostic? {
        let kinds: [(key: String, message: String, hint: String)] = [
            ("correlation", "correlation rules are not supported yet", "leave this rule out of the rules path for now"),
            ("filter", "filter rules are not supported yet", "leave this rule out of the rules path for now"),
            ("action", "Sigma rule collections ('action:') are not supported",
             "write each rule as a complete document of its own"),
        ]
        for kind in kinds {
            if let entry = mapping.entry(kind.key) {
                return Diagnostic(at: SourceLocation(file: file, line: entry.key.line(or: 1)), kind.message, hint: kind.hint)
            }
        }
        return nil
    }

    /// The text of a required key, or nil (with a diagnostic when present but empty or not text).
    private mutating func requiredText(_ key: String, in mapping: Node.Mapping) -> (text: String, line: Int)? {
        guard let entry = mapping.entry(key) else { return nil }  // Reported with the other missing keys.
        let line = entry.value.line(or: entry.key.line(or: 1))
        guard let text = entry.value.text, !text.allSatisfy(\.isWhitespace) else {
            let problem = entry.value.isNull || entry.value.text != nil ? "is empty" : "must be text, not \(entry.value.kindDescription)"
            diagnostics.append(Diagnostic(at: SourceLocation(file: file, line: line), "'\(key)' \(problem)",
                                          hint: "write it as one line of text after '\(key):'"))
            return nil
        }
        return (text, line)
    }

    /// The text of an optional key; nil when absent or null, with a diagnostic when not text.
    private mutating func optionalText(_ key: String, in mapping: Node.Mapping) -> String? {
        guard let entry = mapping.entry(key), !entry.value.isNull else { return nil }
        guard let text = entry.value.text else {
            diagnostics.append(Diagnostic(
                at: SourceLocation(file: file, line: entry.value.line(or: 1)),
                "'\(key)' must be text, not \(entry.value.kindDescription)",
                hint: "write it as one string; use a '|' block for several lines"))
            return nil
        }
        return text
    }

    /// The texts of an optional list key; a single string counts as a one-item list.
    private mutating func textList(_ key: String, in mapping: Node.Mapping) -> [String] {
        guard let entry = mapping.entry(key), !entry.value.isNull else { return [] }
        if let text = entry.value.text { return [text] }
        if case .sequence(let sequence) = entry.value {
            var texts: [String] = []
            for element in sequence {
                if let text = element.text {
                    texts.append(text)
                } else if !element.isNull {
                    diagnostics.append(Diagnostic(
                        at: SourceLocation(file: file, line: element.line(or: 1)),
                        "items of '\(key)' must be text, not \(element.kindDescription)",
                        hint: "write each item as '- text'"))
                }
            }
            return texts
        }
        diagnostics.append(Diagnostic(
            at: SourceLocation(file: file, line: entry.value.line(or: 1)),
            "'\(key)' must be a list of text, not \(entry.value.kindDescription)",
            hint: "write each item as '- text'"))
        return []
    }

    /// The level; nil with a diagnostic when it is not one of the five.
    private mutating func parseLevel(in mapping: Node.Mapping) -> Level? {
        guard let (text, line) = requiredText("level", in: mapping) else { return nil }
        if let level = Level(rawValue: text.lowercased()) { return level }
        let levels = Level.allCases.map(\.rawValue)
        let choices = "use one of " + levels.joined(separator: ", ")
        let hint = Suggestion.nearest(to: text, among: levels).map { "did you mean '\($0)'? \(choices)" } ?? choices
        diagnostics.append(Diagnostic(at: SourceLocation(file: file, line: line), "'\(text)' is not a level", hint: hint))
        return nil
    }

    /// The `logsource` map; absent parts stay nil.
    private mutating func parseLogSource(in mapping: Node.Mapping) -> LogSource {
        guard let entry = mapping.entry("logsource"), !entry.value.isNull else { return LogSource() }
        guard case .mapping(let source) = entry.value else {
            diagnostics.append(Diagnostic(
                at: SourceLocation(file: file, line: entry.key.line(or: 1)),
                "'logsource' must be a map, not \(entry.value.kindDescription)",
                hint: "write e.g. 'logsource: {product: linux, service: sshd}'"))
            return LogSource()
        }
        return LogSource(product: optionalText("product", in: source),
                         service: optionalText("service", in: source),
                         category: optionalText("category", in: source))
    }
}
