import Rules
import Testing
@testable import Detect

@Suite struct EngineTests {
    @Test func appendsMatchesInRuleOrder() throws {
        let detections = [
            "sel: {_COMM: sshd}\ncondition: sel",
            "sel: {_COMM: sudo}\ncondition: sel",
            "sel: {MESSAGE|contains: fail}\ncondition: sel",
        ]
        let rules = try detections.enumerated().map { try loadRule(id: "rule-\($0.offset)", detection: $0.element) }
        var engine = Engine(rules: rules)
        #expect(engine.rules.map(\.identifier) == ["rule-0", "rule-1", "rule-2"])
        var matches: [Match] = []
        engine.evaluate(event([("_COMM", "sshd"), ("MESSAGE", "Failed password")]), into: &matches)
        #expect(matches.map(\.rule.identifier) == ["rule-0", "rule-2"])
        engine.evaluate(event([("_COMM", "sudo")]), into: &matches)
        #expect(matches.map(\.rule.identifier) == ["rule-0", "rule-2", "rule-1"])
    }

    @Test func listsEveryFieldRulesRead() throws {
        let rules = [
            try loadRule(id: "a", detection: "sel: {_COMM: sshd, USER|exists: true}\ncondition: sel"),
            try loadRule(id: "b", detection: "keywords: [x]\nsel:\n    - {SYSLOG_IDENTIFIER: y}\ncondition: keywords or sel"),
        ]
        #expect(Engine(rules: rules).fieldNames == ["_COMM", "USER", "MESSAGE", "SYSLOG_IDENTIFIER"])
        #expect(Engine(rules: []).fieldNames.isEmpty)
    }

    @Test func emptyEngineMatchesNothing() {
        var matches: [Match] = []
        var engine = Engine(rules: [])
        engine.evaluate(event([("MESSAGE", "x")]), into: &matches)
        #expect(matches.isEmpty)
    }

    @Test func unresolvedNamesInHandBuiltRulesAreFalse() {
        let location = SourceLocation(file: "code", line: 1)
        let selection = Selection(alternatives: [[FieldPredicate(field: "A", values: [.string("x")], location: location)]])
        func rule(_ condition: Condition) -> Rule {
            Rule(identifier: "\(condition)", title: "t", level: .low,
                 detection: Detection(selections: ["a": selection], condition: condition, conditionText: "\(condition)"),
                 location: location)
        }
        var engine = Engine(rules: [
            rule(.selection("missing")), rule(.allOf(pattern: "missing*")), rule(.oneOf(pattern: "a*")),
            rule(.or(.selection("missing"), .selection("a"))),
        ])
        var matches: [Match] = []
        engine.evaluate(event([("A", "x")]), into: &matches)
        #expect(matches.map(\.rule.identifier) == ["(1 of a*)", "(missing or a)"])
    }
}
