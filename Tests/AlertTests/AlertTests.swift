import Alert
import Detect
import Foundation
import Journal
import Parse
import Rules
import Testing

@Suite struct AlertTests {
    static let rule: Rule = {
        let yaml = """
            title: SSH password authentication failed
            id: 11111111-2222-4333-8444-555555555555
            level: high
            tags: [attack.credential-access, attack.t1110.001]
            logsource:
                product: linux
                service: sshd
            detection:
                selection:
                    _EXE: /usr/sbin/sshd
                    MESSAGE|startswith: Failed password
                condition: selection
            """
        let result = RuleLoader.load(yaml: yaml, file: "test.yml")
        precondition(result.diagnostics.isEmpty, "\(result.diagnostics)")  // invariant: the literal above is valid
        return result.rules[0]
    }()

    /// The sshd log source as a mapping whose trust test is `_EXE: /usr/sbin/sshd`.
    static let sshdSource: LogSourceMapping = {
        let yaml = """
            logsources:
              - logsource: {product: linux, service: sshd}
                trusted:
                  _EXE: /usr/sbin/sshd
            """
        let result = RuleLoader.load(yaml: yaml, file: "logsources.yml")
        precondition(result.diagnostics.isEmpty, "\(result.diagnostics)")  // invariant: the literal above is valid
        return result.logSources[0]
    }()

