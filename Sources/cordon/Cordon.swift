import ArgumentParser
import Daemon
import Parse

@main
struct Cordon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cordon",
        abstract: "Watches the systemd journal for signs of compromise and writes alerts back into it.",
        discussion: """
            Alerts are journal entries with MESSAGE_ID=\(CordonMessageID.alert):
              journalctl MESSAGE_ID=\(CordonMessageID.alert) -o json
            """,
        version: CordonVersion.string,
        subcommands: [RunCommand.self, ReplayCommand.self, CheckCommand.self, TestCommand.self, AlertsCommand.self, ActionsCommand.self,
                      ReleaseCommand.self, LearnCommand.self, ModelCommand.self, VersionCommand.self]
    )
}
