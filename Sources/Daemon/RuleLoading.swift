import Detect
import Rules

/// Rules from paths, as an engine or as one-line errors.
public enum RuleLoading {
    /// The exit status for a set of diagnostics: missing input wins over permission, permission
    /// over bad data.
    static func status(of diagnostics: [Diagnostic]) -> Failure.ExitStatus {
        if diagnostics.contains(where: { $0.kind == .noInput }) { return .noInput }
        if diagnostics.contains(where: { $0.kind == .permission }) { return .permission }
        return .data
    }

    /// Loads the rules at `paths`.
    /// - Throws: `Failure` whose message lists every diagnostic, one per line.
    public static func rules(paths: [String]) throws(Failure) -> [Rule] {
        let result = RuleLoader.load(paths: paths)
        guard result.diagnostics.isEmpty else {
            throw Failure(status(of: result.diagnostics), result.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return result.rules
    }

    /// Loads and compiles the rules at `paths`; no rules at all is an error.
    /// - Throws: `Failure` whose message lists every diagnostic, one per line.
    public static func engine(paths: [String]) throws(Failure) -> Engine {
        let rules = try rules(paths: paths)
        if rules.isEmpty {
            throw Failure(.noInput, "\(paths.joined(separator: ", ")): no rules found; give rule files (*.yml) or directories with --rules")
        }
        return Engine(rules: rules)
    }
}
