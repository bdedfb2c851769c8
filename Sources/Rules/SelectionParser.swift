import Yams

/// Turns the YAML of one search identifier into a `Selection`.
///
/// Accepted shapes: a map (AND of its fields), a list of maps (OR of the maps), a list of
/// strings or a single string (keywords, matched anywhere in `MESSAGE`).
struct SelectionParser {
    /// The field keywords are matched against.
    static let keywordField = "MESSAGE"

    let file: String
    /// Values for `%name%` placeholders (the `expand` modifier).
    let placeholders: Placeholders
    var diagnostics: [Diagnostic] = []

    init(file: String, placeholders: Placeholders = Placeholders()) {
        self.file = file
        self.placeholders = placeholders
    }

    /// Parses the selection `name`, whose key is at `keyLocation`.
    /// - Returns: the selection, or nil after adding diagnostics.
    mutating func parse(name: String, value: Node, keyLocation: SourceLocation) -> Selection? {
        let location = value.location(in: file, or: keyLocation)
        let count = diagnostics.count
        var alternatives: [[FieldPredicate]] = []
        switch value {
        case .mapping(let mapping) where !mapping.isEmpty:
            alternatives = [parseMap(mapping, at: location)]
        case .sequence(let sequence) where !sequence.isEmpty:
            if sequence.allSatisfy({ if case .mapping = $0 { true } else { false } }) {
                for element in sequence {
                    guard case .mapping(let mapping) = element, !mapping.isEmpty else {
                        diagnostics.append(Diagnostic(
                            at: element.location(in: file, or: location),
                            "selection '\(name)' has an empty map in its list", hint: "remove the empty item"))
                        continue
                    }
                    alternatives.append(parseMap(mapping, at: element.location(in: file, or: location)))
                }
            } else if sequence.allSatisfy({ if case .scalar = $0 { true } else { false } }) {
                if let values = keywordValues(sequence, selection: name, at: location) {
                    alternatives = [[keywords(values, at: location)]]
                }
            } else {
                diagnostics.append(Diagnostic(
                    at: location, "selection '\(name)' mixes maps and plain values in one list",
                    hint: "put the keywords and the field maps in separate selections"))
            }
        case .scalar where !value.isNull:
            alternatives = [[keywords([makeValue(from: value)], at: location)]]
        case .mapping, .sequence, .scalar:
            diagnostics.append(Diagnostic(
                at: location, "selection '\(name)' is empty",
                hint: "give it fields to match, e.g. 'MESSAGE|contains: text', or remove it"))
        case .alias:
            diagnostics.append(Diagnostic(
                at: location, "selection '\(name)' must be a map, a list of maps or a list of strings",
                hint: "write the fields out instead of an alias"))
        }
        return diagnostics.count > count ? nil : Selection(alternatives: alternatives)
    }

    /// One alternative: every `field|modifiers: values` entry of the map.
    private mutating func parseMap(_ mapping: Node.Mapping, at mapLocation: SourceLocation) -> [FieldPredicate] {
        var predicates: [FieldPredicate] = []
        for (keyNode, valueNode) in mapping {
            let location = keyNode.location(in: file, or: mapLocation)
            guard let key = keyNode.text else {
                diagnostics.append(Diagnostic(at: location, "selection key must be a field name, not \(keyNode.kindDescription)",
                                              hint: "write 'FIELD: value' or 'FIELD|modifier: value'"))
                continue
            }
            guard let fieldKey = FieldKey.parse(key, at: location, diagnostics: &diagnostics),
                  let values = values(of: valueNode, key: key, location: location),
                  let predicate = predicate(fieldKey, values: values, key: key, location: location)
            else { continue }
            predicates.append(predicate)
        }
        return predicates
    }

