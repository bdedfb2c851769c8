/// Resolves the rule references of correlation rules and detectors once every file is read:
/// each reference (an `id` or `name`) to a rule id, and checks that no correlation depends on
/// itself, directly or through others.
///
/// A correlation with a problem is left out, with one diagnostic; so is every correlation that
/// refers to one left out.
struct CorrelationResolver {
    /// The base rules loaded.
    let rules: [Rule]
    /// The correlations parsed, in load order.
    let parsed: [ParsedCorrelation]
    var diagnostics: [Diagnostic] = []

    /// Id or name → rule id, over base rules and correlations; ids win over names.
    private var lookup: [String: String] = [:]
    /// Correlation rule id → index in `parsed`.
    private var correlationIndexes: [String: Int] = [:]

    init(rules: [Rule], parsed: [ParsedCorrelation]) {
        self.rules = rules
        self.parsed = parsed
        for rule in rules { lookup[rule.identifier] = rule.identifier }
        for (index, correlation) in parsed.enumerated() {
            lookup[correlation.rule.identifier] = correlation.rule.identifier
            correlationIndexes[correlation.rule.identifier] = index
        }
        for rule in rules {
            if let name = rule.name, lookup[name] == nil { lookup[name] = rule.identifier }
        }
        for correlation in parsed {
            if let name = correlation.rule.name, lookup[name] == nil { lookup[name] = correlation.rule.identifier }
        }
    }

    /// The correlations whose references all resolve, with `resolvedReferences` and
    /// `resolvedAliases` filled, in load order.
    mutating func resolve() -> [CorrelationRule] {
        var resolved = parsed.map(\.rule)
        var isValid = Array(repeating: true, count: parsed.count)
        for (index, correlation) in parsed.enumerated() {
            isValid[index] = resolveReferences(of: correlation, into: &resolved[index])
                && resolveAliases(of: correlation, into: &resolved[index])
        }
        markCycles(resolved, isValid: &isValid)
        // A correlation that names one left out is left out too, until nothing changes.
        var changed = true
        while changed {
            changed = false
            for (index, correlation) in parsed.enumerated() where isValid[index] {
                for (reference, location) in zip(correlation.rule.ruleReferences, correlation.referenceLocations) {
                    guard let identifier = lookup[reference], let target = correlationIndexes[identifier],
                          !isValid[target] else { continue }
                    diagnostics.append(Diagnostic(
                        at: location, "\(Self.noun(of: correlation.rule)) '\(correlation.rule.title)' names '\(reference)', which is left out because of errors",
                        hint: "fix the errors reported for '\(parsed[target].rule.title)' first"))
                    isValid[index] = false
                    changed = true
                    break
                }
            }
        }
        return zip(resolved, isValid).filter(\.1).map(\.0)
    }

    /// "correlation" or "detector", for messages.
    private static func noun(of rule: CorrelationRule) -> String {
        rule.kind.isDetector ? "detector" : "correlation"
    }

    /// Fills `rule.resolvedReferences`; false (with a diagnostic per problem) when a reference
    /// is unknown or is the correlation itself.
    private mutating func resolveReferences(of correlation: ParsedCorrelation, into rule: inout CorrelationRule) -> Bool {
        var isValid = true
        var identifiers: [String] = []
        for (reference, location) in zip(correlation.rule.ruleReferences, correlation.referenceLocations) {
            let noun = Self.noun(of: rule)
            guard let identifier = lookup[reference] else {
                let hint = nearest(to: reference).map { "did you mean '\($0)'?" }
                    ?? "check the id or name, or load the file that defines it"
                diagnostics.append(Diagnostic(
                    at: location, "\(noun) '\(rule.title)' names rule '\(reference)', which is not loaded", hint: hint))
                isValid = false
                continue
            }
            if identifier == rule.identifier {
                diagnostics.append(Diagnostic(
                    at: location, "\(noun) '\(rule.title)' names itself in 'rules'",
                    hint: "name the rules whose matches it \(rule.kind.isDetector ? "watches" : "correlates"), not its own id or name"))
                isValid = false
                continue
            }
            if let index = correlationIndexes[identifier], rule.kind.isAnomaly || parsed[index].rule.kind.isAnomaly {
                // Anomaly detectors read base rules' matches and feed nothing on.
                let hint = rule.kind.isAnomaly
                    ? "an anomaly detector watches base rules (with 'detection:'); name those"
                    : "an anomaly detector's alerts feed no correlation; name base rules or other correlations"
                diagnostics.append(Diagnostic(
                    at: location, "\(noun) '\(rule.title)' names '\(reference)', a \(rule.kind.isAnomaly ? "correlation or detector" : "learned anomaly detector")",
                    hint: hint))
                isValid = false
                continue
            }
            if let first = identifiers.firstIndex(of: identifier) {
                diagnostics.append(Diagnostic(
                    at: location, "'\(reference)' and '\(correlation.rule.ruleReferences[first])' are the same rule",
                    hint: "name each rule once"))
                isValid = false
                continue
            }
            identifiers.append(identifier)
        }
        rule.resolvedReferences = identifiers
        return isValid
    }

