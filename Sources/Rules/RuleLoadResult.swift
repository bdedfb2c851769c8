/// What loading rules produced: the rules that are fine, and a diagnostic for each problem.
///
/// A rule document with any problem is left out of `rules`; the other rules still load.
public struct RuleLoadResult: Sendable {
    /// The rules that loaded, in file order and, within a file, document order.
    public var rules: [Rule]
    /// Every problem found, in the order found.
    public var diagnostics: [Diagnostic]

    /// Makes a result.
    /// - Parameters:
    ///   - rules: the rules that loaded.
    ///   - diagnostics: the problems found.
    public init(rules: [Rule] = [], diagnostics: [Diagnostic] = []) {
        self.rules = rules
        self.diagnostics = diagnostics
    }
}
