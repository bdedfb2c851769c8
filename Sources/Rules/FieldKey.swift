/// A selection map key split into its field name and modifiers: `CommandLine|base64offset|contains`.
struct FieldKey {
    /// The field name; empty for keyword searches such as `'|all'`.
    let field: String
    /// The modifiers, in the order written.
    let modifiers: [Modifier]

    /// Splits and checks `key`, whose text starts at `location`.
    /// - Returns: the key, or nil after adding a diagnostic for each modifier that is unknown,
    ///   repeated or in conflict. A diagnostic's column points at the modifier when it can.
    static func parse(_ key: String, at location: SourceLocation, diagnostics: inout [Diagnostic]) -> FieldKey? {
        // Splitting without omitting empty parts always yields at least one part: the field.
        var parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let field = parts.removeFirst()
        var modifiers: [Modifier] = []
        var columns: [Int?] = []
        let count = diagnostics.count
        var offset = field.count + 1
        for name in parts {
            var here = location
            here.column = location.column.map { $0 + offset }
            offset += name.count + 1
            if let modifier = Modifier.named(name) {
                if modifiers.contains(modifier) {
                    diagnostics.append(Diagnostic(at: here, "modifier '\(name)' appears twice in '\(key)'",
                                                  hint: "remove one"))
                }
                modifiers.append(modifier)
                columns.append(here.column)
            } else if name.isEmpty {
                diagnostics.append(Diagnostic(at: here, "empty modifier in '\(key)'", hint: "remove the extra '|'"))
            } else {
                let known = Modifier.allCases.map(\.rawValue)
                let hint = Suggestion.nearest(to: name, among: known).map { "did you mean '\($0)'?" }
                    ?? "use one of " + known.joined(separator: ", ")
                diagnostics.append(Diagnostic(at: here, "unknown modifier '\(name)' in '\(key)'", hint: hint))
            }
        }
        if diagnostics.count > count { return nil }
        var checker = ChainChecker(key: key, field: field, modifiers: modifiers, columns: columns, location: location)
        checker.check()
        if let problem = checker.problem {
            diagnostics.append(problem)
            return nil
        }
        return FieldKey(field: field, modifiers: modifiers)
    }
}

/// Checks that a chain of modifiers is one the Sigma specification allows, and names the
/// first conflict precisely.
private struct ChainChecker {
    let key: String
    let field: String
    let modifiers: [Modifier]
    let columns: [Int?]
    let location: SourceLocation
    var problem: Diagnostic?

    mutating func check() {
        let placements = modifiers.filter(\.isPlacement)
        if placements.count > 1 {
            fail(placements[1], "modifiers '\(placements[0].rawValue)' and '\(placements[1].rawValue)' conflict in '\(key)'",
                 hint: "keep one; write the value with '*' wildcards for other shapes")
            return
        }
        let utf16 = modifiers.filter { [.wide, .utf16le, .utf16be, .utf16].contains($0) }
        if utf16.count > 1 {
            fail(utf16[1], "modifiers '\(utf16[0].rawValue)' and '\(utf16[1].rawValue)' conflict in '\(key)'",
                 hint: "choose one UTF-16 encoding")
            return
        }
        if modifiers.contains(.exists), modifiers.count > 1 {
            fail(modifiers.first { $0 != .exists } ?? .exists,
                 "'exists' cannot be combined with other modifiers in '\(key)'",
                 hint: "write '\(field)|exists: true' on its own")
            return
        }
        if let flag = modifiers.first(where: \.isRegexFlag), !modifiers.contains(.re) {
            fail(flag, "modifier '\(flag.rawValue)' is a regular expression flag, but '\(key)' has no 're'",
                 hint: "write '\(field)|re|\(flag.rawValue)'")
            return
        }
        if let time = modifiers.first(where: \.isTimePart) {
            fail(time, "time modifier '\(time.rawValue)' is not supported: journal fields hold no dates Cordon parses",
                 hint: "match the entry's text instead, or leave this rule out")
            return
        }
        // The type modifiers decide how a value is compared; each allows only some companions.
        let companions: [(Modifier, Set<Modifier>, String)] = [
            (.re, [.i, .m, .s, .all, .cased, .expand], "write the whole pattern as a regular expression"),
            (.cidr, [.all, .neq, .expand], "write '\(field)|cidr: 10.0.0.0/8' on its own"),
            (.fieldref, [.contains, .startswith, .endswith, .cased, .neq, .all], "compare the field with the other field only"),
        ]
        for (type, allowed, hint) in companions where modifiers.contains(type) {
            if let other = modifiers.first(where: { $0 != type && !allowed.contains($0) }) {
                fail(other, "'\(type.rawValue)' cannot be combined with '\(other.rawValue)' in '\(key)'", hint: hint)
                return
            }
        }
        let comparisons = modifiers.filter(\.isComparison)
        if let comparison = comparisons.first,
           let other = modifiers.first(where: { $0 != comparison && ![.all, .expand].contains($0) }) {
            fail(other, "'\(comparison.rawValue)' cannot be combined with '\(other.rawValue)' in '\(key)'",
                 hint: "compare with one number: '\(field)|\(comparison.rawValue): 10'")
            return
        }
        // Encodings apply to the plain value; wildcards added by a placement modifier cannot be encoded.
        if let placement = placements.first, let placementIndex = modifiers.firstIndex(of: placement),
           let encoding = modifiers[placementIndex...].first(where: { $0.isEncoding && $0 != .windash }) {
            fail(encoding, "'\(encoding.rawValue)' comes after '\(placement.rawValue)' in '\(key)'; the wildcards '\(placement.rawValue)' adds cannot be encoded",
                 hint: "put '\(placement.rawValue)' last, e.g. '\(field)|\(encoding.rawValue)|\(placement.rawValue)'")
            return
        }
    }

    private mutating func fail(_ modifier: Modifier, _ message: String, hint: String) {
        var here = location
        if let index = modifiers.firstIndex(of: modifier) { here.column = columns[index] }
        problem = Diagnostic(at: here, message, hint: hint)
    }
}
