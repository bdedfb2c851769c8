import Yams

/// Turns the YAML under `detection:` into a `Detection`: its selections and its checked condition.
struct DetectionParser {
    let file: String
    /// Values for `%name%` placeholders (the `expand` modifier).
    var placeholders = Placeholders()
    var diagnostics: [Diagnostic] = []

    /// Parses the `detection` value; `location` is where the `detection:` key is.
    /// - Returns: the detection, or nil after adding diagnostics.
    mutating func parse(_ node: Node, at location: SourceLocation) -> Detection? {
        guard case .mapping(let mapping) = node else {
            diagnostics.append(Diagnostic(
                at: location, "'detection' must be a map of selections and a condition, not \(node.kindDescription)",
                hint: "indent the selections and 'condition:' under 'detection:'"))
            return nil
        }
        let count = diagnostics.count
        var selections: [String: Selection] = [:]
        var names: Set<String> = []
        var conditionEntry: (key: Node, value: Node)? = nil
        var selectionParser = SelectionParser(file: file, placeholders: placeholders)
        for (key, value) in mapping {
            let keyLocation = key.location(in: file, or: location)
            guard let name = key.text else {
                diagnostics.append(Diagnostic(
                    at: keyLocation,
                    "selection name must be text, not \(key.kindDescription)", hint: "name the selection, e.g. 'selection:'"))
                continue
            }
            switch name {
            case "condition":
                conditionEntry = (key, value)
            case "timeframe":
                diagnostics.append(Diagnostic(
                    at: keyLocation, "'timeframe' in 'detection' is Sigma 1 aggregation, which Sigma 2 removed",
                    hint: "remove it; count over a time window with a Sigma correlation rule ('timespan:')"))
            default:
                names.insert(name)
                if let selection = selectionParser.parse(name: name, value: value, keyLocation: keyLocation) {
                    selections[name] = selection
                }
            }
        }
        diagnostics += selectionParser.diagnostics
        if names.isEmpty {
            diagnostics.append(Diagnostic(
                at: location, "'detection' has no selections",
                hint: "add one, e.g. 'selection: {MESSAGE|contains: text}'"))
        }
        guard let conditionEntry else {
            diagnostics.append(Diagnostic(at: location, "'detection' has no 'condition'",
                                          hint: "add one, e.g. 'condition: selection'"))
            return nil
        }
        guard !names.isEmpty else { return nil }
        guard let (condition, text) = parseCondition(conditionEntry, names: names),
              diagnostics.count == count
        else { return nil }
        return Detection(selections: selections, condition: condition, conditionText: text)
    }

    /// Parses a condition written as text or as a list of texts (OR-ed), and checks its names.
    private mutating func parseCondition(_ entry: (key: Node, value: Node), names: Set<String>) -> (Condition, String)? {
        let keyLocation = entry.key.location(in: file, or: SourceLocation(file: file, line: 1))
        var parts: [(text: String, location: SourceLocation)] = []
        switch entry.value {
        case .scalar:
            if let text = entry.value.text { parts = [(text, entry.value.location(in: file, or: keyLocation))] }
        case .sequence(let sequence):
            for element in sequence {
                guard let text = element.text else {
                    diagnostics.append(Diagnostic(
                        at: element.location(in: file, or: keyLocation),
                        "a condition in the list is \(element.kindDescription), not text",
                        hint: "write each condition as text, e.g. '- selection and not filter'"))
                    return nil
                }
                parts.append((text, element.location(in: file, or: keyLocation)))
            }
        case .mapping, .alias:
            diagnostics.append(Diagnostic(
                at: keyLocation, "'condition' must be text, not \(entry.value.kindDescription)",
                hint: "write e.g. 'condition: selection and not filter'"))
            return nil
        }
        parts = parts.filter { !$0.text.allSatisfy(\.isWhitespace) }
        // The parts are OR-ed into one chain, each link a level deeper: bounded like a condition's terms.
        guard parts.count <= ConditionParser.maximumTerms else {
            diagnostics.append(Diagnostic(
                at: keyLocation, "'condition' is a list of \(parts.count) conditions, more than \(ConditionParser.maximumTerms)",
                hint: "join them in fewer conditions, e.g. '1 of selection_*'"))
            return nil
        }
        guard !parts.isEmpty else {
            diagnostics.append(Diagnostic(
                at: keyLocation, "'condition' is empty",
                hint: "name the selections to match, e.g. 'condition: selection'"))
            return nil
        }
        var conditions: [Condition] = []
        for part in parts {
            let location = part.location
            do throws(ConditionSyntaxError) {
                let condition = try ConditionParser.parse(part.text)
                if check(condition, names: names, at: location) { conditions.append(condition) }
            } catch {
                var here = location
                // A plain scalar's column plus the position in the text points at the problem.
                if let column = location.column, let position = error.position { here.column = column + position - 1 }
                diagnostics.append(Diagnostic(at: here, error.message, hint: error.hint))
            }
        }
        guard conditions.count == parts.count else { return nil }
        // `conditions` has as many elements as `parts`, which is not empty.
        let combined = conditions.dropFirst().reduce(conditions[0]) { .or($0, $1) }
        let texts = parts.map { $0.text.trimmingWhitespace() }
        let text = texts.count == 1 ? texts[0] : texts.map { "(\($0))" }.joined(separator: " or ")
        return (combined, text)
    }

    /// Checks that every name in `condition` is a selection and every pattern matches one.
    /// - Returns: whether the condition is fine; adds a diagnostic for each problem.
    private mutating func check(_ condition: Condition, names: Set<String>, at location: SourceLocation) -> Bool {
        var isValid = true
        for reference in condition.references {
            switch reference {
            case .selection(let name) where !names.contains(name):
                isValid = false
                let hint: String
                if ConditionParser.keywords.contains(name.lowercased()) {
                    hint = "operators are lower-case: write '\(name.lowercased())'"
                } else if let suggestion = Suggestion.nearest(to: name, among: names) {
                    hint = "did you mean '\(suggestion)'?"
                } else {
                    hint = "define '\(name)' under 'detection' or use one of " + names.sorted().joined(separator: ", ")
                }
                diagnostics.append(Diagnostic(at: location, "condition uses '\(name)', which is not a selection", hint: hint))
            case .pattern(let pattern) where NamePattern.names(in: names, matching: pattern).isEmpty:
                isValid = false
                let message = pattern == Condition.themPattern
                    ? "'them' in the condition matches no selection"
                    : "pattern '\(pattern)' in the condition matches no selection"
                diagnostics.append(Diagnostic(
                    at: location, message,
                    hint: "fix the pattern or rename the selections; 'them' leaves out names starting with '_'"))
            case .selection, .pattern:
                break
            }
        }
        return isValid
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let characters = Substring(self)
        guard let first = characters.firstIndex(where: { !$0.isWhitespace }),
              let last = characters.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(characters[first...last])
    }
}
