import Detect
import Rules

/// Rules from paths, as an engine or as one-line errors.
public enum RuleLoading {
    /// The exit status for a set of diagnostics: missing input wins over permission, permission
    /// over bad data.
    public static func status(of diagnostics: [Diagnostic]) -> Failure.ExitStatus {
        if diagnostics.contains(where: { $0.kind == .noInput }) { return .noInput }
        if diagnostics.contains(where: { $0.kind == .permission }) { return .permission }
        return .data
    }

    /// Loads and compiles the rules at `paths`.
    /// - Throws: `Failure` whose message lists every diagnostic, one per line.
    public static func engine(paths: [String]) throws(Failure) -> Engine {
        let result = RuleLoader.load(paths: paths)
        guard result.diagnostics.isEmpty else {
            throw Failure(status(of: result.diagnostics), result.diagnostics.map(\.description).joined(separator: "\n"))
        }
        if result.rules.isEmpty {
            throw Failure(.noInput, "\(paths.joined(separator: ", ")): no rules found; give rule files (*.yml) or directories with --rules")
        }
        return Engine(rules: result.rules)
    }
}
