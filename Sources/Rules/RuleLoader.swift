import Yams

/// Loads Sigma rules from YAML files into `Rule` values, with a diagnostic for every problem.
///
/// Loading never stops at the first problem: a document with problems is left out and the
/// other documents and files still load.
public enum RuleLoader {
    /// Loads every rule in `paths`.
    ///
    /// A file is read whatever its extension; a directory is walked recursively for `*.yml`
    /// and `*.yaml` files (names starting with `.` are skipped), in sorted order. A directory
    /// without rule files is not an error. Each YAML document (`---`) is one rule, one Sigma
    /// filter or one `logsources:` mapping list; filters are attached to the rules they name once
    /// every file is read. A document with `correlation:` (Sigma) or `detector:` (Cordon) is a
    /// correlation rule (`RuleLoadResult.correlations`); its references are resolved across
    /// every file once all are read. Rule ids and names must be unique across all files. Rule tests (`*.test.yml`,
    /// `*.test.yaml`) are not rules: the walk skips them.
    /// - Parameters:
    ///   - paths: files and directories, as given on the command line.
    ///   - placeholders: values for `%name%` placeholders used with the `expand` modifier.
    public static func load(paths: [String], placeholders: Placeholders = Placeholders()) -> RuleLoadResult {
        let (files, pathDiagnostics) = RuleFiles.expand(paths)
        var loading = Loading(placeholders: placeholders)
        loading.result.diagnostics = pathDiagnostics
        loading.result.files = files
        for file in files {
            switch RuleFiles.read(file) {
            case .success(let text):
                loading.load(yaml: text, file: file)
            case .failure(let diagnostic):
                loading.result.diagnostics.append(diagnostic)
            }
        }
        return loading.finish()
    }

    /// Loads the rules in one YAML text.
    /// - Parameters:
    ///   - yaml: one or more YAML documents separated by `---`.
    ///   - file: the name to give in locations and diagnostics.
    ///   - placeholders: values for `%name%` placeholders used with the `expand` modifier.
    public static func load(yaml: String, file: String, placeholders: Placeholders = Placeholders()) -> RuleLoadResult {
        var loading = Loading(placeholders: placeholders)
        loading.load(yaml: yaml, file: file)
        return loading.finish()
    }
}

/// The state of one load: rules, filters and correlations so far, and where each rule id and name is written.
private struct Loading {
    let placeholders: Placeholders
    var result = RuleLoadResult()
    var identifiers: [String: SourceLocation] = [:]
    var filters: [ParsedFilter] = []
    /// Where each rule `name` is written: names are unique, like ids.
    var names: [String: SourceLocation] = [:]
    var correlations: [ParsedCorrelation] = []
    /// Rules without `level`, by id, with the error to report unless a correlation names them.
    var rulesWithoutLevel: [String: Diagnostic] = [:]

    init(placeholders: Placeholders) {
        self.placeholders = placeholders
    }

    /// Records a rule's (or correlation's) id and name as taken; the diagnostic when either is
    /// already used by another loaded rule, and then nothing is recorded.
    private mutating func claim(identifier: String, at identifierLocation: SourceLocation, name: String?,
                                at nameLocation: SourceLocation?) -> Diagnostic? {
        if let first = identifiers[identifier] {
            return Diagnostic(at: identifierLocation, "rule id '\(identifier)' is already used at \(first)",
                              hint: "give each rule its own id, e.g. a new UUID")
        }
        if let name, let nameLocation, let diagnostic = claim(name: name, at: nameLocation) {
            return diagnostic
        }
        identifiers[identifier] = identifierLocation
        return nil
    }

    /// Rules read scalars as text and ask only whether one is a plain null (`Node.isNull`).
    /// Yams's default resolver tries seven regular expressions (bool, int, float, timestamp …)
    /// on every plain scalar whose tag is read: loading 1,000 rules spent a third of its time
    /// there (callgrind on `make bench`'s synthetic rules).
    static let resolver = Resolver.basic.appending(.null)

