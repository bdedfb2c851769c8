/// A selection map key split into its field name and modifiers: `MESSAGE|contains|all`.
struct FieldKey {
    /// The field name; empty for keyword searches such as `'|all'`.
    let field: String
    /// The modifiers, in the order written.
    let modifiers: [Modifier]

    /// Splits and checks `key`.
    /// - Returns: the key, or nil after adding a diagnostic for each modifier that is unknown,
    ///   unsupported or in conflict.
    static func parse(_ key: String, at location: SourceLocation, diagnostics: inout [Diagnostic]) -> FieldKey? {
        // Splitting without omitting empty parts always yields at least one part: the field.
        var parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let field = parts.removeFirst()
        var modifiers: [Modifier] = []
        let count = diagnostics.count
        for name in parts {
            if let modifier = Modifier(rawValue: name) {
                modifiers.append(modifier)
            } else if name.isEmpty {
                diagnostics.append(Diagnostic(at: location, "empty modifier in '\(key)'",
                                              hint: "remove the extra '|'"))
            } else if Modifier.unsupportedNames.contains(name) {
                diagnostics.append(Diagnostic(at: location, "modifier '\(name)' is not supported yet",
                                              hint: "leave this rule out for now or rewrite it without '\(name)'"))
            } else {
                let known = Modifier.allCases.map(\.rawValue) + Modifier.unsupportedNames
                let hint = Suggestion.nearest(to: name, among: known).map { "did you mean '\($0)'?" }
                    ?? "use one of " + Modifier.allCases.map(\.rawValue).joined(separator: ", ")
                diagnostics.append(Diagnostic(at: location, "unknown modifier '\(name)' in '\(key)'", hint: hint))
            }
        }
        if diagnostics.count > count { return nil }
        let matchModifiers = modifiers.filter { [.contains, .startswith, .endswith].contains($0) }
        if Set(matchModifiers).count > 1 {
            diagnostics.append(Diagnostic(
                at: location, "modifiers '\(matchModifiers[0].rawValue)' and '\(matchModifiers[1].rawValue)' conflict in '\(key)'",
                hint: "keep one; write the value with '*' wildcards for other shapes"))
            return nil
        }
        if modifiers.contains(.exists), modifiers.count > 1 {
            diagnostics.append(Diagnostic(
                at: location, "'exists' cannot be combined with other modifiers in '\(key)'",
                hint: "write '\(field)|exists: true' on its own"))
            return nil
        }
        return FieldKey(field: field, modifiers: modifiers)
    }
}
