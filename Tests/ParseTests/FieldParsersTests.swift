import Journal
import Testing
@testable import Parse

@Suite struct FieldParsersTests {
    @Test func registryHasEveryParserOnce() {
        let names = FieldParsers.all.map(\.name)
        #expect(names == ["sshd", "sudo", "su", "pam", "shadow", "systemd", "auditd"])
        for name in names { #expect(FieldParsers.named(name)?.name == name) }
        #expect(FieldParsers.named("SSHD") == nil)
        #expect(FieldParsers.named("") == nil)
    }

    @Test(arguments: FieldParsers.all.map(\.name))
    func declaresItsFields(_ name: String) throws {
        let parser = try #require(FieldParsers.named(name))
        #expect(!parser.fieldNames.isEmpty)
        #expect(Set(parser.fieldNames).count == parser.fieldNames.count)
        #expect(parser.inputFieldNames.contains("MESSAGE"))
    }

    /// Every table case of every parser, with the parser that reads it.
    static let allCases: [(parser: String, testCase: ParserCase)] =
        SSHDParserTests.cases.map { ("sshd", $0) } + SSHDParserTests.injections.map { ("sshd", $0) }
        + SudoParserTests.cases.map { ("sudo", $0) } + SudoParserTests.injections.map { ("sudo", $0) }
        + SuParserTests.cases.map { ("su", $0) } + PAMParserTests.cases.map { ("pam", $0) }
        + ShadowParserTests.cases.map { ("shadow", $0) } + SystemdParserTests.cases.map { ("systemd", $0) }

    /// The reader fetches only the fields rules and parsers ask for: a parser given only its
    /// `inputFieldNames` must produce what it produces from the full entry.
    @Test func readsOnlyDeclaredInputFields() throws {
        for (name, testCase) in Self.allCases {
            let parser = try #require(FieldParsers.named(name))
            let full = JournalEntry(fields: testCase.entry.fields.map { ($0.nameString, Array($0.value)) }
                + [("_COMM", Array("x".utf8)), ("SYSLOG_IDENTIFIER", Array("x".utf8))], cursor: Cursor("s=test;i=1")!)
            let declared = JournalEntry(fields: full.fields.filter { parser.inputFieldNames.contains($0.nameString) }
                .map { ($0.nameString, Array($0.value)) }, cursor: Cursor("s=test;i=1")!)
            #expect(allFields(parser, full).map { "\($0)" } == allFields(parser, declared).map { "\($0)" }, "\(name): \(testCase.message)")
        }
        let audit = AuditParserTests.record("SYSCALL", "arch=c000003e syscall=59 exe=\"/bin/x\"")
        let declared = JournalEntry(fields: audit.fields.filter { AuditParser().inputFieldNames.contains($0.nameString) }
            .map { ($0.nameString, Array($0.value)) }, cursor: Cursor("s=test;i=1")!)
        #expect(allFields(AuditParser(), audit).map { "\($0)" } == allFields(AuditParser(), declared).map { "\($0)" })
    }

    /// Each parser recognises only its own messages: another source's cases append nothing
    /// (the PAM lines that several parsers share aside).
    @Test func ignoresOtherSourcesMessages() throws {
        let distinct: Set<String> = ["sshd", "sudo", "su", "shadow", "systemd"]
        for (name, testCase) in Self.allCases where !testCase.message.hasPrefix("pam_") {
            for other in distinct where other != name {
                let parser = try #require(FieldParsers.named(other))
                let fields = parsedFields(parser, testCase.entry)
                #expect(fields.isEmpty, "\(other) read \(name)'s \(testCase.message): \(fields)")
            }
        }
    }
}