    /// Adds the rules and filters of `yaml`.
    mutating func load(yaml: String, file: String) {
        var documentParser = RuleDocumentParser(file: file, placeholders: placeholders)
        do {
            let parser = try Parser(yaml: yaml, resolver: Loading.resolver, encoding: .utf8)
            while let root = try parser.nextRoot() {
                switch documentParser.parse(root) {
                case .rule(let parsed):
                    let identifier = parsed.rule.identifier
                    if let problem = claim(identifier: identifier, at: parsed.identifierLocation, name: parsed.rule.name,
                                           at: parsed.nameLocation) {
                        documentParser.diagnostics.append(problem)
                        continue
                    }
                    if let missingLevel = parsed.missingLevel { rulesWithoutLevel[identifier] = missingLevel }
                    result.rules.append(parsed.rule)
                case .correlation(let parsed):
                    if let problem = claim(identifier: parsed.rule.identifier, at: parsed.identifierLocation,
                                           name: parsed.rule.name, at: parsed.nameLocation) {
                        documentParser.diagnostics.append(problem)
                        continue
                    }
                    correlations.append(parsed)
                case .filter(let filter):
                    filters.append(filter)
                case .logSources(let mappings):
                    for mapping in mappings {
                        if let first = result.logSources.first(where: { $0.logSource == mapping.logSource }) {
                            documentParser.diagnostics.append(Diagnostic(
                                at: mapping.location, "log source \(mapping.logSource) is already mapped at \(first.location)",
                                hint: "keep one mapping per log source"))
                            continue
                        }
                        result.logSources.append(mapping)
                    }
                case nil:
                    continue
                }
            }
        } catch {
            documentParser.diagnostics.append(.yaml(error, file: file))
        }
        result.diagnostics += documentParser.diagnostics
    }

    /// Records `name` as taken; a diagnostic instead when another rule has it already.
    mutating func claim(name: String, at location: SourceLocation) -> Diagnostic? {
        if let first = names[name] {
            return Diagnostic(at: location, "rule name '\(name)' is already used at \(first)",
                              hint: "give each rule its own name; correlations refer to rules by it")
        }
        names[name] = location
        return nil
    }

    /// Attaches every filter to the rules it names, resolves correlation references and returns the result.
    mutating func finish() -> RuleLoadResult {
        var resolver = CorrelationResolver(rules: result.rules, parsed: correlations)
        result.correlations = resolver.resolve()
        result.diagnostics += resolver.diagnostics
        if !rulesWithoutLevel.isEmpty {
            // Base rules of correlations need no level; any other rule does.
            let named = Set(result.correlations.flatMap(\.resolvedReferences))
            let unnamed = rulesWithoutLevel.filter { !named.contains($0.key) }
            result.diagnostics += result.rules.compactMap { unnamed[$0.identifier] }
            result.rules.removeAll { unnamed[$0.identifier] != nil }
        }
        var indexes: [String: Int] = [:]
        for (index, rule) in result.rules.enumerated() {
            indexes[rule.identifier] = index
            if let name = rule.name, indexes[name] == nil { indexes[name] = index }
        }
        for filter in filters {
            for reference in filter.ruleReferences {
                guard let index = indexes[reference.reference] else {
                    result.diagnostics.append(Diagnostic(
                        at: reference.location, "filter '\(filter.filter.title)' names rule '\(reference.reference)', which is not loaded",
                        hint: "check the id or name, or load the rule's file too", severity: .warning))
                    continue
                }
                let rule = result.rules[index]
                guard Loading.filter(filter.logSource, covers: rule.logSource) else {
                    result.diagnostics.append(Diagnostic(
                        at: reference.location,
                        "filter '\(filter.filter.title)' is for log source \(filter.logSource), rule '\(reference.reference)' for \(rule.logSource); the filter is not applied",
                        hint: "give the filter the rule's logsource", severity: .warning))
                    continue
                }
                result.rules[index].filters.append(filter.filter)
            }
        }
        result.filterCount = filters.count
        return result
    }

    /// Whether a filter for `filter` applies to a rule for `rule`: every part the filter names is the rule's.
    static func filter(_ filter: LogSource, covers rule: LogSource) -> Bool {
        (filter.product == nil || filter.product == rule.product)
            && (filter.service == nil || filter.service == rule.service)
            && (filter.category == nil || filter.category == rule.category)
    }
}
