import Testing
@testable import Rules

/// A base rule document (title, id, level, a detection) with an optional `name`.
func baseRule(id: String, name: String? = nil) -> String {
    var text = "title: Base \(id)\nid: \(id)\nlevel: low\n"
    if let name { text += "name: \(name)\n" }
    return text + "detection:\n    selection:\n        MESSAGE: x\n    condition: selection\n"
}

/// A header for a spec example that has no title or id.
func header(title: String, id: String) -> String {
    "title: \(title)\nid: \(id)\n"
}

/// Loads documents (joined with `---`) as one file.
func loadDocuments(_ documents: String...) -> RuleLoadResult {
    RuleLoader.load(yaml: documents.joined(separator: "\n---\n"), file: "c.yml")
}

let minute: UInt64 = 60_000_000
let hour = 60 * minute
let day = 24 * hour

@Suite struct CorrelationLoaderTests {
    @Test func specEventCountExample() throws {
        let result = loadDocuments(specEventCount, baseRule(id: "5638f7c0-ac70-491d-8465-2a65075e0d86"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.count == 1)
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .eventCount)
        #expect(rule.title == "Many failed logins")
        #expect(rule.identifier == "0e95725d-7320-415d-80f7-004da920fc11")
        #expect(rule.ruleReferences == ["5638f7c0-ac70-491d-8465-2a65075e0d86"])
        #expect(rule.resolvedReferences == ["5638f7c0-ac70-491d-8465-2a65075e0d86"])
        #expect(rule.groupBy == ["ComputerName"])
        #expect(rule.timespan == hour)
        #expect(rule.condition == CorrelationRule.Condition(greaterThanOrEqual: 100))
        #expect(rule.fields.isEmpty)
        #expect(rule.level == .medium)  // Level is optional for correlations.
        #expect(rule.generate == false)
        #expect(rule.settings.isEmpty)
        #expect(rule.location == SourceLocation(file: "c.yml", line: 1, column: 1))
    }

