import Daemon
import Foundation
import Respond
import Testing

@Suite struct ConfigurationTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "cordon-config-" + UUID().uuidString + ".yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsEverySetting() throws {
        let path = try write("""
            rules: [/a, /b]
            state_directory: /srv/cordon
            data_threshold: 4096
            checkpoint:
              interval_ms: 250
              entries: 50
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try Configuration.load(path: path, required: true)
        #expect(configuration.rulePaths == ["/a", "/b"])
        #expect(configuration.stateDirectory == "/srv/cordon")
        #expect(configuration.dataThreshold == 4096)
        #expect(configuration.checkpointIntervalMilliseconds == 250)
        #expect(configuration.checkpointEntries == 50)
    }

    @Test func shippedDefaultIsValid() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/cordon.yaml").path
        let configuration = try Configuration.load(path: shipped, required: true)
        var expected = Configuration()
        expected.journalTampering = true  // off unless configured; the shipped file turns it on
        expected.response = configuration.response  // checked below
        #expect(configuration == expected)
        // The shipped response section: dry-run, whatever the actions say.
        let response = configuration.response
        #expect(response.mode == .dryRun)
        #expect(response.actions.map(\.name) == ["block-ssh-source", "isolate-host"])
        #expect(response.actions.allSatisfy { response.effectiveMode(of: $0) == .dryRun })
        #expect(response.actions.allSatisfy { !$0.allowsUntrusted })
    }

    @Test func missingOptionalFileGivesDefaults() throws {
        #expect(try Configuration.load(path: "/nonexistent/cordon.yaml", required: false) == Configuration())
    }

    @Test(arguments: [
        ("rules:\n  a: b\n", "1", "'rules' must be a path or a list of paths"),
        ("state_directory: /x\ndata_threshold: 12\n", "2", "'data_threshold' must be a number of bytes"),
        ("checkpoint:\n  interval: 5\n", "2", "unknown setting 'checkpoint.interval'"),
        ("colour: blue\n", "1", "unknown setting 'colour'"),
        ("rules: [unclosed\n", "2", "invalid YAML"),
    ])
    func errorsNameFileAndLine(text: String, line: String, message: String) throws {
        let path = try write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try Configuration.load(path: path, required: true)
        } throws: { error in
            guard let failure = error as? Failure else { return false }
            return failure.status == .data && failure.message.hasPrefix("\(path):\(line): ") && failure.message.contains(message)
        }
    }
}
