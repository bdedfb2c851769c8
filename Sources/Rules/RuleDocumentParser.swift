import Yams

/// A rule as parsed from one document, with where its `id` is written (for duplicate checks).
struct ParsedRule {
    let rule: Rule
    let identifierLocation: SourceLocation
    /// Where its `name` is written, if it has one (for duplicate checks).
    var nameLocation: SourceLocation? = nil
    /// The error to report when the rule has no `level` and no correlation names it; nil when it
    /// has a level. Such a rule loads at level `informational`.
    var missingLevel: Diagnostic? = nil
}

/// A Sigma filter document as parsed: which rules it applies to and what it excludes.
struct ParsedFilter {
    /// The ids or names of the rules the filter applies to.
    let ruleReferences: [(reference: String, location: SourceLocation)]
    /// The filter's log source; it must match the rules'.
    let logSource: LogSource
    /// The filter itself.
    let filter: RuleFilter
}

/// What one YAML document is.
enum ParsedDocument {
    case rule(ParsedRule)
    case filter(ParsedFilter)
    case logSources([LogSourceMapping])
    case correlation(ParsedCorrelation)
}

/// Turns one YAML document into a `Rule` (or a Sigma filter, correlation rule or Cordon detector), adding a diagnostic for each problem.
///
/// A document with any problem yields nothing; every problem in it is still reported.
struct RuleDocumentParser {
    let file: String
    /// Values for `%name%` placeholders (the `expand` modifier).
    var placeholders = Placeholders()
    var diagnostics: [Diagnostic] = []

    init(file: String, placeholders: Placeholders = Placeholders()) {
        self.file = file
        self.placeholders = placeholders
    }

    /// The keys every Cordon rule must have, with what to add when one is missing.
    private static let requiredKeys: [(key: String, missingHint: String)] = [
        ("title", "add 'title: <what the rule detects>'"),
        ("id", "add 'id: <a new UUID>'; alerts are keyed on it"),
        ("level", "add 'level: medium' (or informational, low, high, critical)"),
        ("detection", "add 'detection:' with selections and a 'condition:'"),
    ]

    /// The top-level keys the Sigma specification defines; anything else is a custom attribute.
    static let sigmaKeys: Set<String> = [
        "title", "id", "name", "related", "taxonomy", "status", "description", "license", "author", "references",
        "date", "modified", "logsource", "detection", "fields", "falsepositives", "level", "tags", "scope",
    ]

    /// Statuses SigmaHQ gives rules that are not meant to run, with why.
    private static let retiredStatuses: [String: String] = [
        "deprecated": "SigmaHQ replaced this rule with another",
        "unsupported": "SigmaHQ marks this rule as using constructs no Sigma tool runs (e.g. Sigma 1 aggregations)",
    ]

    /// Parses `root`, the top node of one document.
    /// - Returns: the rule or filter, or nil when the document is empty or has problems.
    mutating func parse(_ root: Node) -> ParsedDocument? {
        if root.isNull { return nil }  // An empty document, e.g. after a trailing `---`.
        let documentLocation = root.location(in: file, or: SourceLocation(file: file, line: 1))
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
        if mapping.entry("correlation") != nil || mapping.entry("detector") != nil {
            return parseCorrelation(mapping, at: documentLocation).map(ParsedDocument.correlation)
        }
        if let entry = mapping.entry("logsources") {
            var mappingParser = LogSourceMappingParser(file: file)
            let mappings = mappingParser.parse(entry.value, at: entry.key.location(in: file, or: documentLocation))
            diagnostics += mappingParser.diagnostics
            return .logSources(mappings)
        }
        if mapping.entry("filter") != nil {
            return parseFilter(mapping, at: documentLocation).map(ParsedDocument.filter)
        }
        return parseRule(mapping, at: documentLocation).map(ParsedDocument.rule)
    }

