import ArgumentParser
import Daemon

/// `cordon test`: runs the cases in the rule test files (`X.test.yml`) beside the rules.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the rule tests (X.test.yml beside the rule X.yml); print each failure and a summary.",
        discussion: """
            Each case gives one event (journal entries, such as the records of an audit event, or \
            with kind: an assembled event) and the rule ids that must (match) and must not (no_match) \
            match it; see README.md, "Testing rules". Exit codes: 0 all cases pass, 1 a case failed \
            (with --strict, also a rule without a case that must match or one that must not), \
            65 a rule or test file is malformed, 66 a path is missing, 77 no permission.
            """
    )

    /// Rule files, test files and directories.
    @Argument(help: ArgumentHelp("Rule files, test files or directories. Default: the --rules paths, else /etc/cordon/rules.",
                                 valueName: "rules"))
    var paths: [String] = []

    /// `--rules`, `--config`, `--data-threshold`.
    @OptionGroup var rules: RuleOptions

    /// `--explain`.
    @Flag(help: "For every case, print which rules were considered, which selections held and why each condition did or did not.")
    var explain = false

    /// `--strict`.
    @Flag(help: "Fail (exit 1) also when a rule has no tests, or no case where it must match, or none where it must not.")
    var strict = false

    /// Runs every case; exits 1 when one fails (with --strict, also on a warning).
    func run() throws {
        var failed = false
        try reporting { () throws(Failure) in
            let configuration = try rules.configuration()
            let targets = paths.isEmpty ? configuration.rulePaths : paths
            let report = try RuleTestRunner.run(paths: targets, dataThreshold: configuration.dataThreshold,
                                                placeholders: configuration.placeholders, explain: explain)
            for explanation in report.explanations { print(explanation) }
            for failure in report.failures { print(failure) }
            for warning in report.warnings { print(warning) }
            print(report.summary)
            failed = report.failed > 0 || (strict && !report.warnings.isEmpty)
        }
        if failed { throw ExitCode(1) }
    }
}
