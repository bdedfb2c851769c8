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
    /// Correlation rules and detectors; each case runs them on a fresh state.
    let correlations: [CorrelationRule]
    /// Base rule id → Sigma `name`, for correlation references.
    let ruleNames: [String: String]

    /// Makes a runner over `engine`'s rules.
    /// - Parameters:
    ///   - engine: the compiled rules.
    ///   - correlations: correlation rules and detectors over the rules' matches (the engine must
    ///     capture their fields: `RuleLoading.detection` sets that up).
    public init(engine: Engine, correlations: [CorrelationRule] = []) {
        self.engine = engine
        self.rulesByIdentifier = Dictionary(engine.rules.map { ($0.identifier, $0) }, uniquingKeysWith: { first, _ in first })
        self.correlations = correlations
        var names: [String: String] = [:]
        for rule in engine.rules { if let name = rule.name { names[rule.identifier] = name } }
        self.ruleNames = names
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
        let (detection, _) = try RuleLoading.detection(paths: rulePaths, placeholders: placeholders, maximumGroups: 100_000)
        var runner = RuleTestRunner(engine: detection.engine, correlations: detection.correlator?.rules ?? [])
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
            testCase.expectations.filter { expectation in
                rulesByIdentifier[expectation.ruleIdentifier] == nil
                    && !correlations.contains { $0.identifier == expectation.ruleIdentifier }
            }.map {
                Diagnostic(file: testCase.file, line: $0.line,
                           message: "case '\(testCase.name)' names rule '\($0.ruleIdentifier)', which no loaded rule has",
                           hint: "use the rule's 'id', or also give the path of the rule file that has it").description
            }
        }
    }

    /// Runs `cases`; an expectation naming an unknown rule counts as failed.
    public func run(_ cases: [RuleTestCase]) -> RuleTestReport {
        var report = RuleTestReport()
        var mustMatch: Set<String> = [], mustNotMatch: Set<String> = []
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
                if expectation.shouldMatch {
                    mustMatch.insert(expectation.ruleIdentifier)
                } else {
                    mustNotMatch.insert(expectation.ruleIdentifier)
                }
                let trust = matched[expectation.ruleIdentifier]
                if (trust != nil) == expectation.shouldMatch {
                    guard expectation.shouldMatch, let expected = testCase.expectedTrust, let trust, trust != expected else { continue }
                    passed = false
                    var failure = RuleTestFailure(
                        caseName: testCase.name, file: testCase.file, line: expectation.line,
                        ruleIdentifier: expectation.ruleIdentifier,
                        ruleTitle: title(of: expectation.ruleIdentifier), expectedMatch: true)
                    failure.trustProblem = expected ? "it matched, but from an untrusted source (CORDON_TRUSTED=0)"
                        : "it matched from a trusted source (CORDON_TRUSTED=1), expected untrusted"
                    report.failures.append(failure)
                    continue
                }
                passed = false
                report.failures.append(RuleTestFailure(
                    caseName: testCase.name, file: testCase.file, line: expectation.line,
                    ruleIdentifier: expectation.ruleIdentifier,
                    ruleTitle: title(of: expectation.ruleIdentifier), expectedMatch: expectation.shouldMatch))
            }
            if passed { report.passed += 1 } else { report.failed += 1 }
        }
        let tested = mustMatch.union(mustNotMatch)
        report.untestedRules = engine.rules.filter { !tested.contains($0.identifier) }
        report.untestedCorrelations = correlations.filter { !tested.contains($0.identifier) }
        let loaded = engine.rules.map { ($0.identifier, $0.title, $0.location) }
            + correlations.map { ($0.identifier, $0.title, $0.location) }
        for (identifier, title, location) in loaded where tested.contains(identifier) {
            if !mustMatch.contains(identifier) {
                report.oneSided.append(OneSidedRule(identifier: identifier, title: title, location: location, missingMatch: true))
            } else if !mustNotMatch.contains(identifier) {
                report.oneSided.append(OneSidedRule(identifier: identifier, title: title, location: location, missingMatch: false))
            }
        }
        return report
    }

    /// The title of a base or correlation rule.
    private func title(of identifier: String) -> String {
        rulesByIdentifier[identifier]?.title ?? correlations.first { $0.identifier == identifier }?.title ?? "unknown rule"
    }

    /// The ids of the rules that match any of a case's `events`, each with whether a match was
    /// trusted: the one place the runner uses the engine, so it sees events exactly as `run` and
    /// `replay` do.
    ///
    /// Correlation rules and detectors run on a fresh state per case, in the case's entry time:
    /// every match of a rule they read is observed, and time advances with each entry.
    func matchingRules(_ events: [RuleTestEvent]) -> [String: Bool] {
        var matched: [String: Bool] = [:]
        var matches: [Match] = []
        var correlationMatches: [CorrelationMatch] = []
        let correlator = correlations.isEmpty ? nil
            : Correlator(rules: correlations, ruleNames: ruleNames, maximumGroupsPerRule: 100_000, makeState: Detectors.makeState)
        // `evaluate` reuses buffers inside the engine; a copy keeps the runner a value.
        var engine = self.engine
        for event in events {
            matches.removeAll(keepingCapacity: true)
            let entry: JournalEntry
            let cursor: Cursor
            switch event {
            case .entry(let plain):
                engine.evaluate(plain, into: &matches)
                entry = plain
                cursor = plain.cursor ?? Self.madeUpCursor
            case .assembled(let assembled):
                engine.evaluate(assembled, into: &matches)
                entry = assembled.event.entry
                cursor = assembled.cursor
            }
            for match in matches { matched[match.rule.identifier] = (matched[match.rule.identifier] ?? false) || match.isTrusted }
            guard let correlator else { continue }
            correlationMatches.removeAll(keepingCapacity: true)
            correlator.advance(to: entry.realtime, into: &correlationMatches)
            for match in matches where correlator.refers(to: match.rule.identifier) {
                correlator.observe(Observation(match, realtime: entry.realtime, cursor: cursor), into: &correlationMatches)
            }
            for match in correlationMatches {
                matched[match.rule.identifier] = (matched[match.rule.identifier] ?? false) || match.isTrusted
            }
        }
        return matched
    }
}