    /// Parses a detection rule document.
    private mutating func parseRule(_ mapping: Node.Mapping, at documentLocation: SourceLocation) -> ParsedRule? {
        let count = diagnostics.count
        // A rule without `level` may still be a base rule of a correlation (the Sigma correlation
        // specification gives levels only to the outermost rule): the loader decides once every
        // file is read, unless the document has other errors.
        var missingLevel: (diagnostic: Diagnostic, index: Int)? = nil
        for required in RuleDocumentParser.requiredKeys where mapping.entry(required.key) == nil {
            let keys = mapping.compactMap { $0.key.text }.filter { !RuleDocumentParser.sigmaKeys.contains($0) }
            let nearest = Suggestion.nearest(to: required.key, among: keys)
            let hint = nearest.map { "rename '\($0)' to '\(required.key)'" } ?? required.missingHint
            let diagnostic = Diagnostic(at: documentLocation, "rule has no '\(required.key)'", hint: hint)
            if required.key == "level", nearest == nil {
                missingLevel = (diagnostic, diagnostics.count)
            } else {
                diagnostics.append(diagnostic)
            }
        }
        let title = requiredText("title", in: mapping)
        let identifier = requiredText("id", in: mapping)
        let level = missingLevel == nil ? parseLevel(in: mapping) : .informational
        let status = parseStatus(in: mapping, at: documentLocation)
        let logSource = parseLogSource(in: mapping)
        var detection: Detection? = nil
        if let entry = mapping.entry("detection") {
            var detectionParser = DetectionParser(file: file, placeholders: placeholders)
            detection = detectionParser.parse(entry.value, at: entry.key.location(in: file, or: documentLocation))
            diagnostics += detectionParser.diagnostics
        }
        var rule: Rule? = nil
        if let title, let identifier, let level, let detection {
            var made = Rule(
                identifier: identifier.text, title: title.text, description: optionalText("description", in: mapping),
                status: status, level: level, tags: textList("tags", in: mapping),
                author: optionalText("author", in: mapping), references: textList("references", in: mapping),
                falsePositives: textList("falsepositives", in: mapping), logSource: logSource, detection: detection,
                location: documentLocation)
            made.name = optionalText("name", in: mapping)
            made.related = parseRelated(in: mapping)
            made.taxonomy = optionalText("taxonomy", in: mapping)
            made.license = optionalText("license", in: mapping)
            made.date = optionalText("date", in: mapping)
            made.modified = optionalText("modified", in: mapping)
            made.fields = textList("fields", in: mapping)
            made.scope = textList("scope", in: mapping)
            made.customAttributes = customAttributes(of: mapping)
            rule = made
        }
        if let missingLevel, diagnostics[count...].contains(where: \.isError) {
            diagnostics.insert(missingLevel.diagnostic, at: missingLevel.index)
        }
        guard diagnostics[count...].allSatisfy({ !$0.isError }), let rule, let identifier else { return nil }
        let nameLocation = mapping.entry("name").map { $0.value.location(in: file, or: keyLocation($0.key)) }
        return ParsedRule(rule: rule, identifierLocation: identifier.location, nameLocation: nameLocation,
                          missingLevel: missingLevel?.diagnostic)
    }

    /// Parses a Sigma filter document (`filter:` with `rules`, selections and a condition).
    private mutating func parseFilter(_ mapping: Node.Mapping, at documentLocation: SourceLocation) -> ParsedFilter? {
        let count = diagnostics.count
        let title = requiredText("title", in: mapping)
        if mapping.entry("title") == nil {
            diagnostics.append(Diagnostic(at: documentLocation, "filter has no 'title'", hint: "add 'title: <what it excludes>'"))
        }
        let identifier = optionalText("id", in: mapping)
        let logSource = parseLogSource(in: mapping)
        // `parse` only calls this when the key exists.
        guard let entry = mapping.entry("filter") else { return nil }
        let filterLocation = entry.key.location(in: file, or: documentLocation)
        guard case .mapping(let body) = entry.value else {
            diagnostics.append(Diagnostic(at: filterLocation, "'filter' must be a map with 'rules', selections and a 'condition'",
                                          hint: "indent 'rules:', the selections and 'condition:' under 'filter:'"))
            return nil
        }
        var references: [(String, SourceLocation)] = []
        if let rules = body.entry("rules") {
            let rulesLocation = rules.key.location(in: file, or: filterLocation)
            let nodes: [Node]
            if case .sequence(let sequence) = rules.value { nodes = Array(sequence) } else { nodes = [rules.value] }
            for node in nodes {
                guard let text = node.text else {
                    diagnostics.append(Diagnostic(at: node.location(in: file, or: rulesLocation),
                                                  "items of 'rules' must be rule ids or names", hint: "write '- <rule id>'"))
                    continue
                }
                references.append((text, node.location(in: file, or: rulesLocation)))
            }
        }
        if references.isEmpty {
            diagnostics.append(Diagnostic(at: filterLocation, "filter names no rules",
                                          hint: "add 'rules:' with the ids or names of the rules it applies to"))
        }
        // The rest of `filter` is a detection: selections and a condition.
        let detectionNode = Node.mapping(Node.Mapping(body.filter { $0.key.text != "rules" }))
        var detectionParser = DetectionParser(file: file, placeholders: placeholders)
        let detection = detectionParser.parse(detectionNode, at: filterLocation)
        diagnostics += detectionParser.diagnostics
        guard diagnostics[count...].allSatisfy({ !$0.isError }), let title, let detection else { return nil }
        let filter = RuleFilter(identifier: identifier, title: title.text, detection: detection, location: documentLocation)
        return ParsedFilter(ruleReferences: references.map { (reference: $0.0, location: $0.1) }, logSource: logSource,
                            filter: filter)
    }

