import Foundation
import Testing

/// `cordon test`: rule tests beside the rules, as a user runs them. No journald needed except
/// for the comparison with `replay`, which uses `systemd-journal-remote`.
@Suite
struct RuleTestCommandTests {
    let rule = """
        title: Marker seen
        id: 9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01
        level: high
        logsource: {product: linux}
        detection:
            selection:
                MESSAGE|contains: marker
                _EXE: /usr/bin/marker
            condition: selection

        """

    @Test func shippedRulesPassTheirTestsAndEveryRuleHasSome() throws {
        let result = try runCommand([Paths.cordon, "test", "--strict", Paths.shippedRules])
        #expect(result.status == 0, "stdout: \(result.standardOutput) stderr: \(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardOutput)")
        #expect(lines.last?.hasSuffix(" passed, 0 failed") == true)
        #expect(result.standardError.isEmpty)
        // `check` and `replay` walk the same directory and skip the test files.
        #expect(try runCommand([Paths.cordon, "check", Paths.shippedRules]).status == 0)
    }

    @Test func aRuleTestedOnOneSideIsAWarningThatStrictFails() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ruleFile = try directory.write("marker.yml", rule)
        _ = try directory.write("marker.test.yml", """
            - name: marker from the marker binary
              event: {MESSAGE: a marker, _EXE: /usr/bin/marker}
              match: [9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01]

            """)
        let lenient = try runCommand([Paths.cordon, "test", directory.path])
        #expect(lenient.status == 0)
        #expect(lenient.standardOutput.contains("\(ruleFile):1:1: warning: rule 9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01 (Marker seen) has no case where it must not match"),
                "\(lenient.standardOutput)")
        #expect(try runCommand([Paths.cordon, "test", "--strict", directory.path]).status == 1)

        _ = try directory.write("marker.test.yml", """
            - name: a look-alike from another binary
              event: {MESSAGE: a marker, _EXE: /usr/bin/other}
              no_match: [9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01]

            """)
        let onlyNegative = try runCommand([Paths.cordon, "test", "--strict", directory.path])
        #expect(onlyNegative.status == 1)
        #expect(onlyNegative.standardOutput.contains("has no case where it must match"), "\(onlyNegative.standardOutput)")

        _ = try directory.write("marker.test.yml", """
            - name: marker from the marker binary
              event: {MESSAGE: a marker, _EXE: /usr/bin/marker}
              match: [9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01]
            - name: a look-alike from another binary
              event: {MESSAGE: a marker, _EXE: /usr/bin/other}
              no_match: [9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01]

            """)
        let both = try runCommand([Paths.cordon, "test", "--strict", directory.path])
        #expect(both.status == 0, "\(both.standardOutput)")
        #expect(both.standardOutput == "2 passed, 0 failed\n")
    }

    @Test func failingCaseExitsOneAndNamesTheLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write("marker.yml", rule)
        let tests = try directory.write("marker.test.yml", """
            - name: marker from the marker binary
              event: {MESSAGE: a marker, _EXE: /usr/bin/marker}
              match: [9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01]
            - name: forged marker
              event:
                MESSAGE: a marker
                _EXE: /usr/bin/logger
              match:
                - 9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01
            """)
        let result = try runCommand([Paths.cordon, "test", directory.path])
        #expect(result.status == 1, "stderr: \(result.standardError)")
        #expect(result.standardOutput == """
            \(tests):9: case 'forged marker': expected rule 9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01 (Marker seen) to match, it did not
            \(directory.path)/marker.yml:1:1: warning: rule 9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01 (Marker seen) has no case where it must not match — add a benign look-alike listing it under 'no_match:' to \(tests)
            1 passed, 1 failed

            """)
    }

    @Test func malformedTestFileExitsSixtyFiveWithFileAndLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ruleFile = try directory.write("marker.yml", rule)
        let tests = try directory.write("marker.test.yml", """
            - name: bad field
              event:
                MESSAGE: a marker
                exe: /usr/bin/marker
              match: [9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01]
            """)
        // The rule file given directly brings its test file.
        let result = try runCommand([Paths.cordon, "test", ruleFile])
        #expect(result.status == 65)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "cordon: \(tests):4: error: 'exe' is not a journal field name — "
            + "use upper-case letters, digits and '_' as the journal does (MESSAGE, _EXE, SYSLOG_IDENTIFIER)\n")

        _ = try directory.write("marker.test.yml", "- name: unknown rule\n  event: {MESSAGE: marker}\n  no_match: [no-such-rule]\n")
        let unknown = try runCommand([Paths.cordon, "test", directory.path])
        #expect(unknown.status == 65)
        #expect(unknown.standardError.hasPrefix("cordon: \(tests):3: error: case 'unknown rule' names rule 'no-such-rule', which no loaded rule has"))
    }

    @Test func missingPathExitsSixtySix() throws {
        let result = try runCommand([Paths.cordon, "test", "/nonexistent/rules"])
        #expect(result.status == 66)
        #expect(result.standardError.contains("/nonexistent/rules: error: no such file or directory"))
    }

    /// The export snippet of a test, made into a journal file and replayed, gives the alerts the
    /// test expects: a test sees an entry as `replay` does.
    @Test func exportCaseAgreesWithReplay() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write("rules/marker.yml", rule)
        let export = """
            __REALTIME_TIMESTAMP=1709251200000000
            __MONOTONIC_TIMESTAMP=1000
            _BOOT_ID=5a9e1d0c2b3f4a5e8d7c6b5a49382716
            MESSAGE=a marker
            _EXE=/usr/bin/marker

            """
        let indented = export.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        _ = try directory.write("rules/marker.test.yml", """
            - name: exported marker
              export: |
            \(indented)
              match: [9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01]
            """)
        let test = try runCommand([Paths.cordon, "test", directory.path + "/rules"])
        #expect(test.status == 0, "\(test.standardOutput) \(test.standardError)")
        let journal = try makeJournal(export: Array((export + "\n").utf8), directory: directory.path + "/journal")  // An empty line ends the entry.
        let replay = try runCommand([Paths.cordon, "replay", "--rules", directory.path + "/rules", "-o", "json", journal])
        #expect(replay.status == 0, "\(replay.standardError)")
        #expect(replay.standardOutput.split(separator: "\n").count == 1)
        #expect(replay.standardOutput.contains("9b0c5a57-0a4b-4f7e-9d55-5d7d7f0a1c01"))
    }

    /// SigmaHQ's "Linux Shell Pipe to Shell" and its tests beside the repository's fixtures.
    static let pipeShellRule = Paths.sigmaLinuxRules + "/process_creation/proc_creation_lnx_susp_pipe_shell.yml"
    static let pipeShellTests = Paths.fixtures + "/rule-tests/proc_creation_lnx_susp_pipe_shell.test.yml"

    @Test func assembledEventCasesRunUnderTheShippedMapping() throws {
        let result = try runCommand([Paths.cordon, "test", Paths.logSources, Self.pipeShellRule, Self.pipeShellTests])
        #expect(result.status == 0, "stdout: \(result.standardOutput) stderr: \(result.standardError)")
        #expect(result.standardOutput == "5 passed, 0 failed\n")
        #expect(result.standardError.isEmpty)

        let explained = try runCommand([Paths.cordon, "test", "--explain", Paths.logSources, Self.pipeShellRule, Self.pipeShellTests])
        #expect(explained.status == 0)
        #expect(explained.standardOutput.contains("\(Self.pipeShellTests):40: case 'the audit records of the bash -c exec, as journald stores them':\n"
            + "    entry s=export;i=1\n"))
        #expect(explained.standardOutput.contains("    entry s=export;i=1 (process_creation event)\n"))

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tests = try directory.write("pipe.test.yml", """
            - name: kind with export
              export: |
                MESSAGE=x
              kind: process_creation
              match: [880973f3-9708-491c-a77b-2a35a1921158]
            """)
        let malformed = try runCommand([Paths.cordon, "test", Paths.logSources, Self.pipeShellRule, tests])
        #expect(malformed.status == 65)
        #expect(malformed.standardError == "cordon: \(tests):4: error: 'kind' applies to 'event:', not to 'export:' — "
            + "remove 'kind' to assemble the export's entries as run and replay do, or give the event's fields under 'event:'\n")
    }

    /// The audit records of one exec, pasted into a test as journald stores them and replayed from
    /// a journal file, give the same verdict: a test assembles them as `replay` does.
    @Test func auditRecordsExportAgreesWithReplay() throws {
        let exported = try runCommand(["python3", Paths.packageRoot + "/scripts/audit-export.py",
                                       Paths.fixtures + "/audit/curl-pipe-sh.log"])
        #expect(exported.status == 0, "\(exported.standardError)")
        // The SYSCALL, EXECVE, CWD, PATH and PROCTITLE records of `bash -c 'curl … | sh'`.
        let records = exported.standardOutput.components(separatedBy: "\n\n").filter { $0.contains("\n_AUDIT_ID=4232\n") }
        #expect(records.count == 6)
        let export = records.joined(separator: "\n\n") + "\n"
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let indented = export.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }
            .joined(separator: "\n")
        let tests = try directory.write("pipe.test.yml", """
            - name: bash -c pipes curl into sh
              export: |
            \(indented)
              match: [880973f3-9708-491c-a77b-2a35a1921158]
              trusted: true
            """)
        let test = try runCommand([Paths.cordon, "test", Paths.logSources, Self.pipeShellRule, tests])
        #expect(test.status == 0, "\(test.standardOutput) \(test.standardError)")
        // Only the outcome: SigmaHQ's rule has no case here where it must not match (a warning).
        #expect(test.standardOutput.hasSuffix("1 passed, 0 failed\n"), "\(test.standardOutput)")
        #expect(!test.standardOutput.contains("expected rule"))

        let journal = try makeJournal(export: Array((export + "\n").utf8), directory: directory.path + "/journal")
        let replay = try runCommand([Paths.cordon, "replay", "--rules", Paths.logSources, "--rules", Self.pipeShellRule,
                                     "-o", "json", journal])
        #expect(replay.status == 0, "\(replay.standardError)")
        let alerts = replay.standardOutput.split(separator: "\n")
        #expect(alerts.count == 1)
        #expect(alerts.first?.contains("880973f3-9708-491c-a77b-2a35a1921158") == true)
        #expect(alerts.first?.contains("\"CORDON_TRUSTED\":\"1\"") == true)
    }
}
