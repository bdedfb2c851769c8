import ArgumentParser
import Daemon
import Detect

/// `--state-dir` with the rule options, for the model subcommands.
struct ModelOptions: ParsableArguments {
    @OptionGroup var rules: RuleOptions

    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "Where the checkpoint and model are kept. Default: /var/lib/cordon.", valueName: "directory"))
    var stateDirectory: String?

    func configuration() throws(Failure) -> Configuration {
        var configuration = try rules.configuration()
        if let stateDirectory { configuration.stateDirectory = stateDirectory }
        return configuration
    }
}

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Show, export or correct the learned anomaly model.",
        subcommands: [Show.self, Export.self, Forget.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Learning state, message categories per source (with counts and examples), executables and logins.")

        @OptionGroup var options: ModelOptions

        @Option(help: ArgumentHelp("Only sources (and executables) matching this `*` pattern, e.g. 'ssh*'.", valueName: "pattern"))
        var source: String?

        @Option(help: ArgumentHelp("Categories shown per source (most frequent first). Default: 20.", valueName: "n"))
        var limit = 20

        func run() throws {
            try reporting { () throws(Failure) in
                let inspection = try ModelInspection(configuration: try options.configuration())
                print(inspection.text(source: source, limit: max(1, limit)))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The whole model as one JSON object.")

        @OptionGroup var options: ModelOptions

        func run() throws {
            try reporting { () throws(Failure) in
                print(try ModelInspection(configuration: try options.configuration()).json)
            }
        }
    }

    struct Forget: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a category or value as normal: its anomaly alerts stop.",
            discussion: """
                VALUE is an alert's CORDON_ANOMALY_VALUE: a category id (16 hex digits), \
                '<unit>: <executable>', 'process: <executable>', '<user> from <network>' or \
                '<user> at <HH>:00'. It is appended to <state-dir>/model-normal; the daemon reads \
                that file when it starts and on `systemctl reload cordon`.
                """)

        @OptionGroup var options: ModelOptions

        @Argument(help: ArgumentHelp("The CORDON_ANOMALY_VALUE of the alert.", valueName: "value"))
        var value: String

        func run() throws {
            try reporting { () throws(Failure) in
                let configuration = try options.configuration()
                let store = ModelStore(directory: configuration.stateDirectory)
                if let inspection = try? ModelInspection(configuration: configuration), !inspection.model.knows(value) {
                    printToStandardError("cordon: note: '\(value)' is not in the model (yet); marking it normal anyway")
                }
                try store.markNormal(value)
                print("cordon: '\(value)' marked normal in \(store.normalPath); `systemctl reload cordon` applies it to the running daemon")
            }
        }
    }
}
