import Yams

/// Turns the YAML of one search identifier into a `Selection`.
///
/// Accepted shapes: a map (AND of its fields), a list of maps (OR of the maps), a list of
/// strings or a single string (keywords, matched anywhere in `MESSAGE`).
struct SelectionParser {
    /// The field keywords are matched against.
    static let keywordField = "MESSAGE"

    let file: String
    var diagnostics: [Diagnostic] = []

    /// Parses the selection `name`, whose key is at `line`.
    /// - Returns: the selection, or nil after adding diagnostics.
    mutating func parse(name: String, value: Node, line: Int) -> Selection? {
        let location = SourceLocation(file: file, line: value.line(or: line))
        let count = diagnostics.count
        var alternatives: [[FieldPredicate]] = []
        switch value {
        case .mapping(let mapping) where !mapping.isEmpty:
            alternatives = [parseMap(mapping, line: location.line)]
        case .sequence(let sequence) where !sequence.isEmpty:
            if sequence.allSatisfy({ if case .mapping = $0 { true } else { false } }) {
                for element in sequence {
                    guard case .mapping(let mapping) = element, !mapping.isEmpty else {
                        diagnostics.append(Diagnostic(
                            at: SourceLocation(file: file, line: element.line(or: location.line)),
                            "selection '\(name)' has an empty map in its list", hint: "remove the empty item"))
                        continue
                    }
                    alternatives.append(parseMap(mapping, line: location.line))
                }
            } else if sequence.allSatisfy({ if case .scalar = $0 { true } else { false } }) {
                alternatives = [[keywords(sequence.map { makeValue(from: $0) }, at: location)]]
            } else {
                diagnostics.append(Diagnostic(
                    at: location, "selection '\(name)' must be a map, a list of maps or a list of strings",
                    hint: "put differently shaped items in separate selections"))
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
    private mutating func parseMap(_ mapping: Node.Mapping, line: Int) -> [FieldPredicate] {
        var predicates: [FieldPredicate] = []
        for (keyNode, valueNode) in mapping {
            let location = SourceLocation(file: file, line: keyNode.line(or: line))
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
        guard !fieldKey.field.isEmpty else {
            // A field-less key such as '|all' is a keyword search.
            if !modifiers.contains(where: { [.contains, .startswith, .endswith].contains($0) }) {
                modifiers.insert(.contains, at: 0)
            }
            return FieldPredicate(field: SelectionParser.keywordField, modifiers: modifiers, values: values,
                                  location: location)
        }
        return FieldPredicate(field: fieldKey.field, modifiers: modifiers, values: values, location: location)
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
