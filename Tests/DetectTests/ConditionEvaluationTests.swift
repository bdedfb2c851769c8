import Testing

private let selections = """
    a: {A: x}
    b: {B: x}
    c: {C: x}
    """

/// A detection with selections `a`, `b`, `c` (field `A`, `B`, `C` equal to `x`) and `condition`.
private func detection(_ condition: String) -> String {
    selections + "\ncondition: \(condition)"
}

/// An event with the fields named in `names` set to `x`.
private func fields(_ names: String) -> [(String, String)] {
    names.map { (String($0), "x") }
}

let conditionCases: [MatchCase] = [
    MatchCase("and both", detection("a and b"), fields("AB"), true),
    MatchCase("and one", detection("a and b"), fields("A"), false),
    MatchCase("or one", detection("a or b"), fields("B"), true),
    MatchCase("or none", detection("a or b"), fields("C"), false),
    MatchCase("not", detection("not a"), fields("B"), true),
    MatchCase("not holds", detection("not a"), fields("A"), false),
    MatchCase("and not", detection("a and not b"), fields("A"), true),
    MatchCase("and not filtered", detection("a and not b"), fields("AB"), false),
    MatchCase("precedence: or binds last", detection("a or b and c"), fields("A"), true),
    MatchCase("precedence: and before or", detection("a or b and c"), fields("B"), false),
    MatchCase("parentheses change grouping", detection("(a or b) and c"), fields("A"), false),
    MatchCase("parentheses change grouping hit", detection("(a or b) and c"), fields("BC"), true),
    MatchCase("not binds tighter than and", detection("not a and b"), fields("B"), true),
    MatchCase("not binds tighter than and miss", detection("not a and b"), fields("AB"), false),
    MatchCase("not of a group", detection("not (a or b)"), fields("C"), true),
    MatchCase("not of a group miss", detection("not (a or b)"), fields("B"), false),
    MatchCase("double not", detection("not not a"), fields("A"), true),
    MatchCase("condition list is OR", selections + "\ncondition:\n    - a and b\n    - c", fields("C"), true),
    MatchCase("condition list miss", selections + "\ncondition:\n    - a and b\n    - c", fields("A"), false),

    // Maps AND, lists of maps OR.
    MatchCase("map is AND", "sel: {A: x, B: x}\ncondition: sel", fields("AB"), true),
    MatchCase("map is AND miss", "sel: {A: x, B: x}\ncondition: sel", fields("A"), false),
    MatchCase("list of maps is OR", "sel:\n    - {A: x, B: x}\n    - {C: x}\ncondition: sel", fields("C"), true),
    MatchCase("list of maps AND inside", "sel:\n    - {A: x, B: x}\n    - {C: x}\ncondition: sel", fields("B"), false),

    // 1 of, all of.
    MatchCase("1 of pattern", "sel_a: {A: x}\nsel_b: {B: x}\nother: {C: x}\ncondition: 1 of sel_*", fields("B"), true),
    MatchCase("1 of pattern ignores others", "sel_a: {A: x}\nsel_b: {B: x}\nother: {C: x}\ncondition: 1 of sel_*",
              fields("C"), false),
    MatchCase("all of pattern", "sel_a: {A: x}\nsel_b: {B: x}\nother: {C: x}\ncondition: all of sel_*", fields("AB"), true),
    MatchCase("all of pattern miss", "sel_a: {A: x}\nsel_b: {B: x}\nother: {C: x}\ncondition: all of sel_*",
              fields("AC"), false),
    MatchCase("all of them", detection("all of them"), fields("ABC"), true),
    MatchCase("all of them miss", detection("all of them"), fields("AB"), false),
    MatchCase("1 of them", detection("1 of them"), fields("C"), true),
    MatchCase("them leaves out underscore names", "a: {A: x}\n_b: {B: x}\ncondition: all of them", fields("A"), true),
    MatchCase("1 of them leaves out underscore names", "a: {A: x}\n_b: {B: x}\ncondition: 1 of them", fields("B"), false),
    MatchCase("not 1 of filters", "sel: {A: x}\nfilter_1: {B: x}\nfilter_2: {C: x}\ncondition: sel and not 1 of filter_*",
              fields("AC"), false),
    MatchCase("not 1 of filters passes", "sel: {A: x}\nfilter_1: {B: x}\nfilter_2: {C: x}\ncondition: sel and not 1 of filter_*",
              fields("A"), true),
]

@Suite struct ConditionEvaluationTests {
    @Test(arguments: conditionCases)
    func evaluatesConditions(_ testCase: MatchCase) throws {
        try testCase.check()
    }
}
