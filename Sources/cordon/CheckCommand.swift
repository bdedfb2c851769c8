import ArgumentParser
import Daemon

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate rule files: one line per problem on stderr, 'file:line:column: error|warning: what — what to do'.",
        discussion: """
            Loads the rules, Sigma filters and log source mappings at the paths, compiles them as the daemon \
            would, and reports every problem. The configuration (--config, else /etc/cordon/cordon.yaml if it \
            exists) is checked too, its `response:` actions included; an action whose trigger names a rule \
            that is not loaded is a warning. Warnings (e.g. a rule whose log source is not mapped, so it is \
            never evaluated) do not fail the check.
            Exit codes: 0 valid, 65 a rule is malformed, 66 a path is missing, 77 no permission.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: ArgumentHelp("Rule files or directories. Default: the --rules paths, else /etc/cordon/rules.",
                                 valueName: "rules"))
    var paths: [String] = []

    @OptionGroup var rules: RuleOptions

    @Option(help: "Output format: text (one line per problem) or json (for tools).")
    var format: Format = .text

    @Flag(help: "Print a compatibility report instead: rule files evaluated, loaded but not mapped, rejected and why, grouped. Exits 0.")
    var summary = false

    func run() throws {
        try reporting { () throws(Failure) in
            let configuration = try rules.configuration()
            let targets = paths.isEmpty ? configuration.rulePaths : paths
            let report = RuleLoading.report(paths: targets, placeholders: configuration.placeholders)
            let check = CheckReport(report)
            if summary {
                print("Sigma compatibility of \(targets.joined(separator: " "))")
                print(check.compatibility)
                return
            }
            var response = configuration.response
            let configurationFile = rules.configurationPath ?? Configuration.defaultPath
            let unknownRules = response.resolveRuleNames(RuleLoading.ruleIdentifiers(report)).map { unknown in
                let line = response.actions.first { $0.name == unknown.action }?.line ?? 1
                return "\(configurationFile):\(line): warning: action '\(unknown.action)' triggers on rule '\(unknown.reference)', "
                    + "which is not among the loaded rules; check its id or name"
            }
            switch format {
            case .text:
                for line in check.diagnosticLines + unknownRules { printToStandardError(line) }
                print(check.summaryLine)
            case .json:
                print(check.json)
            }
            if let status = check.status { throw Failure(status, "") }
        }
    }
}
