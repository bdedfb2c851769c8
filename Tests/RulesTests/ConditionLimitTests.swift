import Testing
@testable import Rules

/// A condition's nesting and length are bounded: the parser, the checks and the compiled
/// condition recurse once per level, and 100,000 nested parentheses (found while fuzzing the
/// rule loader, `make fuzz`) overflowed the stack.
@Suite struct ConditionLimitTests {
    @Test func nestingUpToTheLimitParses() throws {
        let depth = ConditionParser.maximumDepth
        #expect(try ConditionParser.parse(String(repeating: "(", count: depth) + "a" + String(repeating: ")", count: depth))
            == .selection("a"))
        var expected = Condition.selection("a")
        for _ in 0..<depth { expected = .not(expected) }
        #expect(try ConditionParser.parse(String(repeating: "not ", count: depth) + "a") == expected)
    }

    @Test(arguments: [ConditionParser.maximumDepth + 1, 100_000])
    func deeperNestingIsAnError(depth: Int) {
        let texts = [
            String(repeating: "(", count: depth) + "a" + String(repeating: ")", count: depth),
            String(repeating: "not ", count: depth) + "a",
            String(repeating: "(not ", count: depth / 2 + 1) + "a" + String(repeating: ")", count: depth / 2 + 1),
        ]
        for text in texts {
            #expect {
                try ConditionParser.parse(text)
            } throws: { error in
                (error as? ConditionSyntaxError)?.message.hasPrefix("the condition nests parentheses and 'not' more than 64 deep") == true
            }
        }
    }

    @Test func termsUpToTheLimitParse() throws {
        let terms = Array(repeating: "a", count: ConditionParser.maximumTerms)
        #expect(throws: Never.self) { try ConditionParser.parse(terms.joined(separator: " or ")) }
        #expect(throws: Never.self) { try ConditionParser.parse(Array(repeating: "1 of a*", count: ConditionParser.maximumTerms).joined(separator: " and ")) }
    }

    @Test(arguments: [ConditionParser.maximumTerms + 1, 100_000])
    func moreTermsAreAnError(count: Int) {
        #expect {
            try ConditionParser.parse(Array(repeating: "a", count: count).joined(separator: " or "))
        } throws: { error in
            (error as? ConditionSyntaxError)?.message.hasPrefix("the condition has more than 256 selection names") == true
        }
    }

    @Test func ruleWithADeepConditionLoadsWithADiagnostic() {
        let condition = String(repeating: "(", count: 100_000) + "selection" + String(repeating: ")", count: 100_000)
        let result = RuleLoader.load(yaml: ruleText(detection: "selection: {MESSAGE: x}\ncondition: '\(condition)'"), file: "deep.yml")
        #expect(result.rules.isEmpty)
        #expect(result.diagnostics.map(\.message) == ["the condition nests parentheses and 'not' more than 64 deep at position 65"])
    }

    @Test func longConditionListIsAnError() {
        let list = Array(repeating: "    - selection", count: ConditionParser.maximumTerms + 1).joined(separator: "\n")
        let result = RuleLoader.load(yaml: ruleText(detection: "selection: {MESSAGE: x}\ncondition:\n" + list), file: "list.yml")
        #expect(result.rules.isEmpty)
        #expect(result.diagnostics.map(\.message) == ["'condition' is a list of 257 conditions, more than 256"])
    }
}
