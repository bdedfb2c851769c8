import ArgumentParser
import Daemon

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Cordon's version.")

    func run() {
        print("cordon \(CordonVersion.string)")
    }
}