    /// Fills `rule.resolvedAliases`; false (with a diagnostic) when an alias names a rule that
    /// is not one of `rules`.
    private mutating func resolveAliases(of correlation: ParsedCorrelation, into rule: inout CorrelationRule) -> Bool {
        var isValid = true
        var aliases: [String: [String: String]] = [:]
        for (alias, reference, location) in correlation.aliasReferences {
            guard let identifier = lookup[reference], rule.resolvedReferences.contains(identifier) else {
                let hint = Suggestion.nearest(to: reference, among: correlation.rule.ruleReferences)
                    .map { "did you mean '\($0)'?" } ?? "add it to 'rules', or remove it from the alias"
                diagnostics.append(Diagnostic(
                    at: location, "alias '\(alias)' names rule '\(reference)', which is not in 'rules'", hint: hint))
                isValid = false
                continue
            }
            if let field = correlation.rule.aliases[alias]?[reference] {
                aliases[alias, default: [:]][identifier] = field
            }
        }
        rule.resolvedAliases = aliases
        return isValid
    }

    /// Finds correlations that depend on themselves through others, and leaves every correlation
    /// of each such cycle out, with one diagnostic per cycle.
    private mutating func markCycles(_ resolved: [CorrelationRule], isValid: inout [Bool]) {
        // Edges: correlation → the correlations it names (self-references are reported already).
        let edges: [[Int]] = resolved.map { rule in
            rule.resolvedReferences.compactMap { correlationIndexes[$0] }.filter { resolved[$0].identifier != rule.identifier }
        }
        enum Mark { case unvisited, onPath, done }
        var marks = Array(repeating: Mark.unvisited, count: resolved.count)
        var path: [Int] = []
        var cycles: [[Int]] = []
        func visit(_ node: Int) {
            marks[node] = .onPath
            path.append(node)
            for next in edges[node] {
                switch marks[next] {
                case .unvisited: visit(next)
                case .onPath:
                    if let start = path.firstIndex(of: next) { cycles.append(Array(path[start...])) }
                case .done: break
                }
            }
            path.removeLast()
            marks[node] = .done
        }
        for node in resolved.indices where marks[node] == .unvisited { visit(node) }
        for cycle in cycles {
            guard cycle.contains(where: { isValid[$0] }) else { continue }
            let first = cycle[0]
            let names = (cycle + [first]).map { parsed[$0].rule.name ?? parsed[$0].rule.identifier }
            // Report at the first correlation's reference to the next one in the cycle.
            let next = cycle.count > 1 ? cycle[1] : first
            let position = resolved[first].resolvedReferences.firstIndex(of: resolved[next].identifier) ?? 0
            let location = parsed[first].referenceLocations.indices.contains(position)
                ? parsed[first].referenceLocations[position] : parsed[first].rule.location
            diagnostics.append(Diagnostic(
                at: location, "correlations name each other in a cycle: " + names.joined(separator: " → "),
                hint: "a correlation cannot depend on its own matches; remove one of these references"))
            for member in cycle { isValid[member] = false }
        }
    }

    /// The loaded id or name closest to `reference`, for "did you mean".
    private func nearest(to reference: String) -> String? {
        Suggestion.nearest(to: reference, among: lookup.keys.sorted())
    }
}