    func alert(message: [UInt8], executable: String = "/usr/sbin/sshd", machineID: String? = nil) throws -> Alert {
        let machine = machineID.map { [("_MACHINE_ID", Array($0.utf8))] } ?? []
        let entry = JournalEntry(fields: [("_HOSTNAME", Array("ehr-app-01".utf8)), ("_EXE", Array(executable.utf8)),
                                          ("MESSAGE", message)] + machine,
                                 realtime: 1_764_000_000_123_456, monotonic: 42, bootID: "0123456789abcdef0123456789abcdef",
                                 cursor: Cursor("s=abc;i=7")!)
        var matches: [Match] = []
        var engine = Engine(rules: [Self.rule], logSources: [Self.sshdSource])
        engine.evaluate(Event(entry: entry), into: &matches)
        return Alert(match: try #require(matches.first), entry: entry, cursor: try #require(entry.cursor))
    }

    @Test func journalFields() throws {
        let alert = try alert(message: Array("Failed password for root from 203.0.113.9 port 4242 ssh2".utf8))
        let fields = Dictionary(alert.journalFields.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
        #expect(fields["MESSAGE_ID"] == CordonMessageID.alert)
        #expect(fields["PRIORITY"] == "3")
        #expect(fields["CORDON_RULE_ID"] == "11111111-2222-4333-8444-555555555555")
        #expect(fields["CORDON_RULE_TITLE"] == "SSH password authentication failed")
        #expect(fields["CORDON_LEVEL"] == "high")
        #expect(fields["CORDON_TAGS"] == "attack.credential-access,attack.t1110.001")
        #expect(fields["CORDON_HOST"] == "ehr-app-01")
        #expect(fields["CORDON_SOURCE_CURSOR"] == "s=abc;i=7")
        #expect(fields["CORDON_SOURCE_REALTIME"] == "1764000000123456")
        #expect(fields["CORDON_FIELD__EXE"] == "/usr/sbin/sshd")
        #expect(fields["CORDON_FIELD_MESSAGE"] == "Failed password for root from 203.0.113.9 port 4242 ssh2")
        #expect(fields["MESSAGE"] == "cordon: SSH password authentication failed [high] on ehr-app-01: "
            + "_EXE=/usr/sbin/sshd, MESSAGE=Failed password for root from 203.0.113.9 port 4242 ssh2")
        #expect(alert.journalFields.allSatisfy { JournalField.isValidName($0.name) })
    }

    @Test func priorities() {
        #expect([Level.critical, .high, .medium, .low, .informational].map { level in
            switch level { case .critical: 2; case .high: 3; case .medium: 4; case .low: 5; case .informational: 6 }
        } == [2, 3, 4, 5, 6])
    }

    @Test func forgedLinesCannotEscape() throws {
        let alert = try alert(message: Array("Failed password for x\nMESSAGE_ID=00000000000000000000000000000000\n\u{1b}[2J".utf8))
        #expect(!alert.message.contains("\n"))
        #expect(!alert.message.contains("\u{1b}"))
        #expect(alert.message.contains("x\\nMESSAGE_ID=00000000000000000000000000000000\\n\\x1b[2J"))
        #expect(!alert.json.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(alert.json.utf8)) as? [String: String])
        #expect(object["CORDON_FIELD_MESSAGE"] == "Failed password for x\\nMESSAGE_ID=00000000000000000000000000000000\\n\\x1b[2J")
        #expect(object.count == alert.journalFields.count)
    }

    @Test func hugeMessagesAreBounded() throws {
        let alert = try alert(message: Array("Failed password ".utf8) + [UInt8](repeating: 0xff, count: 1 << 20))
        #expect(alert.message.utf8.count < 1100)
        #expect(alert.journalFields.allSatisfy { $0.value.count <= Alert.fieldValueLimit * 4 + 8 })
    }

    @Test func textAndTimestamp() throws {
        let alert = try alert(message: Array("Failed password for root".utf8))
        #expect(alert.text.hasPrefix("2025-11-24T16:00:00.123456Z cordon: SSH password authentication failed [high] on ehr-app-01"))
        #expect(Timestamp.iso8601(microseconds: 0) == "1970-01-01T00:00:00.000000Z")
        let fields = Dictionary(alert.journalFields.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
        #expect(fields["CORDON_TRUSTED"] == "1")
        #expect(fields["CORDON_LOGSOURCE"] == "product:linux service:sshd")
        #expect(Timestamp.iso8601(microseconds: 951_782_400_000_001) == "2000-02-29T00:00:00.000001Z")
    }

    @Test func untrustedSourceIsSaidInTheMessage() throws {
        let rule = try #require(RuleLoader.load(yaml: """
            title: sshd says Failed
            id: 11111111-2222-4333-8444-666666666666
            level: low
            logsource: {product: linux, service: sshd}
            detection:
                selection: {MESSAGE|startswith: Failed password}
                condition: selection
            """, file: "test.yml").rules.first)
        let entry = JournalEntry(fields: [("_HOSTNAME", Array("ehr-app-01".utf8)), ("_EXE", Array("/usr/bin/logger".utf8)),
                                          ("MESSAGE", Array("Failed password for root".utf8))], cursor: Cursor("s=abc;i=8")!)
        var engine = Engine(rules: [rule], logSources: [Self.sshdSource])
        var matches: [Match] = []
        engine.evaluate(entry, into: &matches)
        let alert = Alert(match: try #require(matches.first), entry: entry, cursor: try #require(entry.cursor))
        #expect(alert.message.hasPrefix("cordon: sshd says Failed [low, untrusted source] on ehr-app-01"))
        #expect(alert.journalFields.contains { $0.name == "CORDON_TRUSTED" && $0.value == Array("0".utf8) })
    }

    @Test func exportFieldsCarryTheSourceTime() throws {
        let alert = try alert(message: Array("Failed password for root".utf8))
        var bytes: [UInt8] = []
        ExportFormat.append(alert.exportFields, to: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("__REALTIME_TIMESTAMP=1764000000123456\n__MONOTONIC_TIMESTAMP=42\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"))
        #expect(text.hasSuffix("\n\n"))
    }

    @Test func theMachineIDNamesTheSourceMachine() throws {
        let alert = try alert(message: Array("Failed password for root".utf8), machineID: "4A1F0C2E9B3D4E5F8A7B6C5D4E3F2A1B")
        #expect(alert.machineID == "4a1f0c2e9b3d4e5f8a7b6c5d4e3f2a1b")
        let names = alert.journalFields.map(\.name)
        let host = try #require(names.firstIndex(of: "CORDON_HOST"))
        #expect(names[host + 1] == "CORDON_MACHINE_ID")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(alert.json.utf8)) as? [String: String])
        #expect(object["CORDON_MACHINE_ID"] == "4a1f0c2e9b3d4e5f8a7b6c5d4e3f2a1b")
        #expect(object["CORDON_HOST"] == "ehr-app-01")
    }

    @Test(arguments: [nil, "", "not-a-machine-id", "4a1f0c2e-9b3d-4e5f-8a7b-6c5d4e3f2a1b", "4a1f0c2e9b3d4e5f8a7b6c5d4e3f2a1", "4a1f0c2e9b3d4e5f8a7b6c5d4e3f2a1g"])
    func anInvalidMachineIDIsLeftOut(machineID: String?) throws {
        let alert = try alert(message: Array("Failed password for root".utf8), machineID: machineID)
        #expect(alert.machineID == nil)
        #expect(!alert.journalFields.contains { $0.name == "CORDON_MACHINE_ID" })
    }

    @Test func correlationAlertsTakeTheMachineOfTheirEntry() throws {
        var rule = CorrelationRule(identifier: "3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14", title: "SSH brute force", level: .high,
                                   kind: .eventCount, ruleReferences: [], groupBy: ["SourceIp"], timespan: 300_000_000,
                                   condition: CorrelationRule.Condition(), location: SourceLocation(file: "test", line: 1))
        rule.tags = []
        let cursor = try #require(Cursor("s=abc;i=9"))
        let match = CorrelationMatch(rule: rule, group: [("SourceIp", Array("203.0.113.7".utf8))], realtime: 1, cursor: cursor,
                                     evidence: [cursor], value: 10, isTrusted: true)
        let entry = JournalEntry(fields: [("_HOSTNAME", Array("web02".utf8)), ("_MACHINE_ID", Array("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2".utf8))],
                                 cursor: cursor)
        let alert = Alert(correlation: match, entry: entry)
        #expect(alert.host == "web02")
        #expect(alert.machineID == "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2")
        #expect(Alert(correlation: match, entry: nil).machineID == nil)
    }
}
