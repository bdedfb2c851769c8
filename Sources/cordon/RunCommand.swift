import ArgumentParser
import Daemon
import Journal

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon in the foreground: tail the journal, write alerts into it.",
        discussion: """
            Reads the local journal unless --directory or --file is given. Starts after the saved \
            cursor in the state directory; on a first start, at the tail (or the head with \
            --from-start). SIGTERM or SIGINT stop it after the checkpoint is saved. SIGHUP reads \
            the configuration and rules again; on an error the rules in effect stay and the error is \
            written to the journal. Under systemd (Type=notify) it reports READY, STATUS, \
            RELOADING, STOPPING and WATCHDOG pings from its detection loop.
            """
    )

    @OptionGroup var rules: RuleOptions

    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "Where the checkpoint is kept. Default: /var/lib/cordon.", valueName: "directory"))
    var stateDirectory: String?

    @OptionGroup var journal: JournalSourceOptions

    @Flag(name: .customLong("from-start"), help: "On a first start (no saved cursor), begin at the oldest entry instead of the tail.")
    var fromStart = false

    @Flag(help: "Log debug messages.")
    var verbose = false

    func run() throws {
        try reporting { () throws(Failure) in
            let stateDirectory = stateDirectory
            let rules = rules
            /// The configuration file with the flags on top; read again on SIGHUP.
            let configure = { () throws(Failure) -> Configuration in
                var configuration = try rules.configuration()
                if let stateDirectory { configuration.stateDirectory = stateDirectory }
                return configuration
            }
            let source = journal.source ?? .local
            let runner = Runner(configuration: try configure(), source: source, fromStart: fromStart,
                                logger: LogSetup.logger(verbose: verbose), reloadConfiguration: configure)
            _ = try runner.run()
        }
    }
}