    @Test func specValueCountExample() throws {
        let result = loadDocuments(specValueCount, baseRule(id: "5638f7c0-ac70-491d-8465-2a65075e0d86"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .valueCount)
        #expect(rule.groupBy == ["ComputerName", "WorkstationName"])
        #expect(rule.timespan == day)
        #expect(rule.fields == ["User"])
        #expect(rule.condition == CorrelationRule.Condition(greaterThanOrEqual: 100))
    }

    @Test func valueCountTakesAListOfFields() throws {
        let yaml = specValueCount.replacingOccurrences(of: "field: User", with: "field: [User, Domain]")
        let result = loadDocuments(yaml, baseRule(id: "5638f7c0-ac70-491d-8465-2a65075e0d86"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.correlations.first?.fields == ["User", "Domain"])
    }

    @Test func specTemporalExampleDefaultsToEveryRule() throws {
        let result = loadDocuments(
            header(title: "Recon", id: "recon") + specTemporal,
            baseRule(id: "a", name: "recon_cmd_a"), baseRule(id: "b", name: "recon_cmd_b"),
            baseRule(id: "c", name: "recon_cmd_c"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .temporal)
        #expect(rule.ruleReferences == ["recon_cmd_a", "recon_cmd_b", "recon_cmd_c"])
        #expect(rule.resolvedReferences == ["a", "b", "c"])
        #expect(rule.groupBy == ["ComputerName", "User"])
        #expect(rule.timespan == 5 * minute)
        // No condition: every referenced rule must be seen.
        #expect(rule.condition == CorrelationRule.Condition(greaterThanOrEqual: 3))
        #expect(rule.location.line == 1)
    }

    @Test func temporalKeepsAnExplicitCondition() throws {
        let yaml = header(title: "Recon", id: "recon") + specTemporal + "\n    condition:\n        gte: 2"
        let result = loadDocuments(yaml, baseRule(id: "a", name: "recon_cmd_a"), baseRule(id: "b", name: "recon_cmd_b"),
                                   baseRule(id: "c", name: "recon_cmd_c"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.correlations.first?.condition == CorrelationRule.Condition(greaterThanOrEqual: 2))
    }

    @Test func specTemporalOrderedExampleReferringToACorrelation() throws {
        let result = loadDocuments(
            header(title: "Brute force then success", id: "ordered") + specTemporalOrdered,
            "title: Many failed logins\nid: many\nname: many_failed_logins\n"
                + "correlation: {type: event_count, rules: [failed], group-by: [User], timespan: 10m, condition: {gte: 10}}",
            baseRule(id: "failed"), baseRule(id: "success", name: "successful_login"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.correlations.map(\.identifier) == ["ordered", "many"])
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .temporalOrdered)
        #expect(rule.resolvedReferences == ["many", "success"])
        #expect(rule.condition == CorrelationRule.Condition(greaterThanOrEqual: 2))
        #expect(rule.timespan == hour)
    }

    @Test func specValueSumExample() throws {
        let result = loadDocuments(header(title: "", id: "sum").replacingOccurrences(of: "title: \n", with: "")
                                       + specValueSum, baseRule(id: "w", name: "website_access"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .valueSum)
        #expect(rule.title == "Possible Exfiltration to Website")
        #expect(rule.fields == ["bytes_sent"])
        #expect(rule.condition == CorrelationRule.Condition(greaterThan: 1_000_000))
        #expect(rule.groupBy == ["SourceIP", "User"])
    }

    @Test func specValueAverageExample() throws {
        let result = loadDocuments("id: avg\n" + specValueAverage, baseRule(id: "rule_a_id"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .valueAverage)
        #expect(rule.fields == ["BytesOut"])
        #expect(rule.timespan == 24 * hour)
        #expect(rule.condition == CorrelationRule.Condition(greaterThan: 500))
    }

    @Test func specValuePercentileExample() throws {
        let result = loadDocuments("id: pct\n" + specValuePercentile, baseRule(id: "p", name: "process_creation"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .valuePercentile)
        #expect(rule.fields == ["image"])
        #expect(rule.condition == CorrelationRule.Condition(lessThanOrEqual: 1))
        #expect(rule.percentile == nil)
    }

    @Test func valuePercentileTakesAPercentile() throws {
        let yaml = "id: pct\n" + specValuePercentile.replacingOccurrences(of: "lte: 1", with: "percentile: 95\n        gt: 300")
        let result = loadDocuments(yaml, baseRule(id: "p", name: "process_creation"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.correlations.first?.percentile == 95)
        #expect(result.correlations.first?.condition == CorrelationRule.Condition(greaterThan: 300))
    }

    @Test func specAliasExample() throws {
        let result = loadDocuments(
            header(title: "Internal error", id: "ie") + "level: low\n" + specAliasInternalError,
            header(title: "New connection", id: "nc") + "level: low\n" + specAliasNewNetworkConnection,
            specAliasCorrelation)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.map(\.name) == ["internal_error", "new_network_connection"])
        let rule = try #require(result.correlations.first)
        #expect(rule.identifier == "—")
        #expect(rule.title == "—")
        #expect(rule.groupBy == ["internal_ip", "remote_ip"])
        #expect(rule.timespan == 10_000_000)
        #expect(rule.aliases == [
            "internal_ip": ["internal_error": "destination.ip", "new_network_connection": "source.ip"],
            "remote_ip": ["internal_error": "source.ip", "new_network_connection": "destination.ip"],
        ])
        #expect(rule.resolvedAliases == [
            "internal_ip": ["ie": "destination.ip", "nc": "source.ip"],
            "remote_ip": ["ie": "source.ip", "nc": "destination.ip"],
        ])
        #expect(rule.fieldName(for: "internal_ip", inRule: "nc") == "source.ip")
        #expect(rule.fieldName(for: "User", inRule: "nc") == "User")
    }

    @Test func specFullExampleChainsCorrelationsByName() throws {
        let result = loadDocuments(specFullExample)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.map(\.identifier) == ["53ba33fd-3a50-4468-a5ef-c583635cfa92", "4d0a2c83-c62c-4ed4-b475-c7e23a9269b8"])
        try #require(result.correlations.count == 2)
        let outer = result.correlations[0]
        #expect(outer.identifier == "b180ead8-d58f-40b2-ae54-c8940995b9b6")
        #expect(outer.kind == .temporalOrdered)
        #expect(outer.status == "experimental")
        #expect(outer.description == "Detects multiple failed logins by a single user followed by a successful login of that user")
        #expect(outer.references == ["https://reference.com"])
        #expect(outer.author == "Florian Roth (Nextron Systems)")
        #expect(outer.falsePositives == ["Unlikely"])
        #expect(outer.level == .high)
        #expect(outer.ruleReferences == ["multiple_failed_login", "successful_login"])
        #expect(outer.resolvedReferences == ["a8418a5a-5fc4-46b5-b23b-6c73beb19d41", "4d0a2c83-c62c-4ed4-b475-c7e23a9269b8"])
        #expect(outer.timespan == 10 * minute)
        #expect(outer.condition == CorrelationRule.Condition(greaterThanOrEqual: 2))
        let inner = result.correlations[1]
        #expect(inner.name == "multiple_failed_login")
        #expect(inner.kind == .eventCount)
        #expect(inner.resolvedReferences == ["53ba33fd-3a50-4468-a5ef-c583635cfa92"])
        #expect(inner.location.line == 21)
    }

    @Test func referencesResolveAcrossFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a/mr_chain.yml", specFullExample.components(separatedBy: "\n---\n")[0...1].joined(separator: "\n---\n"))
        try directory.write("b/base.yml", specFullExample.components(separatedBy: "\n---\n")[2...3].joined(separator: "\n---\n"))
        let result = RuleLoader.load(paths: [directory.path])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.count == 2)
        #expect(result.correlations.count == 2)
    }

