import Detect
import Journal
import Parse
import Rules

/// `cordon test`: runs the cases of rule test files against compiled rules.
public struct RuleTestRunner {
    /// The compiled rules the cases run against.
    public let engine: Engine
    /// Print, for every case, why each rule did or did not match its event (`--explain`).
    public var explain = false
    /// The loaded rules by `id`, for titles and unknown ids.
    private let rulesByIdentifier: [String: Rule]

    /// Makes a runner over `engine`'s rules.
    /// - Parameters:
    ///   - engine: the compiled rules.
    public init(engine: Engine) {
        self.engine = engine
        self.rulesByIdentifier = Dictionary(engine.rules.map { ($0.identifier, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads the rules at `paths` and the test files beside them, and runs every case.
    ///
    /// Paths are read as `cordon check` reads them (see `RuleTestFiles.resolve`).
    /// - Parameters:
    ///   - paths: rule files, test files and directories.
    ///   - dataThreshold: event values longer than this are cut, as the journal reader cuts them.
    /// - Throws: `Failure`: rule problems as `cordon check` reports them; 65 with one line per
    ///   problem for malformed test files and cases that name a rule id no loaded rule has;
    ///   66 or 77 for a test file that is missing or not readable.
    ///   - placeholders: values for Sigma `%placeholders%`.
    ///   - explain: whether to explain every case.
    public static func run(paths: [String], dataThreshold: Int, placeholders: [String: [String]] = [:],
                           explain: Bool = false) throws(Failure) -> RuleTestReport {
        let (rulePaths, testFiles) = RuleTestFiles.resolve(paths)
        var runner = RuleTestRunner(engine: try RuleLoading.engine(paths: rulePaths, placeholders: placeholders).engine)
        runner.explain = explain
        var cases: [RuleTestCase] = []
        var problems: [String] = []
        for file in testFiles {
            let loaded = try RuleTestFile.load(path: file, dataThreshold: dataThreshold)
            cases += loaded.cases
            problems += loaded.problems
        }
        problems += runner.unknownRules(in: cases)
        guard problems.isEmpty else { throw Failure(.data, problems.joined(separator: "\n")) }
        return runner.run(cases)
    }

    /// A `file:line: …` line for each expectation naming a rule id that no loaded rule has.
    public func unknownRules(in cases: [RuleTestCase]) -> [String] {
        cases.flatMap { testCase in
            testCase.expectations.filter { rulesByIdentifier[$0.ruleIdentifier] == nil }.map {
                Diagnostic(file: testCase.file, line: $0.line,
                           message: "case '\(testCase.name)' names rule '\($0.ruleIdentifier)', which no loaded rule has",
                           hint: "use the rule's 'id', or also give the path of the rule file that has it").description
            }
        }
    }

    /// Runs `cases`; an expectation naming an unknown rule counts as failed.
    public func run(_ cases: [RuleTestCase]) -> RuleTestReport {
        var report = RuleTestReport()
        var tested: Set<String> = []
        for testCase in cases {
            let events = self.events(of: testCase)
            let matched = matchingRules(events)
            if explain {
                let text = events.map { event in
                    switch event {
                    case .entry(let entry): engine.explain(entry).text
                    case .assembled(let assembled): engine.explain(assembled).text
                    }
                }.joined(separator: "\n")
                report.explanations.append("\(testCase.file):\(testCase.line): case '\(testCase.name)':\n"
                    + text.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            }
            var passed = true
            for expectation in testCase.expectations {
                tested.insert(expectation.ruleIdentifier)
                let trust = matched[expectation.ruleIdentifier]
                if (trust != nil) == expectation.shouldMatch {
                    guard expectation.shouldMatch, let expected = testCase.expectedTrust, let trust, trust != expected else { continue }
                    passed = false
                    var failure = RuleTestFailure(
                        caseName: testCase.name, file: testCase.file, line: expectation.line,
                        ruleIdentifier: expectation.ruleIdentifier,
                        ruleTitle: rulesByIdentifier[expectation.ruleIdentifier]?.title ?? "unknown rule",
                        expectedMatch: true)
                    failure.trustProblem = expected ? "it matched, but from an untrusted source (CORDON_TRUSTED=0)"
                        : "it matched from a trusted source (CORDON_TRUSTED=1), expected untrusted"
                    report.failures.append(failure)
                    continue
                }
                passed = false
                report.failures.append(RuleTestFailure(
                    caseName: testCase.name, file: testCase.file, line: expectation.line,
                    ruleIdentifier: expectation.ruleIdentifier,
                    ruleTitle: rulesByIdentifier[expectation.ruleIdentifier]?.title ?? "unknown rule",
                    expectedMatch: expectation.shouldMatch))
            }
            if passed { report.passed += 1 } else { report.failed += 1 }
        }
        report.untestedRules = engine.rules.filter { !tested.contains($0.identifier) }
        return report
    }

    /// The ids of the rules that match any of a case's `events`, each with whether a match was
    /// trusted: the one place the runner uses the engine, so it sees events exactly as `run` and
    /// `replay` do.
    func matchingRules(_ events: [RuleTestEvent]) -> [String: Bool] {
        var matches: [Match] = []
        // `evaluate` reuses buffers inside the engine; a copy keeps the runner a value.
        var engine = self.engine
        for event in events {
            switch event {
            case .entry(let entry): engine.evaluate(entry, into: &matches)
            case .assembled(let assembled): engine.evaluate(assembled, into: &matches)
            }
        }
        return Dictionary(matches.map { ($0.rule.identifier, $0.isTrusted) }, uniquingKeysWith: { $0 || $1 })
    }
}