    /// Builds and checks the predicate for one map entry.
    private mutating func predicate(_ fieldKey: FieldKey, values: [Value], key: String,
                                    location: SourceLocation) -> FieldPredicate? {
        var modifiers = fieldKey.modifiers
        var values = values
        if modifiers.contains(.exists) {
            let flag = values.count == 1 ? values[0] : nil
            guard case .string(let text) = flag, ["true", "false"].contains(text.lowercased()) else {
                diagnostics.append(Diagnostic(at: location, "'\(key)' needs true or false",
                                              hint: "write '\(key): true' or '\(key): false'"))
                return nil
            }
            values = [.string(text.lowercased())]
        }
        if values.count > 1, values.contains(.null) {
            diagnostics.append(Diagnostic(
                at: location, "'\(key)' lists null among other values; Sigma does not allow null in a list",
                hint: "move '\(fieldKey.field): null' to a selection of its own and join it with 'or'"))
            return nil
        }
        if modifiers.contains(.all), values.count == 1 {
            diagnostics.append(Diagnostic(
                at: location, "'all' on a single value in '\(key)' has no effect", hint: "remove '|all'",
                severity: .warning))
        }
        if modifiers.contains(.expand) {
            guard let expanded = expand(values, key: key, at: location) else { return nil }
            values = expanded
        }
        if modifiers.contains(.fieldref), values.contains(.null) {
            diagnostics.append(Diagnostic(at: location, "'\(key)' needs a field name, not null",
                                          hint: "write '\(key): OtherField'"))
            return nil
        }
        guard !fieldKey.field.isEmpty else {
            // A field-less key such as '|all' is a keyword search.
            if !modifiers.contains(where: \.isPlacement), !modifiers.contains(.re) {
                modifiers.insert(.contains, at: 0)
            }
            return FieldPredicate(field: SelectionParser.keywordField, modifiers: modifiers, values: values,
                                  location: location)
        }
        return FieldPredicate(field: fieldKey.field, modifiers: modifiers, values: values, location: location)
    }

    /// The values with their placeholders replaced; nil after a diagnostic for an unknown one.
    private mutating func expand(_ values: [Value], key: String, at location: SourceLocation) -> [Value]? {
        var expanded: [Value] = []
        for value in values {
            guard case .string(let text) = value else {
                expanded.append(value)
                continue
            }
            switch placeholders.expand(text) {
            case .success(let texts):
                expanded += texts.map(Value.string)
            case .failure(let error):
                let unknown = error.name
                let defined = placeholders.names.sorted()
                let hint = defined.isEmpty
                    ? "define it in cordon.yaml: 'placeholders: {\(unknown): [value, …]}'"
                    : (Suggestion.nearest(to: unknown, among: defined).map { "did you mean '%\($0)%'? " } ?? "")
                        + "define it in cordon.yaml under 'placeholders:'"
                diagnostics.append(Diagnostic(at: location, "placeholder '%\(unknown)%' in '\(key)' has no values",
                                              hint: hint))
                return nil
            }
        }
        return expanded
    }

    /// The values of a map entry: one scalar or a list of scalars.
    private mutating func values(of node: Node, key: String, location: SourceLocation) -> [Value]? {
        switch node {
        case .scalar:
            return [makeValue(from: node)]
        case .sequence(let sequence) where sequence.isEmpty:
            diagnostics.append(Diagnostic(at: location, "'\(key)' has an empty list of values",
                                          hint: "give at least one value, or remove the line"))
            return nil
        case .sequence(let sequence):
            guard sequence.allSatisfy({ if case .scalar = $0 { true } else { false } }) else {
                diagnostics.append(Diagnostic(at: location, "'\(key)' has a map or list inside its list of values",
                                              hint: "list plain values only; put other shapes in another selection"))
                return nil
            }
            return sequence.map { makeValue(from: $0) }
        case .mapping, .alias:
            diagnostics.append(Diagnostic(at: location, "'\(key)' must have a value or a list of values, not \(node.kindDescription)",
                                          hint: "write '\(key): value' or a '- value' list"))
            return nil
        }
    }

    /// Keyword values; null is not a keyword.
    private mutating func keywordValues(_ sequence: Node.Sequence, selection: String, at location: SourceLocation) -> [Value]? {
        let values = sequence.map { makeValue(from: $0) }
        if values.contains(.null) {
            diagnostics.append(Diagnostic(at: location, "keyword list '\(selection)' contains null",
                                          hint: "remove the empty item"))
            return nil
        }
        return values
    }

    /// A scalar as a value: YAML null, or its text as written.
    private func makeValue(from node: Node) -> Value {
        guard case .scalar(let scalar) = node, !node.isNull else { return .null }
        return .string(scalar.string)
    }

    /// Keywords: the values matched anywhere in `MESSAGE`.
    private func keywords(_ values: [Value], at location: SourceLocation) -> FieldPredicate {
        FieldPredicate(field: SelectionParser.keywordField, modifiers: [.contains], values: values, location: location)
    }
}
