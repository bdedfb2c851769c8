import Testing
@testable import Rules

/// A rule text that must be rejected with exactly these diagnostics.
struct DiagnosticCase: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let expected: [String]
    var testDescription: String { name }
}

/// Every line is numbered in a comment so the expected line numbers can be checked by eye.
let diagnosticCases: [DiagnosticCase] = [
    DiagnosticCase(name: "missing title", yaml: """
        id: a                      # 1
        level: high                # 2
        detection:                 # 3
            sel: {MESSAGE: x}      # 4
            condition: sel         # 5
        """, expected: ["x.yml:1:1: error: rule has no 'title' — add 'title: <what the rule detects>'"]),
    DiagnosticCase(name: "misspelled title", yaml: """
        titel: Oops                # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel         # 6
        """, expected: ["x.yml:1:1: error: rule has no 'title' — rename 'titel' to 'title'"]),
    DiagnosticCase(name: "empty title", yaml: """
        id: a                      # 1
        level: high                # 2
        title: ''                  # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel         # 6
        """, expected: ["x.yml:3:8: error: 'title' is empty — write it as one line of text after 'title:'"]),
    DiagnosticCase(name: "missing id, level and detection", yaml: """
        # a comment                # 1
        title: Only a title        # 2
        """, expected: [
            "x.yml:2:1: error: rule has no 'id' — add 'id: <a new UUID>'; alerts are keyed on it",
            "x.yml:2:1: error: rule has no 'level' — add 'level: medium' (or informational, low, high, critical)",
            "x.yml:2:1: error: rule has no 'detection' — add 'detection:' with selections and a 'condition:'",
        ]),
    DiagnosticCase(name: "null id", yaml: """
        title: t                   # 1
        id:                        # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel         # 6
        """, expected: ["x.yml:2:4: error: 'id' is empty — write it as one line of text after 'id:'"]),
    DiagnosticCase(name: "title is a list", yaml: """
        title: [a, b]              # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel         # 6
        """, expected: ["x.yml:1:8: error: 'title' must be text, not a list — write it as one line of text after 'title:'"]),
    DiagnosticCase(name: "invalid level", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: hihg                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel         # 6
        """, expected: [
            "x.yml:3:8: error: 'hihg' is not a level — did you mean 'high'? use one of informational, low, medium, high, critical",
        ]),
    DiagnosticCase(name: "level far from any", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: severe              # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel         # 6
        """, expected: ["x.yml:3:8: error: 'severe' is not a level — use one of informational, low, medium, high, critical"]),
    DiagnosticCase(name: "unknown modifier", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            selection:             # 5
                _COMM: sshd        # 6
                MESSAGE|contans: x # 7
            condition: selection   # 8
        """, expected: ["x.yml:7:17: error: unknown modifier 'contans' in 'MESSAGE|contans' — did you mean 'contains'?"]),
    DiagnosticCase(name: "unknown modifier without a near one", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            selection:             # 5
                MESSAGE|sounds: x  # 6
            condition: selection   # 7
        """, expected: [
            "x.yml:6:17: error: unknown modifier 'sounds' in 'MESSAGE|sounds' — use one of contains, startswith, endswith, all, cased, exists, neq, re, i, m, s, base64, base64offset, wide, utf16le, utf16be, utf16, windash, lt, lte, gt, gte, cidr, fieldref, expand, minute, hour, day, week, month, year",
        ]),
    DiagnosticCase(name: "modifier chains Sigma does not allow", yaml: """
        title: t                      # 1
        id: a                         # 2
        level: high                   # 3
        detection:                    # 4
            selection:                # 5
                MESSAGE|re|contains: 'a.*b'    # 6
            other:                    # 7
                - IP|cidr|startswith: 10.0.0.0/8 # 8
                - CMD|contains|base64offset: x  # 9
                - CMD|i: x            # 10
                - CMD|hour: 3         # 11
            condition: selection or other  # 12
        """, expected: [
            "x.yml:6:20: error: 're' cannot be combined with 'contains' in 'MESSAGE|re|contains' — write the whole pattern as a regular expression",
            "x.yml:8:19: error: 'cidr' cannot be combined with 'startswith' in 'IP|cidr|startswith' — write 'IP|cidr: 10.0.0.0/8' on its own",
            "x.yml:9:24: error: 'base64offset' comes after 'contains' in 'CMD|contains|base64offset'; the wildcards 'contains' adds cannot be encoded — put 'contains' last, e.g. 'CMD|base64offset|contains'",
            "x.yml:10:15: error: modifier 'i' is a regular expression flag, but 'CMD|i' has no 're' — write 'CMD|re|i'",
            "x.yml:11:15: error: time modifier 'hour' is not supported: journal fields hold no dates Cordon parses — match the entry's text instead, or leave this rule out",
        ]),
    DiagnosticCase(name: "conflicting modifiers", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            selection:             # 5
                MESSAGE|startswith|endswith: x  # 6
            condition: selection   # 7
        """, expected: [
            "x.yml:6:28: error: modifiers 'startswith' and 'endswith' conflict in 'MESSAGE|startswith|endswith' — keep one; write the value with '*' wildcards for other shapes",
        ]),
    DiagnosticCase(name: "exists without a boolean", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            selection:             # 5
                USER|exists: maybe # 6
            condition: selection   # 7
        """, expected: ["x.yml:6:9: error: 'USER|exists' needs true or false — write 'USER|exists: true' or 'USER|exists: false'"]),
    DiagnosticCase(name: "unbalanced opening parenthesis", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel and (sel or sel   # 6
        """, expected: ["x.yml:6:24: error: unbalanced '(' at position 9 in the condition — add a matching ')'"]),
    DiagnosticCase(name: "unbalanced closing parenthesis", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel)        # 6
        """, expected: ["x.yml:6:19: error: unbalanced ')' at position 4 in the condition — remove it or add a matching '('"]),
    DiagnosticCase(name: "unexpected token", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel sel     # 6
        """, expected: ["x.yml:6:20: error: unexpected 'sel' at position 5 in the condition — join selections with 'and' or 'or'"]),
    DiagnosticCase(name: "condition ends after an operator", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel and     # 6
        """, expected: ["x.yml:6:16: error: condition ends after 'and' — add a selection name after it"]),
    DiagnosticCase(name: "operator where a selection belongs", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel and or sel  # 6
        """, expected: [
            "x.yml:6:24: error: unexpected 'or' at position 9 in the condition — put a selection name, 'not', '(' or '1 of …' there",
        ]),
    DiagnosticCase(name: "unexpected character", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel && sel  # 6
        """, expected: [
            "x.yml:6:20: error: unexpected character '&' at position 5 in the condition — selection names use letters, digits, '_', '-' and '.'; operators are and, or, not, 1 of, all of",
        ]),
    DiagnosticCase(name: "aggregation", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel | count() > 5   # 6
        """, expected: [
            "x.yml:6:20: error: Sigma 1 aggregation '| …' at position 5 is not supported: Sigma 2 removed it from conditions — keep the condition before '|' here and count with a Sigma correlation rule (type event_count or value_count)",
        ]),
    DiagnosticCase(name: "wildcard outside of", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel*        # 6
        """, expected: [
            "x.yml:6:16: error: wildcard in 'sel*' at position 1 outside '1 of' or 'all of' — write '1 of sel*' or 'all of sel*'",
        ]),
    DiagnosticCase(name: "empty condition", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: ''          # 6
        """, expected: ["x.yml:6:5: error: 'condition' is empty — name the selections to match, e.g. 'condition: selection'"]),
    DiagnosticCase(name: "missing condition", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
        """, expected: ["x.yml:4:1: error: 'detection' has no 'condition' — add one, e.g. 'condition: selection'"]),
    DiagnosticCase(name: "detection without selections", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            condition: sel         # 5
        """, expected: ["x.yml:4:1: error: 'detection' has no selections — add one, e.g. 'selection: {MESSAGE|contains: text}'"]),
    DiagnosticCase(name: "detection is text", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection: everything      # 4
        """, expected: [
            "x.yml:4:1: error: 'detection' must be a map of selections and a condition, not text — indent the selections and 'condition:' under 'detection:'",
        ]),
    DiagnosticCase(name: "undefined selection with suggestion", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            selection: {MESSAGE: x}   # 5
            condition: selction    # 6
        """, expected: ["x.yml:6:16: error: condition uses 'selction', which is not a selection — did you mean 'selection'?"]),
    DiagnosticCase(name: "undefined selection without suggestion", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            selection: {MESSAGE: x}   # 5
            filter: {MESSAGE: y}   # 6
            condition: selection and not other  # 7
        """, expected: [
            "x.yml:7:16: error: condition uses 'other', which is not a selection — define 'other' under 'detection' or use one of filter, selection",
        ]),
    DiagnosticCase(name: "upper-case operator", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            a: {MESSAGE: x}        # 5
            b: {MESSAGE: y}        # 6
            condition: a AND b     # 7
        """, expected: [
            "x.yml:7:18: error: unexpected 'AND' at position 3 in the condition — operators are lower-case: write 'and'",
        ]),
    DiagnosticCase(name: "pattern that matches nothing", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            selection: {MESSAGE: x}   # 5
            condition: selection and not 1 of filter*   # 6
        """, expected: [
            "x.yml:6:16: error: pattern 'filter*' in the condition matches no selection — fix the pattern or rename the selections; 'them' leaves out names starting with '_'",
        ]),
    DiagnosticCase(name: "them with only underscore selections", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            _helper: {MESSAGE: x}  # 5
            condition: all of them # 6
        """, expected: [
            "x.yml:6:16: error: 'them' in the condition matches no selection — fix the pattern or rename the selections; 'them' leaves out names starting with '_'",
        ]),
    DiagnosticCase(name: "bad quantifier", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel1: {MESSAGE: x}     # 5
            condition: 2 of sel*   # 6
        """, expected: ["x.yml:6:16: error: '2 of' at position 1 is not a quantifier — use '1 of' or 'all of'"]),
    DiagnosticCase(name: "condition list with one bad entry", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition:             # 6
                - sel              # 7
                - (sel             # 8
        """, expected: ["x.yml:8:11: error: unbalanced '(' at position 1 in the condition — add a matching ')'"]),
    DiagnosticCase(name: "selection of the wrong shape", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel:                   # 5
                - MESSAGE: x       # 6
                - just text        # 7
            nested:                # 8
                - [a, b]           # 9
            condition: sel or nested   # 10
        """, expected: [
            "x.yml:6:9: error: selection 'sel' mixes maps and plain values in one list — put the keywords and the field maps in separate selections",
            "x.yml:9:9: error: selection 'nested' mixes maps and plain values in one list — put the keywords and the field maps in separate selections",
        ]),
    DiagnosticCase(name: "empty selection", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel:                   # 5
            condition: sel         # 6
        """, expected: [
            "x.yml:5:9: error: selection 'sel' is empty — give it fields to match, e.g. 'MESSAGE|contains: text', or remove it",
        ]),
    DiagnosticCase(name: "map as a field value", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel:                   # 5
                MESSAGE:           # 6
                    nested: x      # 7
            condition: sel         # 8
        """, expected: [
            "x.yml:6:9: error: 'MESSAGE' must have a value or a list of values, not a map — write 'MESSAGE: value' or a '- value' list",
        ]),
    DiagnosticCase(name: "correlation rule missing its parts", yaml: """
        title: Many failures       # 1
        id: a                      # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [b]             # 5
        """, expected: [
            "x.yml:3:1: error: 'correlation' has no 'group-by' — add 'group-by:' with the fields whose values form a group, or 'group-by: []' for one group of all events",
            "x.yml:3:1: error: 'correlation' has no 'timespan' — add e.g. 'timespan: 10m'",
            "x.yml:3:1: error: event_count correlation has no 'condition' — add one, e.g. 'condition: {gte: 10}'",
        ]),
    DiagnosticCase(name: "filter without selections", yaml: """
        title: Not for admins      # 1
        id: a                      # 2
        filter:                    # 3
            rules: [b]             # 4
        """, expected: [
            "x.yml:3:1: error: 'detection' has no selections — add one, e.g. 'selection: {MESSAGE|contains: text}'",
            "x.yml:3:1: error: 'detection' has no 'condition' — add one, e.g. 'condition: selection'",
        ]),
    DiagnosticCase(name: "YAML syntax error", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
           condition: sel          # 6
        """, expected: []),
    DiagnosticCase(name: "duplicate key", yaml: """
        title: t                   # 1
        id: a                      # 2
        level: high                # 3
        detection:                 # 4
            sel: {MESSAGE: x}      # 5
            condition: sel         # 6
        level: low                 # 7
        """, expected: []),
    DiagnosticCase(name: "document that is a list", yaml: """
        - title: t                 # 1
        """, expected: [
            "x.yml:1:1: error: a rule must be a map of keys such as title, id, level and detection, not a list — start the document with 'title:'",
        ]),
]

@Suite struct DiagnosticTests {
    @Test(arguments: diagnosticCases)
    func rejectsWithExactDiagnostics(_ testCase: DiagnosticCase) {
        let result = RuleLoader.load(yaml: testCase.yaml, file: "x.yml")
        #expect(result.rules.isEmpty)
        #expect(!result.diagnostics.isEmpty)
        if !testCase.expected.isEmpty {
            #expect(result.diagnostics.map(\.description) == testCase.expected)
        }
        for diagnostic in result.diagnostics {
            #expect(diagnostic.kind == .data)
            #expect(!diagnostic.description.contains("\n"))
        }
    }

    @Test func yamlSyntaxErrorNamesTheLine() throws {
        let testCase = try #require(diagnosticCases.first { $0.name == "YAML syntax error" })
        let diagnostic = try #require(RuleLoader.load(yaml: testCase.yaml, file: "x.yml").diagnostics.first)
        #expect(diagnostic.line == 6)
        #expect(diagnostic.message.hasPrefix("invalid YAML: "))
        #expect(diagnostic.hint == "check indentation (spaces, not tabs), the ':' after keys and quotes on this line or the one above")
    }

    @Test func duplicateKeyNamesTheKey() throws {
        let testCase = try #require(diagnosticCases.first { $0.name == "duplicate key" })
        let diagnostic = try #require(RuleLoader.load(yaml: testCase.yaml, file: "x.yml").diagnostics.first)
        #expect(diagnostic.line == 3)
        #expect(diagnostic.message == "key 'level' appears more than once in the same map")
    }

    @Test func descriptionLeavesOutMissingParts() {
        let full = Diagnostic(kind: .data, file: "a.yml", line: 3, message: "bad", hint: "fix it")
        #expect(full.description == "a.yml:3: error: bad — fix it")
        let withColumn = Diagnostic(kind: .data, severity: .warning, file: "a.yml", line: 3, column: 7, message: "odd", hint: "check")
        #expect(withColumn.description == "a.yml:3:7: warning: odd — check")
        let noLine = Diagnostic(kind: .noInput, file: "a.yml", line: nil, message: "bad", hint: "fix it")
        #expect(noLine.description == "a.yml: error: bad — fix it")
        let noHint = Diagnostic(kind: .data, file: "a.yml", line: 3, message: "bad", hint: nil)
        #expect(noHint.description == "a.yml:3: error: bad")
        let multiLine = Diagnostic(kind: .data, file: "a.yml", line: 3, message: "bad\nthing", hint: "fix\nit")
        #expect(multiLine.description == "a.yml:3: error: bad thing — fix it")
    }

    @Test func suggestsNearestNames() {
        #expect(Suggestion.nearest(to: "contans", among: ["contains", "endswith"]) == "contains")
        #expect(Suggestion.nearest(to: "startwith", among: ["contains", "startswith"]) == "startswith")
        #expect(Suggestion.nearest(to: "xyz", among: ["contains", "startswith"]) == nil)
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
        #expect(Suggestion.editDistance("", "abc") == 3)
    }
}
