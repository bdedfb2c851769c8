/// What loading rules produced: the rules that are fine, and a diagnostic for each problem.
///
/// A rule document with any problem is left out of `rules`; the other rules still load.
public struct RuleLoadResult: Sendable {
    /// The rules that loaded, in file order and, within a file, document order.
    public var rules: [Rule]
    /// The Sigma correlation rules and Cordon detectors that loaded, in file and document order,
    /// with their references resolved (`CorrelationRule.resolvedReferences`). The base rules they
    /// name are in `rules` like any other rule.
    public var correlations: [CorrelationRule] = []
    /// Every problem found, in the order found: errors (a rule left out) and warnings.
    public var diagnostics: [Diagnostic]
    /// The log source mappings read (documents with a top-level `logsources:` list).
    public var logSources: [LogSourceMapping] = []
    /// The rule files read, in order.
    public var files: [String] = []
    /// How many Sigma filter documents were read.
    public var filterCount = 0

    /// The problems that left something out.
    public var errors: [Diagnostic] { diagnostics.filter(\.isError) }

    /// Makes a result.
    /// - Parameters:
    ///   - rules: the rules that loaded.
    ///   - diagnostics: the problems found.
    public init(rules: [Rule] = [], diagnostics: [Diagnostic] = []) {
        self.rules = rules
        self.diagnostics = diagnostics
    }
}