    /// A diagnostic when the document is a kind of Sigma document Cordon does not load yet.
    private func unsupportedKind(of mapping: Node.Mapping) -> Diagnostic? {
        let kinds: [(key: String, message: String, hint: String)] = [
            ("action", "Sigma rule collections ('action: global/reset/repeat') were removed in Sigma 2",
             "write each rule as a complete document of its own"),
        ]
        for kind in kinds {
            if let entry = mapping.entry(kind.key) {
                return Diagnostic(at: entry.key.location(in: file, or: SourceLocation(file: file, line: 1)),
                                  kind.message, hint: kind.hint)
            }
        }
        return nil
    }

    /// The `status`, with an error when it is one of the retired statuses.
    mutating func parseStatus(in mapping: Node.Mapping, at documentLocation: SourceLocation) -> String? {
        let status = optionalText("status", in: mapping)
        if let status, let reason = RuleDocumentParser.retiredStatuses[status.lowercased()],
           let entry = mapping.entry("status") {
            diagnostics.append(Diagnostic(
                at: entry.value.location(in: file, or: documentLocation), "rule has status '\(status)': \(reason)",
                hint: "leave it out of the rules path; SigmaHQ keeps such rules for reference only"))
        }
        return status
    }

    /// The Sigma `related` list.
    private mutating func parseRelated(in mapping: Node.Mapping) -> [RelatedRule] {
        guard let entry = mapping.entry("related"), !entry.value.isNull else { return [] }
        let location = entry.key.location(in: file, or: SourceLocation(file: file, line: 1))
        guard case .sequence(let sequence) = entry.value else {
            diagnostics.append(Diagnostic(at: location, "'related' must be a list of 'id:' and 'type:' maps",
                                          hint: "write '- id: <uuid>' and 'type: derived' under 'related:'"))
            return []
        }
        var related: [RelatedRule] = []
        let types = ["derived", "obsolete", "merged", "renamed", "similar"]
        for element in sequence {
            let here = element.location(in: file, or: location)
            guard case .mapping(let item) = element, let identifier = item.entry("id")?.value.text,
                  let type = item.entry("type")?.value.text else {
                diagnostics.append(Diagnostic(at: here, "an item of 'related' needs 'id' and 'type'",
                                              hint: "write '- id: <uuid>' with 'type: derived' (or \(types.dropFirst().joined(separator: ", ")))"))
                continue
            }
            if !types.contains(type) {
                let hint = Suggestion.nearest(to: type, among: types).map { "did you mean '\($0)'?" }
                    ?? "use one of " + types.joined(separator: ", ")
                diagnostics.append(Diagnostic(at: here, "'\(type)' is not a relation type", hint: hint, severity: .warning))
            }
            related.append(RelatedRule(identifier: identifier, type: type))
        }
        return related
    }

