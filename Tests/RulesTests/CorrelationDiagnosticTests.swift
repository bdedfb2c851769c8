import Testing
@testable import Rules

/// One base rule per line, for the cases below.
private func base(_ id: String, name: String? = nil) -> String {
    "{title: \(id), id: \(id), level: low\(name.map { ", name: \($0)" } ?? ""), detection: {sel: {MESSAGE: x}, condition: sel}}"
}

/// Correlation and detector documents with exactly these diagnostics (in order). Lines are
/// numbered in comments; base rules follow the correlation as one-line documents.
let correlationDiagnosticCases: [DiagnosticCase] = [
    DiagnosticCase(name: "unknown reference, near a loaded name", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [faild_login]   # 5
            group-by: [User]       # 6
            timespan: 10m          # 7
            condition: {gte: 10}   # 8
        ---
        \(base("b", name: "failed_login"))
        """, expected: [
            "x.yml:5:13: error: correlation 'Many failures' names rule 'faild_login', which is not loaded — did you mean 'failed_login'?",
        ]),
    DiagnosticCase(name: "unknown reference", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_count      # 4
            rules:                 # 5
                - nothing-like-it  # 6
            group-by: [User]       # 7
            timespan: 10m          # 8
            condition: {gte: 10}   # 9
        """, expected: [
            "x.yml:6:11: error: correlation 'Many failures' names rule 'nothing-like-it', which is not loaded — check the id or name, or load the file that defines it",
        ]),
    DiagnosticCase(name: "refers to itself", yaml: """
        title: Loop                # 1
        id: loop                   # 2
        name: the_loop             # 3
        correlation:               # 4
            type: event_count      # 5
            rules: [b, the_loop]   # 6
            group-by: [User]       # 7
            timespan: 10m          # 8
            condition: {gte: 10}   # 9
        ---
        \(base("b"))
        """, expected: [
            "x.yml:6:16: error: correlation 'Loop' names itself in 'rules' — name the rules whose matches it correlates, not its own id or name",
        ]),
    DiagnosticCase(name: "cycle through two correlations, and one naming the cycle", yaml: """
        title: A                   # 1
        name: a                    # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 10m          # 7
            condition: {gte: 2}    # 8
        ---                        # 9
        title: B                   # 10
        name: b                    # 11
        correlation:               # 12
            type: event_count      # 13
            rules: [a]             # 14
            group-by: [User]       # 15
            timespan: 10m          # 16
            condition: {gte: 2}    # 17
        ---                        # 18
        title: C                   # 19
        id: c                      # 20
        correlation:               # 21
            type: temporal         # 22
            rules: [a, r]          # 23
            group-by: [User]       # 24
            timespan: 10m          # 25
        ---
        \(base("r"))
        """, expected: [
            "x.yml:5:13: error: correlations name each other in a cycle: a → b → a — a correlation cannot depend on its own matches; remove one of these references",
            "x.yml:23:13: error: correlation 'C' names 'a', which is left out because of errors — fix the errors reported for 'A' first",
        ]),
    DiagnosticCase(name: "duplicate name", yaml: """
        \(base("b", name: "failures"))
        ---                        # 2
        title: Many failures       # 3
        id: many                   # 4
        name: failures             # 5
        correlation:               # 6
            type: event_count      # 7
            rules: [b]             # 8
            group-by: [User]       # 9
            timespan: 10m          # 10
            condition: {gte: 10}   # 11
        """, expected: [
            "x.yml:5:7: error: rule name 'failures' is already used at x.yml:1:37 — give each rule its own name; correlations refer to rules by it",
        ]),
    DiagnosticCase(name: "duplicate id of a rule and a correlation", yaml: """
        \(base("b"))
        ---                        # 2
        title: Many failures       # 3
        id: b                      # 4
        correlation:               # 5
            type: event_count      # 6
            rules: [b]             # 7
            group-by: [User]       # 8
            timespan: 10m          # 9
            condition: {gte: 10}   # 10
        """, expected: [
            "x.yml:4:5: error: rule id 'b' is already used at x.yml:1:16 — give each rule its own id, e.g. a new UUID",
        ]),
    DiagnosticCase(name: "bad timespan", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 5 min        # 7
            condition: {gte: 10}   # 8
        """, expected: [
            "x.yml:7:15: error: '5 min' is not a duration — write a whole number and a unit: s, m, h or d (e.g. '90m' for 1h30)",
        ]),
    DiagnosticCase(name: "unknown condition key", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 5m           # 7
            condition:             # 8
                gtee: 10           # 9
        """, expected: [
            "x.yml:9:9: error: unknown condition key 'gtee' — did you mean 'gte'?",
            "x.yml:8:5: error: 'condition' has no bound — add one of gt, gte, lt, lte, eq, neq, e.g. 'gte: 10'",
        ]),
    DiagnosticCase(name: "condition bound is not a number", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 5m           # 7
            condition: {gte: ten}  # 8
        """, expected: [
            "x.yml:8:22: error: 'gte' must be a number, not 'ten' — write e.g. 'gte: 10'",
        ]),
    DiagnosticCase(name: "value_sum without field", yaml: """
        title: Exfiltration        # 1
        id: exfil                  # 2
        correlation:               # 3
            type: value_sum        # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 1h           # 7
            condition:             # 8
                gt: 1000000        # 9
        """, expected: [
            "x.yml:8:5: error: value_sum correlation's condition has no 'field' — add 'field: <the field whose values it aggregates>'",
        ]),
    DiagnosticCase(name: "value_avg with a list of fields", yaml: """
        title: Average             # 1
        id: avg                    # 2
        correlation:               # 3
            type: value_avg        # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 1h           # 7
            condition:             # 8
                field: [a, b]      # 9
                gt: 5              # 10
        """, expected: [
            "x.yml:9:16: error: 'field' must be one field name, not a list — write 'field: <field>'",
        ]),
    DiagnosticCase(name: "field on event_count", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 5m           # 7
            condition:             # 8
                field: User        # 9
                gte: 3             # 10
        """, expected: [
            "x.yml:9:9: error: 'field' is only for value_count, value_sum, value_avg and value_percentile correlations — remove it; event_count counts events",
        ]),
    DiagnosticCase(name: "temporal with one rule", yaml: """
        title: Together            # 1
        id: together               # 2
        correlation:               # 3
            type: temporal         # 4
            rules:                 # 5
                - b                # 6
            group-by: [User]       # 7
            timespan: 5m           # 8
        """, expected: [
            "x.yml:6:11: error: temporal correlation needs at least two rules, it names one — add the other rules, or use 'type: event_count' to count one rule's events",
        ]),
    DiagnosticCase(name: "alias names a rule not in rules", yaml: """
        title: Same address        # 1
        id: same                   # 2
        correlation:               # 3
            type: temporal         # 4
            rules: [b, c]          # 5
            group-by: [ip]         # 6
            timespan: 10s          # 7
            aliases:               # 8
                ip:                # 9
                    b: source.ip   # 10
                    dns: dest.ip   # 11
        ---
        \(base("b"))
        ---
        \(base("c"))
        ---
        \(base("dns"))
        """, expected: [
            "x.yml:11:13: error: alias 'ip' names rule 'dns', which is not in 'rules' — add it to 'rules', or remove it from the alias",
        ]),
    DiagnosticCase(name: "unknown key in correlation", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [b]             # 5
            group_by: [User]       # 6
            timespan: 5m           # 7
            condition: {gte: 10}   # 8
        """, expected: [
            "x.yml:6:5: error: unknown key 'group_by' in 'correlation' — did you mean 'group-by'?",
            "x.yml:3:1: error: 'correlation' has no 'group-by' — add 'group-by:' with the fields whose values form a group, or 'group-by: []' for one group of all events",
        ]),
    DiagnosticCase(name: "unknown correlation type", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_cnt        # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 5m           # 7
            condition: {gte: 10}   # 8
        """, expected: [
            "x.yml:4:11: error: 'event_cnt' is not a correlation type — did you mean 'event_count'? use one of event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile",
        ]),
    DiagnosticCase(name: "detector type under correlation", yaml: """
        title: New source          # 1
        id: new                    # 2
        correlation:               # 3
            type: first_seen       # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 5m           # 7
        """, expected: [
            "x.yml:4:11: error: 'first_seen' is not a correlation type — 'first_seen' is a Cordon detector: write it under 'detector:' instead of 'correlation:'",
        ]),
    DiagnosticCase(name: "detection in a correlation document", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        correlation:               # 3
            type: event_count      # 4
            rules: [b]             # 5
            group-by: [User]       # 6
            timespan: 5m           # 7
            condition: {gte: 10}   # 8
        detection:                 # 9
            sel: {MESSAGE: x}      # 10
            condition: sel         # 11
        """, expected: [
            "x.yml:9:1: error: a correlation rule document cannot have 'detection' — put the base rule in a document of its own (after '---') and name it in 'correlation.rules'",
        ]),
    DiagnosticCase(name: "deprecated correlation", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        status: deprecated         # 3
        correlation:               # 4
            type: event_count      # 5
            rules: [b]             # 6
            group-by: [User]       # 7
            timespan: 5m           # 8
            condition: {gte: 10}   # 9
        """, expected: [
            "x.yml:3:9: error: rule has status 'deprecated': SigmaHQ replaced this rule with another — leave it out of the rules path; SigmaHQ keeps such rules for reference only",
        ]),
    DiagnosticCase(name: "no id and no name", yaml: """
        title: Many failures       # 1
        correlation:               # 2
            type: event_count      # 3
            rules: [b]             # 4
            group-by: [User]       # 5
            timespan: 5m           # 6
            condition: {gte: 10}   # 7
        """, expected: [
            "x.yml:1:1: error: correlation rule has no 'id' — add 'id: <a new UUID>'; alerts are keyed on it",
        ]),
    DiagnosticCase(name: "generate given twice, differently", yaml: """
        title: Many failures       # 1
        id: many                   # 2
        generate: true             # 3
        correlation:               # 4
            type: event_count      # 5
            rules: [b]             # 6
            group-by: [User]       # 7
            timespan: 5m           # 8
            condition: {gte: 10}   # 9
            generate: false        # 10
        """, expected: [
            "x.yml:10:15: error: 'generate' is false here but true at x.yml:3:11 — give it once, at the top level",
        ]),
    DiagnosticCase(name: "detector setting of another type", yaml: """
        title: New source          # 1
        id: new                    # 2
        detector:                  # 3
            type: first_seen       # 4
            rules: [b]             # 5
            fields: [SOURCE_IP]    # 6
            window: 5m             # 7
            learning: 7d           # 8
        """, expected: [
            "x.yml:7:5: error: unknown key 'window' in 'detector' — a first_seen detector takes type, rules, group-by, fields, learning",
        ]),
    DiagnosticCase(name: "detector with a misspelled setting", yaml: """
        title: Spike               # 1
        id: spike                  # 2
        detector:                  # 3
            type: rate_spike       # 4
            rules: [b]             # 5
            window: 5m             # 6
            facter: 5              # 7
            floor: 20              # 8
            learning: 1d           # 9
        """, expected: [
            "x.yml:7:5: error: unknown key 'facter' in 'detector' — did you mean 'factor'?",
            "x.yml:3:1: error: 'detector' has no 'factor' — add e.g. 'factor: 5'",
        ]),
    DiagnosticCase(name: "rate_spike factor not above 1", yaml: """
        title: Spike               # 1
        id: spike                  # 2
        detector:                  # 3
            type: rate_spike       # 4
            rules: [b]             # 5
            window: 5m             # 6
            factor: 1              # 7
            floor: 20              # 8
            learning: 1d           # 9
            smoothing: 2           # 10
        """, expected: [
            "x.yml:7:13: error: 'factor' must be greater than 1, not 1 — write e.g. 'factor: 5'",
            "x.yml:10:16: error: 'smoothing' must be greater than 0 and at most 1, not 2 — write e.g. 'smoothing: 0.3'",
        ]),
    DiagnosticCase(name: "first_seen without fields or learning", yaml: """
        title: New source          # 1
        id: new                    # 2
        detector:                  # 3
            type: first_seen       # 4
            rules: [b]             # 5
        """, expected: [
            "x.yml:3:1: error: a first_seen detector has no 'fields' — add 'fields:' with the field (or fields) whose new values it reports",
            "x.yml:3:1: error: 'detector' has no 'learning' — add e.g. 'learning: 7d'",
        ]),
    DiagnosticCase(name: "unknown detector type", yaml: """
        title: Quiet               # 1
        id: quiet                  # 2
        detector:                  # 3
            type: silent           # 4
            rules: [b]             # 5
            timespan: 10m          # 6
        """, expected: [
            "x.yml:4:11: error: 'silent' is not a detector type — did you mean 'silence'? use one of first_seen, rate_spike, silence, rare_category, category_rate, rare_process, rare_login",
        ]),
    DiagnosticCase(name: "base rule without level that no correlation names", yaml: """
        title: Lonely              # 1
        id: lonely                 # 2
        detection:                 # 3
            sel: {MESSAGE: x}      # 4
            condition: sel         # 5
        """, expected: [
            "x.yml:1:1: error: rule has no 'level' — add 'level: medium' (or informational, low, high, critical)",
        ]),
]

