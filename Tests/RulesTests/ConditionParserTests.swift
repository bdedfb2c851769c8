import Testing
@testable import Rules

@Suite struct ConditionParserTests {
    @Test(arguments: [
        ("a", "a"),
        ("a or b and not c", "(a or (b and (not c)))"),
        ("not a and b", "((not a) and b)"),
        ("a and b or c and d", "((a and b) or (c and d))"),
        ("a or b or c", "((a or b) or c)"),
        ("a and b and c", "((a and b) and c)"),
        ("not not a", "(not (not a))"),
        ("(a or b) and not c", "((a or b) and (not c))"),
        ("not (a or b)", "(not (a or b))"),
        ("((a))", "a"),
        ("1 of sel* and not 1 of filter*", "((1 of sel*) and (not (1 of filter*)))"),
        ("all of them", "(all of them)"),
        ("1 of them or x", "((1 of them) or x)"),
        ("any of sel_*", "(1 of sel_*)"),
        ("not all of sel*", "(not (all of sel*))"),
        ("sel-1 and sel.2 and Sel_3", "((sel-1 and sel.2) and Sel_3)"),
        ("  a\n  and b  ", "(a and b)"),
        ("all and 1", "(all and 1)"),
    ])
    func parsesWithSigmaPrecedence(text: String, expected: String) throws {
        let condition = try ConditionParser.parse(text)
        #expect(condition.description == expected)
    }

    @Test func buildsTheExpectedTree() throws {
        #expect(try ConditionParser.parse("a or b and not c")
            == .or(.selection("a"), .and(.selection("b"), .not(.selection("c")))))
        #expect(try ConditionParser.parse("1 of them") == .oneOf(pattern: Condition.themPattern))
        #expect(try ConditionParser.parse("all of sel*") == .allOf(pattern: "sel*"))
    }

    @Test(arguments: [
        ("", "condition is empty"),
        ("   ", "condition is empty"),
        ("(a", "unbalanced '(' at position 1 in the condition"),
        ("a)", "unbalanced ')' at position 2 in the condition"),
        ("()", "unexpected ')' at position 2 in the condition"),
        ("a (b)", "unexpected '(' at position 3 in the condition"),
        ("not", "condition ends after 'not'"),
        ("a or", "condition ends after 'or'"),
        ("and a", "unexpected 'and' at position 1 in the condition"),
        ("1 of", "'1 of' at position 1 is followed by the end"),
        ("1 of and", "'1 of' at position 1 is followed by 'and'"),
        ("(a or b", "unbalanced '(' at position 1 in the condition"),
        ("(a b)", "unexpected 'b' at position 4 in the condition"),
        ("a = b", "unexpected character '=' at position 3 in the condition"),
    ])
    func reportsSyntaxErrorsWithPosition(text: String, message: String) {
        #expect(throws: ConditionSyntaxError.self) { try ConditionParser.parse(text) }
        do {
            _ = try ConditionParser.parse(text)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func conditionListIsOrOfItsEntries() throws {
        let yaml = ruleText(detection: """
            a: {MESSAGE: x}
            b: {MESSAGE: y}
            c: {MESSAGE: z}
            condition:
                - a and b
                - not c
            """)
        let result = RuleLoader.load(yaml: yaml, file: "x.yml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let detection = try #require(result.rules.first?.detection)
        #expect(detection.condition == .or(.and(.selection("a"), .selection("b")), .not(.selection("c"))))
        #expect(detection.conditionText == "(a and b) or (not c)")
    }

    @Test func patternsSelectNamesWithWildcards() {
        let names = ["selection", "selection_2", "filter_a", "filter_b", "_helper", "keywords"]
        #expect(NamePattern.names(in: names, matching: "selection*") == ["selection", "selection_2"])
        #expect(NamePattern.names(in: names, matching: "filter_*") == ["filter_a", "filter_b"])
        #expect(NamePattern.names(in: names, matching: "*_*") == ["_helper", "filter_a", "filter_b", "selection_2"])
        #expect(NamePattern.names(in: names, matching: "*words") == ["keywords"])
        #expect(NamePattern.names(in: names, matching: "keywords") == ["keywords"])
        #expect(NamePattern.names(in: names, matching: "nothing*").isEmpty)
        #expect(NamePattern.names(in: names, matching: Condition.themPattern)
            == ["filter_a", "filter_b", "keywords", "selection", "selection_2"])
    }
}
