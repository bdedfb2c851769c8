import ArgumentParser
import Glibc
import Daemon
import Respond

struct ActionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actions",
        abstract: "List active and recent actions from the action ledger in the state directory.",
        discussion: """
            Times are UTC (µs since the epoch in JSON). STATUS is applying, applied, releasing, released, \
            failed, would-run (dry-run) or skipped (a guardrail stopped it; see journalctl \
            CORDON_ACTION_ID=ID). Undo one with `cordon release ID`.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The state directory. Default: the configuration's, else /var/lib/cordon.", valueName: "directory"))
    var stateDirectory: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("Configuration file. Default: /etc/cordon/cordon.yaml if it exists.", valueName: "file"))
    var configurationPath: String?

    @Flag(help: "List every action the ledger holds, not only active ones and the latest 20.")
    var all = false

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (one object per line).")
    var format: Format = .text

    func run() throws {
        try reporting { () throws(Failure) in
            let ledger = try ActionCommands.openLedger(stateDirectory: stateDirectory, configurationPath: configurationPath).ledger
            let records = ActionTable.select(ledger?.records ?? [], recent: all ? nil : 20)
            switch format {
            case .text: print(records.isEmpty ? "No actions." : ActionTable.text(records))
            case .json: if !records.isEmpty { print(ActionTable.json(records)) }
            }
        }
    }
}

/// What `actions` and `release` share.
enum ActionCommands {
    /// The ledger of the state directory; nil when no action was ever recorded there (nothing is created).
    static func openLedger(stateDirectory: String?, configurationPath: String?) throws(Failure) -> (ledger: ActionLedger?, configuration: Configuration) {
        var configuration = try Configuration.load(path: configurationPath ?? Configuration.defaultPath, required: configurationPath != nil)
        if let stateDirectory { configuration.stateDirectory = stateDirectory }
        let path = configuration.stateDirectory + "/actions"
        if access(path, F_OK) != 0 {
            guard errno == ENOENT else { throw Failure(.permission, "\(path): \(String(cString: strerror(errno))); run as root") }
            return (nil, configuration)
        }
        do {
            return (try ActionLedger(directory: configuration.stateDirectory), configuration)
        } catch {
            throw Failure(.noInput, "\(error); give the daemon's --state-dir, and run as root")
        }
    }
}