    /// Keys the specification does not define, with their values as YAML text.
    private func customAttributes(of mapping: Node.Mapping) -> [String: String] {
        var attributes: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.text, !RuleDocumentParser.sigmaKeys.contains(name) else { continue }
            if let text = value.text {
                attributes[name] = text
            } else if let yaml = try? Yams.serialize(node: value) {
                attributes[name] = yaml.trimmingWhitespace()
            }
        }
        return attributes
    }

    /// The text of a required key, or nil (with a diagnostic when present but empty or not text).
    mutating func requiredText(_ key: String, in mapping: Node.Mapping) -> (text: String, location: SourceLocation)? {
        guard let entry = mapping.entry(key) else { return nil }  // Reported with the other missing keys.
        let location = entry.value.location(in: file, or: keyLocation(entry.key))
        guard let text = entry.value.text, !text.allSatisfy(\.isWhitespace) else {
            let problem = entry.value.isNull || entry.value.text != nil ? "is empty" : "must be text, not \(entry.value.kindDescription)"
            diagnostics.append(Diagnostic(at: location, "'\(key)' \(problem)",
                                          hint: "write it as one line of text after '\(key):'"))
            return nil
        }
        return (text, location)
    }

    /// Where a key node is, or line 1 when Yams gave no mark.
    func keyLocation(_ key: Node) -> SourceLocation {
        key.location(in: file, or: SourceLocation(file: file, line: 1))
    }

    /// The text of an optional key; nil when absent or null, with a diagnostic when not text.
    mutating func optionalText(_ key: String, in mapping: Node.Mapping) -> String? {
        guard let entry = mapping.entry(key), !entry.value.isNull else { return nil }
        guard let text = entry.value.text else {
            diagnostics.append(Diagnostic(
                at: entry.value.location(in: file, or: keyLocation(entry.key)),
                "'\(key)' must be text, not \(entry.value.kindDescription)",
                hint: "write it as one string; use a '|' block for several lines"))
            return nil
        }
        return text
    }

    /// The texts of an optional list key; a single string counts as a one-item list.
    mutating func textList(_ key: String, in mapping: Node.Mapping) -> [String] {
        guard let entry = mapping.entry(key), !entry.value.isNull else { return [] }
        if let text = entry.value.text { return [text] }
        if case .sequence(let sequence) = entry.value {
            var texts: [String] = []
            for element in sequence {
                if let text = element.text {
                    texts.append(text)
                } else if !element.isNull {
                    diagnostics.append(Diagnostic(
                        at: element.location(in: file, or: keyLocation(entry.key)),
                        "items of '\(key)' must be text, not \(element.kindDescription)",
                        hint: "write each item as '- text'"))
                }
            }
            return texts
        }
        diagnostics.append(Diagnostic(
            at: entry.value.location(in: file, or: keyLocation(entry.key)),
            "'\(key)' must be a list of text, not \(entry.value.kindDescription)",
            hint: "write each item as '- text'"))
        return []
    }

    /// The level; nil with a diagnostic when it is not one of the five.
    mutating func parseLevel(in mapping: Node.Mapping) -> Level? {
        guard let (text, location) = requiredText("level", in: mapping) else { return nil }
        if let level = Level(rawValue: text.lowercased()) { return level }
        let levels = Level.allCases.map(\.rawValue)
        let choices = "use one of " + levels.joined(separator: ", ")
        let hint = Suggestion.nearest(to: text, among: levels).map { "did you mean '\($0)'? \(choices)" } ?? choices
        diagnostics.append(Diagnostic(at: location, "'\(text)' is not a level", hint: hint))
        return nil
    }

    /// The `logsource` map; absent parts stay nil.
    private mutating func parseLogSource(in mapping: Node.Mapping) -> LogSource {
        guard let entry = mapping.entry("logsource"), !entry.value.isNull else { return LogSource() }
        guard case .mapping(let source) = entry.value else {
            diagnostics.append(Diagnostic(
                at: keyLocation(entry.key),
                "'logsource' must be a map, not \(entry.value.kindDescription)",
                hint: "write e.g. 'logsource: {product: linux, service: sshd}'"))
            return LogSource()
        }
        return LogSource(product: optionalText("product", in: source),
                         service: optionalText("service", in: source),
                         category: optionalText("category", in: source),
                         definition: optionalText("definition", in: source))
    }
}
