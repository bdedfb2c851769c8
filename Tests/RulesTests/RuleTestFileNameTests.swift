import Testing
@testable import Rules

@Suite struct RuleTestFileNameTests {
    @Test func directoryWalkSkipsTestFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.yml", ruleText(id: "a"))
        try directory.write("a.test.yml", "- name: not a rule\n  event: {MESSAGE: x}\n  match: [a]\n")
        try directory.write("sub/b.yaml", ruleText(id: "b"))
        try directory.write("sub/b.test.yaml", "- name: not a rule either\n")
        let result = RuleLoader.load(paths: [directory.path])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.map(\.identifier) == ["a", "b"])
    }

    @Test func namesPairRulesAndTests() {
        #expect(RuleTestFileName.isTestFile("rules/x.test.yml"))
        #expect(RuleTestFileName.isTestFile("x.test.yaml"))
        #expect(!RuleTestFileName.isTestFile("rules/test.yml"))
        #expect(RuleTestFileName.testFiles(forRule: "rules/x.yml") == ["rules/x.test.yml", "rules/x.test.yaml"])
        #expect(RuleTestFileName.testFiles(forRule: "rules/x.yaml") == ["rules/x.test.yml", "rules/x.test.yaml"])
        #expect(RuleTestFileName.testFiles(forRule: "rules/x.test.yml").isEmpty)
        #expect(RuleTestFileName.ruleFiles(forTest: "rules/x.test.yaml") == ["rules/x.yml", "rules/x.yaml"])
        #expect(RuleTestFileName.ruleFiles(forTest: "rules/x.yml").isEmpty)
    }
}
