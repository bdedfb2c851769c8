import Foundation
import Glibc
import Journal
import Testing

/// Each bad input gives one line naming the file (and line), what is wrong and what to do, and a
/// sysexits code. These need no journald except the ones marked.
@Suite
struct BadInputTests {
    func cordon(_ arguments: [String]) throws -> CommandResult {
        try runCommand([Paths.cordon] + arguments)
    }

    /// Runs `cordon` as the user nobody (setpriv), for permission errors: root reads anything.
    func cordonAsNobody(_ arguments: [String]) throws -> CommandResult {
        try runCommand(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Paths.cordonForAnyUser] + arguments)
    }

    func expectOneLine(_ result: CommandResult, status: Int32, containing parts: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "stderr: \(result.standardError)", sourceLocation: sourceLocation)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(result.standardError)", sourceLocation: sourceLocation)
        for part in parts {
            #expect(result.standardError.contains(part), "missing '\(part)' in: \(result.standardError)", sourceLocation: sourceLocation)
        }
    }

    @Test func missingJournalFile() throws {
        expectOneLine(try cordon(["replay", "--rules", Paths.shippedRules, "/nonexistent/x.journal"]), status: 66,
                      containing: ["/nonexistent/x.journal", "no such file", "check the path"])
        expectOneLine(try cordon(["run", "--rules", Paths.shippedRules, "--state-dir", "/tmp/cordon-unused-state", "--file", "/nonexistent/y.journal"]),
                      status: 66, containing: ["/nonexistent/y.journal", "no such file"])
    }

    @Test func unreadableJournalFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        chmod(directory.path, 0o755)
        let file = try makeJournal(export: { var b: [UInt8] = []; ExportFormat.append(exportEntry(realtime: 1_700_000_000_000_000, fields: [("MESSAGE", Array("x".utf8))]), to: &b); return b }(),
                                   directory: directory.path)
        chmod(file, 0o600)
        expectOneLine(try cordonAsNobody(["replay", "--rules", Paths.shippedRulesForAnyUser, file]), status: 77,
                      containing: [file, "permission denied", "run as root"])
    }

    @Test func journalBehindADirectoryWithoutPermission() throws {
        let directory = try TemporaryDirectory()  // mode 0700: nobody may not enter it
        defer { directory.remove() }
        let file = directory.path + "/x.journal"
        expectOneLine(try cordonAsNobody(["replay", "--rules", Paths.shippedRulesForAnyUser, file]), status: 77,
                      containing: [file, "permission denied"])
        expectOneLine(try cordonAsNobody(["run", "--rules", Paths.shippedRulesForAnyUser, "--state-dir", "/tmp", "--file", file]),
                      status: 77, containing: [file, "permission denied"])
    }

    @Test func localJournalWithoutPermission() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        chmod(directory.path, 0o777)
        let result = try cordonAsNobody(["run", "--rules", Paths.shippedRulesForAnyUser, "--state-dir", directory.path + "/state"])
        expectOneLine(result, status: 77, containing: ["journal", "systemd-journal group"])
    }

    @Test func rulesBehindADirectoryWithoutPermission() throws {
        let directory = try TemporaryDirectory()  // mode 0700: nobody may not enter it
        defer { directory.remove() }
        let rule = try directory.write("rules/r.yml", "title: t\n")
        expectOneLine(try cordonAsNobody(["check", rule]), status: 77, containing: [rule, "permission denied", "run as root"])
    }

    @Test func notAJournalFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("garbage.journal", String(repeating: "not a journal ", count: 1000))
        let result = try cordon(["replay", "--rules", Paths.shippedRules, file])
        expectOneLine(result, status: 65, containing: [file])
    }

    @Test func malformedRule() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("bad.yml", """
            title: Bad
            id: 6f2d9c1e-0000-4000-8000-000000000001
            level: high
            logsource:
                product: linux
            detection:
                selection:
                    MESSAGE|contans: x
                condition: selection
            """)
        expectOneLine(try cordon(["check", file]), status: 65, containing: ["\(file):8:", "contans", "contains"])
        expectOneLine(try cordon(["replay", "--rules", file, "/nonexistent.journal"]), status: 65, containing: ["\(file):8:"])
    }

    @Test func yamlSyntaxError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("broken.yml", "title: x\ndetection: [unclosed\n")
        let result = try cordon(["check", file])
        #expect(result.status == 65)
        #expect(result.standardError.contains(file + ":"))
    }

    @Test func missingRulePath() throws {
        expectOneLine(try cordon(["check", "/nonexistent/rules"]), status: 66, containing: ["/nonexistent/rules"])
    }

    @Test func shippedRulesAreValid() throws {
        let result = try cordon(["check", Paths.shippedRules])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("103 rules OK (27 correlations)"), "\(result.standardOutput)")
    }

    @Test func corruptCursorFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The local journal's checkpoint, and a host's in fleet mode (journal files).
        let journalFile = try makeJournal(export: { var b: [UInt8] = []; ExportFormat.append(exportEntry(realtime: 1_700_000_000_000_000, fields: [("MESSAGE", Array("x".utf8))]), to: &b); return b }(),
                                          directory: directory.path + "/j")
        for (name, source) in [("checkpoint", [String]()), ("hosts/\(fixtureMachineID)/checkpoint", ["--file", journalFile])] {
            let checkpoint = try directory.write("state/" + name, "cordon-checkpoint 1\ncursor \u{1}garbage\nsaved 12\n")
            expectOneLine(try cordon(["run", "--rules", Paths.shippedRules, "--state-dir", directory.path + "/state"] + source),
                          status: 65, containing: ["\(checkpoint):2:", "not a journal cursor", "delete it"])
            _ = try directory.write("state/" + name, "something else entirely\n")
            expectOneLine(try cordon(["run", "--rules", Paths.shippedRules, "--state-dir", directory.path + "/state"] + source),
                          status: 65, containing: ["\(checkpoint):1:", "not a Cordon checkpoint file"])
            try FileManager.default.removeItem(atPath: checkpoint)
        }
    }

    @Test func badConfiguration() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("cordon.yaml", "rules: /etc/cordon/rules\nstate_dir: /tmp\n")
        expectOneLine(try cordon(["check", "--config", file, Paths.shippedRules]), status: 65,
                      containing: ["\(file):2:", "unknown setting 'state_dir'"])
        expectOneLine(try cordon(["check", "--config", "/nonexistent/cordon.yaml", Paths.shippedRules]), status: 66,
                      containing: ["/nonexistent/cordon.yaml"])
    }

    @Test func configurationFileIsUsedAndFlagsWin() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("cordon.yaml", "rules:\n  - \(Paths.shippedRules)/credential-access\n")
        let fromFile = try cordon(["check", "--config", file])
        #expect(fromFile.standardOutput.contains("13 rules OK (5 correlations)"), "\(fromFile.standardOutput)")
        let fromFlag = try cordon(["check", "--config", file, "--rules", Paths.shippedRules])
        #expect(fromFlag.standardOutput.contains("103 rules OK (27 correlations)"), "\(fromFlag.standardOutput)")
    }

    @Test func usageErrors() throws {
        let both = try cordon(["run", "--directory", "/tmp", "--file", "/tmp/x.journal"])
        #expect(both.status == 64)
        #expect(both.standardError.contains("--directory or --file"))
        #expect(try cordon(["replay"]).status == 64)
        #expect(try cordon(["replay", "-o", "xml", "/tmp/x.journal"]).status == 64)
        #expect(try cordon(["frobnicate"]).status == 64)
        #expect(try cordon(["run", "--data-threshold", "3"]).status == 64)
    }

    @Test func version() throws {
        let result = try cordon(["version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("cordon 0."))
    }
}
