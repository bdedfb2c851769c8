import Testing
@testable import Rules

/// Anomaly detector documents (`rare_category`, `category_rate`, `rare_process`, `rare_login`) with
/// exactly these diagnostics; lines are numbered in comments.
let anomalyDiagnosticCases: [DiagnosticCase] = [
    DiagnosticCase(name: "rare_login needs rules", yaml: """
        title: New login network   # 1
        id: login                  # 2
        detector:                  # 3
            type: rare_login       # 4
        """, expected: [
            "x.yml:3:1: error: 'detector' has no 'rules' — add 'rules:' with the ids or names of the rules it watches",
        ]),
    DiagnosticCase(name: "a setting of another type", yaml: """
        title: New categories      # 1
        id: rare                   # 2
        detector:                  # 3
            type: rare_category    # 4
            window: 10m            # 5
        """, expected: [
            "x.yml:5:5: error: unknown key 'window' in 'detector' — a rare_category detector takes type, sources, learning, limit",
        ]),
    DiagnosticCase(name: "limits and prefixes out of range", yaml: """
        title: New login network   # 1
        id: login                  # 2
        detector:                  # 3
            type: rare_login       # 4
            rules: [b]             # 5
            limit: 0               # 6
            ipv4_prefix: 33        # 7
            hours: sometimes       # 8
            user: [User, Name]     # 9
        ---
        {title: b, id: b, level: low, detection: {sel: {MESSAGE: x}, condition: sel}}
        """, expected: [
            "x.yml:6:12: error: 'limit' must be a whole number, 1 or more, not 0 — write e.g. 'limit: 5'",
            "x.yml:9:5: error: 'user' must name one field — write e.g. 'user: User'",
            "x.yml:7:18: error: 'ipv4_prefix' must be a whole number from 0 to 32, not 33 — write e.g. 'ipv4_prefix: 24'",
            "x.yml:8:12: error: 'hours' must be true or false — write 'hours: false' to report new networks only",
        ]),
    DiagnosticCase(name: "an anomaly detector cannot watch a correlation", yaml: """
        title: Logins              # 1
        id: login                  # 2
        detector:                  # 3
            type: rare_login       # 4
            rules: [many]          # 5
        ---
        {title: Many, id: many, correlation: {type: event_count, rules: [b], group-by: [], timespan: 5m, condition: {gte: 2}}}
        ---
        {title: b, id: b, level: low, detection: {sel: {MESSAGE: x}, condition: sel}}
        """, expected: [
            "x.yml:5:13: error: detector 'Logins' names 'many', a correlation or detector — an anomaly detector watches base rules (with 'detection:'); name those",
        ]),
]

@Suite struct AnomalyDetectorParsingTests {
    @Test(arguments: anomalyDiagnosticCases)
    func rejectsWithExactDiagnostics(_ testCase: DiagnosticCase) {
        let result = RuleLoader.load(yaml: testCase.yaml, file: "x.yml")
        #expect(result.diagnostics.map(\.description) == testCase.expected)
        #expect(!result.correlations.contains { $0.kind.isAnomaly })
    }

    @Test func settingsAndDefaults() throws {
        let yaml = """
            title: New categories
            id: rare
            level: low
            detector: {type: rare_category, sources: [ssh.service, 'postgresql*.service'], limit: 3}
            ---
            title: Storms
            id: storms
            detector: {type: category_rate, window: 5m, factor: 4, floor: 50, learning: 1d}
            ---
            title: Logins
            id: logins
            detector: {type: rare_login, rules: [b], address: ClientIp, hours: false}
            ---
            {title: b, id: b, level: low, detection: {sel: {MESSAGE: x}, condition: sel}}
            """
        let result = RuleLoader.load(yaml: yaml, file: "x.yml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let byID = Dictionary(uniqueKeysWithValues: result.correlations.map { ($0.identifier, $0) })
        let rare = try #require(byID["rare"])
        #expect(rare.kind == .rareCategory && rare.kind.isAnomaly && rare.kind.isDetector)
        #expect(rare.level == .low)
        #expect(rare.names["sources"] == ["ssh.service", "postgresql*.service"])
        #expect(rare.settings["limit"] == 3)
        #expect(rare.settings["learning"] == Double(7 * 86_400_000_000))  // the default week
        #expect(rare.ruleReferences.isEmpty)
        let storms = try #require(byID["storms"])
        #expect(storms.settings["window"] == 300_000_000 && storms.settings["factor"] == 4 && storms.settings["floor"] == 50)
        #expect(storms.settings["learning"] == Double(86_400_000_000))
        let logins = try #require(byID["logins"])
        #expect(logins.resolvedReferences == ["b"])
        #expect(logins.names["address"] == ["ClientIp"])
        #expect(logins.settings["hours"] == 0)
        #expect(logins.level == .medium)
    }
}
