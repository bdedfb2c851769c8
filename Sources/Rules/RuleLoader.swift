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
    /// without rule files is not an error. Each YAML document (`---`) is one rule. Rule ids
    /// must be unique across all files. Rule tests (`*.test.yml`, `*.test.yaml`) are not rules:
    /// the walk skips them.
    /// - Parameters:
    ///   - paths: files and directories, as given on the command line.
    public static func load(paths: [String]) -> RuleLoadResult {
        let (files, pathDiagnostics) = RuleFiles.expand(paths)
        var result = RuleLoadResult(diagnostics: pathDiagnostics)
        var identifiers: [String: SourceLocation] = [:]
        for file in files {
            switch RuleFiles.read(file) {
            case .success(let text):
                load(yaml: text, file: file, into: &result, identifiers: &identifiers)
            case .failure(let diagnostic):
                result.diagnostics.append(diagnostic)
            }
        }
        return result
    }

    /// Loads the rules in one YAML text.
    /// - Parameters:
    ///   - yaml: one or more YAML documents separated by `---`.
    ///   - file: the name to give in locations and diagnostics.
    public static func load(yaml: String, file: String) -> RuleLoadResult {
        var result = RuleLoadResult()
        var identifiers: [String: SourceLocation] = [:]
        load(yaml: yaml, file: file, into: &result, identifiers: &identifiers)
        return result
    }

    /// Adds the rules of `yaml` to `result`; `identifiers` holds where each rule id seen so far is written.
    static func load(yaml: String, file: String, into result: inout RuleLoadResult,
                     identifiers: inout [String: SourceLocation]) {
        var documentParser = RuleDocumentParser(file: file)
        do {
            let parser = try Parser(yaml: yaml, encoding: .utf8)
            while let root = try parser.nextRoot() {
                guard let parsed = documentParser.parse(root) else { continue }
                let identifier = parsed.rule.identifier
                if let first = identifiers[identifier] {
                    documentParser.diagnostics.append(Diagnostic(
                        at: parsed.identifierLocation, "rule id '\(identifier)' is already used at \(first)",
                        hint: "give each rule its own id, e.g. a new UUID"))
                    continue
                }
                identifiers[identifier] = parsed.identifierLocation
                result.rules.append(parsed.rule)
            }
        } catch {
            documentParser.diagnostics.append(.yaml(error, file: file))
        }
        result.diagnostics += documentParser.diagnostics
    }
}
