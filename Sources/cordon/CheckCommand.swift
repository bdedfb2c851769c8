import ArgumentParser
import Daemon

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate rule files; print one line per problem and exit non-zero on any.",
        discussion: "Exit codes: 0 valid, 65 a rule is malformed, 66 a path is missing, 77 no permission."
    )

    @Argument(help: ArgumentHelp("Rule files or directories. Default: the --rules paths, else /etc/cordon/rules.",
                                 valueName: "rules"))
    var paths: [String] = []

    @OptionGroup var rules: RuleOptions

    func run() throws {
        try reporting { () throws(Failure) in
            let configuration = try rules.configuration()
            let targets = paths.isEmpty ? configuration.rulePaths : paths
            let rules = try RuleLoading.rules(paths: targets)
            print("\(rules.count) rules OK in \(targets.joined(separator: ", "))")
        }
    }
}
