import Foundation
import Testing
@testable import Rules

@Suite struct RuleLoaderTests {
    @Test func loadsEveryFieldOfAValidRule() throws {
        let yaml = """
            title: SSH brute force
            id: 5a1c9f0e-0000-4000-8000-000000000001
            status: experimental
            description: Many failed logins
            author: Cordon
            references:
                - https://example.com/a
            tags:
                - attack.credential_access
                - attack.t1110
            falsepositives: Users mistyping their password
            logsource:
                product: linux
                service: sshd
            detection:
                selection:
                    _COMM: sshd
                    MESSAGE|contains|all:
                        - Failed password
                        - invalid user
                keywords:
                    - brute
                    - 42
                condition: selection or keywords
            level: high
            """
        let result = RuleLoader.load(yaml: yaml, file: "rules/ssh.yml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.rules.first)
        #expect(result.rules.count == 1)
        #expect(rule.identifier == "5a1c9f0e-0000-4000-8000-000000000001")
        #expect(rule.title == "SSH brute force")
        #expect(rule.status == "experimental")
        #expect(rule.description == "Many failed logins")
        #expect(rule.author == "Cordon")
        #expect(rule.references == ["https://example.com/a"])
        #expect(rule.tags == ["attack.credential_access", "attack.t1110"])
        #expect(rule.falsePositives == ["Users mistyping their password"])
        #expect(rule.logSource == LogSource(product: "linux", service: "sshd", category: nil))
        #expect(rule.level == .high)
        #expect(rule.location == SourceLocation(file: "rules/ssh.yml", line: 1, column: 1))
        #expect(rule.location.description == "rules/ssh.yml:1:1")
        #expect(rule.detection.conditionText == "selection or keywords")
        #expect(rule.detection.condition == .or(.selection("selection"), .selection("keywords")))

        let selection = try #require(rule.detection.selections["selection"])
        #expect(selection.alternatives.count == 1)
        let predicates = selection.alternatives[0]
        #expect(predicates.map(\.field) == ["_COMM", "MESSAGE"])
        #expect(predicates[0].values == [.string("sshd")])
        #expect(predicates[0].modifiers.isEmpty)
        #expect(predicates[0].matchesAll == false)
        #expect(predicates[0].location.line == 17)
        #expect(predicates[1].modifiers == [.contains, .all])
        #expect(predicates[1].values == [.string("Failed password"), .string("invalid user")])
        #expect(predicates[1].matchesAll)
        #expect(predicates[1].location.line == 18)

        let keywords = try #require(rule.detection.selections["keywords"])
        #expect(keywords.alternatives.count == 1)
        #expect(keywords.alternatives[0].count == 1)
        let keyword = keywords.alternatives[0][0]
        #expect(keyword.field == "MESSAGE")
        #expect(keyword.modifiers == [.contains])
        #expect(keyword.values == [.string("brute"), .string("42")])
        #expect(keyword.location.line == 22)
    }

    @Test func optionalFieldsDefaultToEmpty() throws {
        let result = RuleLoader.load(yaml: ruleText(), file: "a.yml")
        let rule = try #require(result.rules.first)
        #expect(rule.description == nil)
        #expect(rule.status == nil)
        #expect(rule.author == nil)
        #expect(rule.tags.isEmpty)
        #expect(rule.references.isEmpty)
        #expect(rule.falsePositives.isEmpty)
        #expect(rule.logSource == LogSource())
    }

    @Test func loadsEachDocumentOfAMultiDocumentFile() throws {
        let yaml = "# two rules\n---\n" + ruleText(id: "first") + "---\n" + ruleText(id: "second") + "---\n"
        let result = RuleLoader.load(yaml: yaml, file: "multi.yml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.map(\.identifier) == ["first", "second"])
        #expect(result.rules.map(\.location.line) == [3, 11])
    }

    @Test func keepsLoadingAfterABadDocument() {
        let bad = "title: no id\nlevel: high\ndetection:\n    sel: {MESSAGE: x}\n    condition: sel\n"
        let yaml = ruleText(id: "first") + "---\n" + bad + "---\n" + ruleText(id: "third")
        let result = RuleLoader.load(yaml: yaml, file: "x.yml")
        #expect(result.rules.map(\.identifier) == ["first", "third"])
        #expect(result.diagnostics.map(\.description) == [
            "x.yml:9:1: error: rule has no 'id' — add 'id: <a new UUID>'; alerts are keyed on it",
        ])
    }

    @Test func keepsRulesBeforeAYAMLSyntaxError() {
        let yaml = ruleText(id: "first") + "---\ntitle: [unclosed\n"
        let result = RuleLoader.load(yaml: yaml, file: "x.yml")
        #expect(result.rules.map(\.identifier) == ["first"])
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.line == 9)
        #expect(result.diagnostics.first?.message.contains("flow sequence") == true)
    }

    @Test(arguments: [
        ("informational", Level.informational), ("low", .low), ("medium", .medium), ("high", .high),
        ("critical", .critical), ("High", .high),
    ])
    func readsLevels(text: String, level: Level) throws {
        let yaml = ruleText().replacingOccurrences(of: "level: high", with: "level: \(text)")
        let rule = try #require(RuleLoader.load(yaml: yaml, file: "a.yml").rules.first)
        #expect(rule.level == level)
    }

    @Test func levelsCompareBySeverity() {
        #expect(Level.informational < .low)
        #expect(Level.low < .medium)
        #expect(Level.medium < .high)
        #expect(Level.high < .critical)
        #expect(Level.allCases.sorted() == Level.allCases)
        #expect(!(Level.critical < .critical))
    }

    @Test func emptyInputHasNoRulesAndNoDiagnostics() {
        for yaml in ["", "# only a comment\n", "---\n", "---\n---\n"] {
            let result = RuleLoader.load(yaml: yaml, file: "empty.yml")
            #expect(result.rules.isEmpty)
            #expect(result.diagnostics.isEmpty, "\(yaml.debugDescription): \(result.diagnostics)")
        }
    }

    @Test func rejectsDuplicateIdentifiersInOneText() {
        let yaml = ruleText(id: "same") + "---\n" + ruleText(id: "same", title: "Other")
        let result = RuleLoader.load(yaml: yaml, file: "x.yml")
        #expect(result.rules.map(\.title) == ["Test rule"])
        #expect(result.diagnostics.map(\.description) == [
            "x.yml:10:5: error: rule id 'same' is already used at x.yml:2:5 — give each rule its own id, e.g. a new UUID",
        ])
    }
}
