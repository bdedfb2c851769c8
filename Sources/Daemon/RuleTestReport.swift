import Rules

/// One expectation of a case that did not hold: a rule that should have matched and did not,
/// or the other way round.
public struct RuleTestFailure: Sendable, CustomStringConvertible {
    /// The case's name.
    public let caseName: String
    /// The test file's path.
    public let file: String
    /// The line of the rule id in the case's `match` or `no_match`.
    public let line: Int
    /// The rule's `id`.
    public let ruleIdentifier: String
    /// The rule's `title`.
    public let ruleTitle: String
    /// True when the rule should have matched (it was under `match`).
    public let expectedMatch: Bool
    /// Why the rule did or did not match, one line each, printed indented below the failure.
    ///
    /// Empty for now: this is where a later `cordon test --explain` puts what the engine's
    /// explanation API says (which selections held, which values were compared).
    public var explanation: [String] = []
    /// Set when the rule matched as expected but with the other trust than `trusted:` says.
    public var trustProblem: String?

    /// Makes a failure.
    /// - Parameters:
    ///   - caseName: the case's name.
    ///   - file: the test file's path.
    ///   - line: the line of the rule id in the case.
    ///   - ruleIdentifier: the rule's `id`.
    ///   - ruleTitle: the rule's `title`.
    ///   - expectedMatch: true when the rule should have matched.
    public init(caseName: String, file: String, line: Int, ruleIdentifier: String, ruleTitle: String, expectedMatch: Bool) {
        self.caseName = caseName
        self.file = file
        self.line = line
        self.ruleIdentifier = ruleIdentifier
        self.ruleTitle = ruleTitle
        self.expectedMatch = expectedMatch
    }

    /// `file:line: case 'name': expected rule <id> (<title>) to match, it did not` (or `not to
    /// match, it did`), then the explanation lines, if any, indented.
    public var description: String {
        let expectation = trustProblem.map { "to match, \($0)" } ?? (expectedMatch ? "to match, it did not" : "not to match, it did")
        let line = "\(file):\(self.line): case '\(caseName)': expected rule \(ruleIdentifier) (\(ruleTitle)) \(expectation)"
        return ([line] + explanation.map { "    " + $0 }).joined(separator: "\n")
    }
}

/// What `cordon test` found: counts, failures, and the rules no case tests.
public struct RuleTestReport: Sendable {
    /// Cases whose every expectation held.
    public var passed = 0
    /// Cases with at least one expectation that did not hold.
    public var failed = 0
    /// Every expectation that did not hold, in file and case order.
    public var failures: [RuleTestFailure] = []
    /// Loaded rules that no case names under `match` or `no_match`, in load order.
    public var untestedRules: [Rule] = []
    /// Loaded correlation rules and detectors that no case names, in load order.
    public var untestedCorrelations: [CorrelationRule] = []
    /// Rules (base, correlation or detector) that cases name, but only on one side: no case where
    /// the rule must match, or none where it must not. A rule tested on one side only can be
    /// always-true (or never-true) and still pass.
    public var oneSided: [OneSidedRule] = []
    /// With `--explain`: for each case, why each rule did or did not match its event.
    public var explanations: [String] = []

    /// Makes an empty report.
    public init() {}

    /// One line per rule without tests, `file:line:column: warning: rule <id> (<title>) has no tests — …`,
    /// then one per rule tested on one side only.
    public var warnings: [String] {
        let rules = untestedRules.map { ($0.identifier, $0.title, $0.location) }
            + untestedCorrelations.map { ($0.identifier, $0.title, $0.location) }
        let untested = rules.map { identifier, title, location in
            Self.warning(location, "rule \(identifier) (\(title)) has no tests", hint: "add cases to")
        }
        return untested + oneSided.map { rule in
            rule.missingMatch
                ? Self.warning(rule.location, "rule \(rule.identifier) (\(rule.title)) has no case where it must match",
                               hint: "add a case listing it under 'match:' to")
                : Self.warning(rule.location, "rule \(rule.identifier) (\(rule.title)) has no case where it must not match",
                               hint: "add a benign look-alike listing it under 'no_match:' to")
        }
    }

    /// A warning at a rule's location whose hint ends with the rule's test file.
    private static func warning(_ location: SourceLocation, _ message: String, hint: String) -> String {
        let testFile = RuleTestFileName.testFiles(forRule: location.file).first ?? "a .test.yml file"
        return Diagnostic(severity: .warning, file: location.file, line: location.line, column: location.column,
                          message: message, hint: "\(hint) \(testFile)").description
    }

    /// `N passed, N failed`.
    public var summary: String { "\(passed) passed, \(failed) failed" }
}

/// A rule that cases name on one side only (`RuleTestReport.oneSided`).
public struct OneSidedRule: Sendable {
    /// The rule's id.
    public let identifier: String
    /// The rule's title.
    public let title: String
    /// Where the rule's document starts.
    public let location: SourceLocation
    /// True when no case lists it under `match`; false when none lists it under `no_match`.
    public let missingMatch: Bool
}
