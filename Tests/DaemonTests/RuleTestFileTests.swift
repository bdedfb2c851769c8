import Foundation
import Journal
import Testing
@testable import Daemon

@Suite struct RuleTestFileTests {
    @Test func eventMapGivesFieldsAsWrittenInOrder() throws {
        let (cases, problems) = RuleTestFile.parse("""
            - name: one
              event:
                MESSAGE: Failed password for root
                _UID: 0
                _PID: 0x10
                TAG: [a, b]
                BLOB: !!binary AAEK/w==
              match: [rule-a, rule-b]
              no_match: rule-c
            """, file: "x.test.yml")
        #expect(problems.isEmpty, "\(problems)")
        let testCase = try #require(cases.first)
        #expect(testCase.name == "one")
        #expect(testCase.line == 1)
        #expect(testCase.kind == nil)
        #expect(testCase.entries.count == 1)
        let entry = try #require(testCase.entries.first)
        #expect(entry.fields.map(\.nameString) == ["MESSAGE", "_UID", "_PID", "TAG", "TAG", "BLOB"])
        #expect(entry.string("_UID") == "0")
        #expect(entry.string("_PID") == "0x10")
        #expect(entry.fields.filter { $0.nameString == "TAG" }.map { String(decoding: $0.value, as: UTF8.self) } == ["a", "b"])
        #expect(entry.value(of: "BLOB").map(Array.init) == [0x00, 0x01, 0x0a, 0xff])
        #expect(testCase.expectations == [
            RuleTestExpectation(ruleIdentifier: "rule-a", shouldMatch: true, line: 8),
            RuleTestExpectation(ruleIdentifier: "rule-b", shouldMatch: true, line: 8),
            RuleTestExpectation(ruleIdentifier: "rule-c", shouldMatch: false, line: 9),
        ])
    }

    @Test func exportSnippetKeepsTimestampsAndCutsAtTheThreshold() throws {
        let (cases, problems) = RuleTestFile.parse("""
            - name: exported
              export: |
                __REALTIME_TIMESTAMP=1709251200000000
                _BOOT_ID=5a9e1d0c2b3f4a5e8d7c6b5a49382716
                MESSAGE=\(String(repeating: "x", count: 100))
              match: [r]
            """, file: "x.test.yml", dataThreshold: 64)
        #expect(problems.isEmpty, "\(problems)")
        #expect(cases.first?.entries.count == 1)
        let entry = try #require(cases.first?.entries.first)
        #expect(entry.realtime == 1_709_251_200_000_000)
        #expect(entry.bootID == "5a9e1d0c2b3f4a5e8d7c6b5a49382716")
        #expect(entry.value(of: "MESSAGE")?.count == 64)
        #expect(entry.isTruncated)
    }

    @Test func problemsNameTheFileLineInOrder() {
        let (cases, problems) = RuleTestFile.parse("""
            - name: good
              event: {MESSAGE: x}
              match: [r]
            - name: bad export
              export: |
                MESSAGE=x
                message=y
              match: [r]
            - name: bad event
              event:
                _UID: ~
              matches: [r]
            - name: good
              event: {MESSAGE: y}
              no_match: [r]
            """, file: "t.test.yml")
        #expect(cases.map(\.name) == ["good"])
        #expect(problems == [
            "t.test.yml:7: error: in the export of case 'bad export': 'message' is not a journal field name — use upper-case letters, digits and '_' (e.g. MESSAGE, _EXE), then '=' and the value",
            "t.test.yml:9: error: case 'bad event' expects nothing — add 'match: [rule id]' or 'no_match: [rule id]'",
            "t.test.yml:11: error: '_UID' has no value — give a value ('' for an empty one), or remove the field",
            "t.test.yml:12: error: unknown key 'matches' in a case — use name, event, export, kind, match, no_match, trusted",
            "t.test.yml:13: error: case name 'good' is already used at line 1 — give each case its own name",
        ])
    }

    @Test func notAListAndBadYAML() {
        #expect(RuleTestFile.parse("name: x\n", file: "t.test.yml").problems
            == ["t.test.yml:1: error: a rule test file is a list of cases — start each case with '- name: ...'; see README.md, 'Testing rules'"])
        #expect(RuleTestFile.parse("- name: [\n", file: "t.test.yml").problems.first?.hasPrefix("t.test.yml:") == true)
        #expect(RuleTestFile.parse("", file: "t.test.yml").problems.count == 1)
    }

    @Test func base64() {
        #expect(Base64.decode("aGVsbG8=") == Array("hello".utf8))
        #expect(Base64.decode("aGVsbG8") == Array("hello".utf8))
        #expect(Base64.decode("aGVs\n bG8=") == Array("hello".utf8))
        #expect(Base64.decode("") == [])
        #expect(Base64.decode("a") == nil)
        #expect(Base64.decode("aGVsbG8=x") == nil)
        #expect(Base64.decode("%%%") == nil)
    }
}

@Suite struct RuleTestRunnerTests {
    let rule = """
        title: Marker
        id: marker-rule
        level: high
        detection:
            selection:
                MESSAGE|contains: marker
            condition: selection

        """

    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "cordon-rule-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func countsCasesAndNamesEachFailedExpectation() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try rule.write(toFile: path + "/marker.yml", atomically: true, encoding: .utf8)
        try rule.replacingOccurrences(of: "marker-rule", with: "other-rule").replacingOccurrences(of: "Marker", with: "Other")
            .write(toFile: path + "/other.yml", atomically: true, encoding: .utf8)
        try """
            - name: passes
              event: {MESSAGE: a marker}
              match: [marker-rule]
            - name: fails
              event: {MESSAGE: nothing}
              match: [marker-rule]
            - name: fails the other way
              event: {MESSAGE: marker}
              no_match: [marker-rule]
            """.write(toFile: path + "/marker.test.yml", atomically: true, encoding: .utf8)
        let report = try RuleTestRunner.run(paths: [path], dataThreshold: 65536)
        #expect(report.passed == 1)
        #expect(report.failed == 2)
        #expect(report.failures.map(\.description) == [
            "\(path)/marker.test.yml:6: case 'fails': expected rule marker-rule (Marker) to match, it did not",
            "\(path)/marker.test.yml:9: case 'fails the other way': expected rule marker-rule (Marker) not to match, it did",
        ])
        #expect(report.warnings == ["\(path)/other.yml:1:1: warning: rule other-rule (Other) has no tests — add cases to \(path)/other.test.yml"])
        #expect(report.summary == "1 passed, 2 failed")
    }

    @Test func unknownRuleIsMalformed() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try rule.write(toFile: path + "/marker.yml", atomically: true, encoding: .utf8)
        try "- name: typo\n  event: {MESSAGE: marker}\n  match: [marker-rul]\n"
            .write(toFile: path + "/marker.test.yml", atomically: true, encoding: .utf8)
        // The test file given directly brings its rule.
        let error = #expect(throws: Failure.self) {
            try RuleTestRunner.run(paths: [path + "/marker.test.yml"], dataThreshold: 65536)
        }
        #expect(error?.status == .data)
        #expect(error?.message == "\(path)/marker.test.yml:3: error: case 'typo' names rule 'marker-rul', which no loaded rule has — "
            + "use the rule's 'id', or also give the path of the rule file that has it")
    }
}