    @Test func generateAtTopLevelOrInTheSection() throws {
        let base = baseRule(id: "5638f7c0-ac70-491d-8465-2a65075e0d86")
        let top = loadDocuments(specEventCount + "\ngenerate: true", base)
        #expect(top.diagnostics.isEmpty, "\(top.diagnostics)")
        #expect(top.correlations.first?.generate == true)
        let inSection = loadDocuments(specEventCount.replacingOccurrences(of: "timespan: 1h", with: "timespan: 1h\n    generate: true"), base)
        #expect(inSection.diagnostics.isEmpty, "\(inSection.diagnostics)")
        #expect(inSection.correlations.first?.generate == true)
        let no = loadDocuments(specEventCount + "\ngenerate: false", base)
        #expect(no.correlations.first?.generate == false)
    }

    @Test func metadataOfACorrelation() throws {
        let yaml = """
            title: Many
            name: many
            level: critical
            tags: [attack.t1110]
            author: Cordon
            correlation:
                type: event_count
                rules: [b]
                group-by: []
                timespan: 90m
                condition: {gt: 5, lte: 10}
            """
        let result = loadDocuments(yaml, baseRule(id: "b"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.identifier == "many")  // Without an id, the name identifies it.
        #expect(rule.name == "many")
        #expect(rule.level == .critical)
        #expect(rule.tags == ["attack.t1110"])
        #expect(rule.author == "Cordon")
        #expect(rule.groupBy.isEmpty)
        #expect(rule.timespan == 90 * minute)
        #expect(rule.condition == CorrelationRule.Condition(greaterThan: 5, lessThanOrEqual: 10))
        #expect(rule.condition.holds(6) && !rule.condition.holds(5) && !rule.condition.holds(11))
    }

    @Test func firstSeenDetector() throws {
        let yaml = """
            title: New SSH source for a user
            id: first-ssh-source
            level: medium
            detector:
                type: first_seen
                rules: [ssh-login]
                group-by: [USER]
                fields: [SOURCE_IP]
                learning: 7d
            """
        let result = loadDocuments(yaml, baseRule(id: "ssh-login"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .firstSeen)
        #expect(rule.kind.isDetector)
        #expect(rule.resolvedReferences == ["ssh-login"])
        #expect(rule.groupBy == ["USER"])
        #expect(rule.fields == ["SOURCE_IP"])
        #expect(rule.timespan == 7 * day)
        #expect(rule.settings == ["learning": Double(7 * day)])
        #expect(rule.condition.isEmpty)
    }

    @Test func rateSpikeDetector() throws {
        let yaml = """
            title: sudo failures spike
            id: sudo-spike
            level: high
            detector:
                type: rate_spike
                rules: [sudo-failure]
                group-by: [_HOSTNAME]
                window: 5m
                factor: 5
                floor: 20
                learning: 1d
            """
        let result = loadDocuments(yaml, baseRule(id: "sudo-failure"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .rateSpike)
        #expect(rule.timespan == 5 * minute)
        #expect(rule.settings == ["window": Double(5 * minute), "factor": 5, "floor": 20, "learning": Double(day),
                                  "smoothing": 0.3])
        let smoothed = loadDocuments(yaml + "\n    smoothing: 0.5", baseRule(id: "sudo-failure"))
        #expect(smoothed.diagnostics.isEmpty, "\(smoothed.diagnostics)")
        #expect(smoothed.correlations.first?.settings["smoothing"] == 0.5)
    }

    @Test func silenceDetector() throws {
        let yaml = """
            title: Backup went quiet
            id: backup-silent
            level: high
            detector:
                type: silence
                rules: [backup-done]
                group-by: [_HOSTNAME]
                timespan: 10m
            """
        let result = loadDocuments(yaml, baseRule(id: "backup-done"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.correlations.first)
        #expect(rule.kind == .silence)
        #expect(rule.timespan == 10 * minute)
        #expect(rule.settings.isEmpty)
    }

    @Test func timespans() {
        #expect(Timespan.microseconds("1s") == 1_000_000)
        #expect(Timespan.microseconds("90m") == 90 * minute)
        #expect(Timespan.microseconds("24h") == day)
        #expect(Timespan.microseconds("7d") == 7 * day)
        for bad in ["", "m", "0m", "5", "5M", "1w", "-1m", "1.5h", " 5m", "5 m", "99999999999999999999d"] {
            #expect(Timespan.microseconds(bad) == nil, "\(bad)")
        }
    }
}