@Suite struct CorrelationDiagnosticTests {
    @Test(arguments: correlationDiagnosticCases)
    func rejectsWithExactDiagnostics(_ testCase: DiagnosticCase) {
        let result = RuleLoader.load(yaml: testCase.yaml, file: "x.yml")
        #expect(result.diagnostics.map(\.description) == testCase.expected)
        #expect(result.correlations.isEmpty || testCase.expected.allSatisfy { !$0.contains(": error: ") })
    }

    @Test func misspelledTopLevelKeyIsAWarning() throws {
        let yaml = """
            title: Many failures
            id: many
            generte: true
            correlation: {type: event_count, rules: [b], group-by: [User], timespan: 5m, condition: {gte: 10}}
            ---
            {title: b, id: b, level: low, detection: {sel: {MESSAGE: x}, condition: sel}}
            """
        let result = RuleLoader.load(yaml: yaml, file: "x.yml")
        #expect(result.diagnostics.map(\.description) == ["x.yml:3:1: warning: unknown key 'generte' — did you mean 'generate'?"])
        #expect(result.correlations.count == 1)
    }

    @Test func baseRuleWithoutLevelLoadsWhenACorrelationNamesIt() throws {
        let yaml = """
            title: Base
            id: base
            detection: {sel: {MESSAGE: x}, condition: sel}
            ---
            title: Many
            id: many
            correlation: {type: event_count, rules: [base], group-by: [], timespan: 5m, condition: {gte: 10}}
            """
        let result = RuleLoader.load(yaml: yaml, file: "x.yml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.map(\.identifier) == ["base"])
        #expect(result.rules.first?.level == .informational)
    }
}
