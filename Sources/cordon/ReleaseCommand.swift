import ArgumentParser
import Daemon
import Respond

struct ReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Undo applied actions now: run each one's hook with `release`.",
        discussion: """
            Give action ids (from `cordon actions`), or --key KEY (every applied action for that address, \
            user …), or --all. Each release is recorded in the ledger and written to the journal, so the \
            running daemon does not release it again. Exit codes: 0 released (or nothing to release), \
            1 a hook failed, 64 bad usage, 66 no ledger.
            """
    )

    @Argument(help: ArgumentHelp("Action ids to release.", valueName: "action-id"))
    var identifiers: [String] = []

    @Option(help: ArgumentHelp("Release every applied action whose key is this value.", valueName: "key"))
    var key: String?

    @Flag(help: "Release every applied action.")
    var all = false

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The state directory. Default: the configuration's, else /var/lib/cordon.", valueName: "directory"))
    var stateDirectory: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("Configuration file (hook timeouts). Default: /etc/cordon/cordon.yaml if it exists.", valueName: "file"))
    var configurationPath: String?

    func validate() throws {
        let ways = (identifiers.isEmpty ? 0 : 1) + (key == nil ? 0 : 1) + (all ? 1 : 0)
        guard ways == 1 else { throw ValidationError("give action ids, or --key KEY, or --all (one of them)") }
    }

    func run() throws {
        var failed = false
        try reporting { () throws(Failure) in
            let (found, configuration) = try ActionCommands.openLedger(stateDirectory: stateDirectory, configurationPath: configurationPath)
            guard let ledger = found else {
                if !identifiers.isEmpty { throw Failure(.usage, "no action \(identifiers[0]): no action was recorded in \(configuration.stateDirectory)") }
                print("Nothing to release.")
                return
            }
            let applied = ledger.records.filter { $0.status == .applied }
            let targets: [ActionRecord]
            if all {
                targets = applied
            } else if let key {
                targets = applied.filter { $0.key == key }
            } else {
                for identifier in identifiers where ledger.record(identifier) == nil {
                    throw Failure(.usage, "no action \(identifier) in \(ledger.path); `cordon actions` lists them")
                }
                targets = identifiers.compactMap { identifier in ledger.record(identifier) }
            }
            if targets.isEmpty { print("Nothing to release.") }
            let responder = Responder(configuration: configuration.response, ledger: ledger, logger: LogSetup.logger())
            for record in targets {
                let result: (ActionResult, String?)
                do {
                    result = try responder.release(record.id, by: "operator")
                } catch {
                    throw Failure(.cannotCreate, "\(error); run as root")
                }
                switch result.0 {
                case .released: print("released \(record.id) (\(record.action)\(record.key.isEmpty ? "" : " " + record.key))")
                case .skipped: print("\(record.id): \(result.1 ?? "not in place") (status \(ledger.record(record.id)?.status.rawValue ?? "?"))")
                default:
                    failed = true
                    printToStandardError("cordon: release of \(record.id) failed: \(result.1 ?? "the hook failed")")
                }
            }
        }
        if failed { throw ExitCode(1) }
    }
}
