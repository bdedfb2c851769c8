import Foundation
import Testing

/// `cordon check` on a folder of ten rules, each broken in its own way: ten lines, each naming the
/// file, line and column, what is wrong and what to do.
@Suite struct CheckCommandTests {
    /// Each broken rule, and the start of the line `check` must print for it (after the path).
    static let brokenRules: [(name: String, yaml: String, expected: String)] = [
        ("01-typo-modifier", detection("sel: {MESSAGE|contans: x}"), ":7:19: error: unknown modifier 'contans' in 'MESSAGE|contans' — did you mean 'contains'?"),
        ("02-bad-regex", detection("sel: {MESSAGE|re: 'a(b'}"), ":7:11: error: invalid regular expression"),
        ("03-not-a-network", detection("sel: {SourceIp|cidr: 10.0.0.0/33}"), ":7:11: error: '10.0.0.0/33' is not an IPv4 or IPv6 network"),
        ("04-flag-without-re", detection("sel: {MESSAGE|i: x}"), ":7:19: error: modifier 'i' is a regular expression flag, but 'MESSAGE|i' has no 're'"),
        ("05-encoding-after-contains", detection("sel: {CMD|contains|base64offset: x}"), ":7:24: error: 'base64offset' comes after 'contains'"),
        ("06-aggregation", detection("sel: {A: x}", condition: "sel | count() > 5"), ":8:20: error: Sigma 1 aggregation '| …' at position 5 is not supported"),
        ("07-unknown-selection", detection("sel: {A: x}", condition: "sel and filter"), ":8:16: error: condition uses 'filter', which is not a selection"),
        ("08-bad-level", rule(level: "severe", body: "    sel: {A: x}\n    condition: sel"), ":3:8: error: 'severe' is not a level"),
        ("09-null-in-list", detection("sel: {A: [x, null]}"), ":7:11: error: 'A' lists null among other values"),
        ("10-placeholder", detection("sel: {User|expand: '%Admins%'}"), ":7:11: error: placeholder '%Admins%' in 'User|expand' has no values"),
    ]

    static func rule(level: String = "high", body: String) -> String {
        "title: Broken\nid: \(UUID().uuidString.lowercased())\nlevel: \(level)\nlogsource:\n    product: linux\ndetection:\n" + body + "\n"
    }

    static func detection(_ selection: String, condition: String = "sel") -> String {
        rule(body: "    \(selection)\n    condition: \(condition)")
    }

    @Test func tenBrokenRulesGiveTenPreciseLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for broken in Self.brokenRules { _ = try directory.write("rules/\(broken.name).yml", broken.yaml) }
        let result = try runCommand([Paths.cordon, "check", Paths.logSources, directory.path + "/rules"])
        #expect(result.status == 65)
        let lines = result.standardError.split(separator: "\n").map(String.init)
        #expect(lines.count == 10, "\(result.standardError)")
        // Loading problems come first, then compiling ones (regular expressions, networks): match by file.
        for broken in Self.brokenRules {
            let file = directory.path + "/rules/\(broken.name).yml"
            let line = try #require(lines.first { $0.hasPrefix(file + ":") }, "no line for \(broken.name)")
            #expect(line.hasPrefix(file + broken.expected), "\(line)")
            #expect(line.contains(" — "), "no advice in: \(line)")
        }
        #expect(result.standardOutput.contains("0 rules loaded"))
        #expect(result.standardOutput.contains("10 errors"))
    }

    @Test func countsCorrelationRulesAndDetectors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let base = "title: Failed su\nid: failed-su\nname: failed_su\nlevel: low\nlogsource:\n    product: linux\n"
            + "detection:\n    sel: {MESSAGE|contains: 'authentication failure'}\n    condition: sel\n"
        let correlation = "title: Many failed su\nid: many-failed-su\nlevel: high\ncorrelation:\n    type: event_count\n"
            + "    rules: [failed_su]\n    group-by: [_HOSTNAME]\n    timespan: 10m\n    condition: {gte: 5}\n"
        let detector = "title: su failures spike\nid: su-spike\ndetector:\n    type: rate_spike\n    rules: [failed-su]\n"
            + "    window: 5m\n    factor: 5\n    floor: 20\n    learning: 1d\n"
        _ = try directory.write("rules/su.yml", base + "---\n" + correlation + "---\n" + detector)
        let result = try runCommand([Paths.cordon, "check", Paths.logSources, directory.path + "/rules"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("3 rules OK (2 correlations), 1 evaluated on the journal"), "\(result.standardOutput)")
        let json = try runCommand([Paths.cordon, "check", "--format", "json", Paths.logSources, directory.path + "/rules"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(document["correlations"] as? Int == 2)
    }

    @Test func jsonNamesFileLineColumnAndSeverity() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("r.yml", Self.brokenRules[0].yaml)
        let result = try runCommand([Paths.cordon, "check", "--format", "json", Paths.logSources, file])
        #expect(result.status == 65)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let diagnostics = try #require(document["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["file"] as? String == file)
        #expect(diagnostics.first?["line"] as? Int == 7)
        #expect(diagnostics.first?["column"] as? Int == 19)
        #expect(diagnostics.first?["severity"] as? String == "error")
        #expect(diagnostics.first?["hint"] as? String == "did you mean 'contains'?")
        #expect(document["errors"] as? Int == 1)
    }
}

/// `cordon check` also checks the configuration's `response:` section.
@Suite struct CheckResponseConfigurationTests {
    @Test func theShippedConfigurationIsValid() throws {
        let result = try runCommand([Paths.cordon, "check", "--config", Paths.packageRoot + "/config/cordon.yaml", Paths.shippedRules])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty, "\(result.standardError)")
    }

    @Test func aBadActionGetsOneLineWithItsLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bad = try directory.write("cordon.yaml", "response:\n  mode: enforce\n  actions:\n    - {name: x, hook: /nonexistent/hook, when: {min_level: high}}\n")
        let result = try runCommand([Paths.cordon, "check", "--config", bad, Paths.shippedRules])
        #expect(result.status == 65)
        #expect(result.standardError == "cordon: \(bad):4: action 'x': hook /nonexistent/hook is not an executable file; install it or fix the path\n")
        let unknownRule = try directory.write("warn.yaml", "response:\n  actions:\n    - {name: x, hook: /bin/true, when: {rules: [nope]}}\n")
        let warned = try runCommand([Paths.cordon, "check", "--config", unknownRule, Paths.shippedRules])
        #expect(warned.status == 0)
        #expect(warned.standardError.contains("\(unknownRule):3: warning: action 'x' triggers on rule 'nope', which is not among the loaded rules"))
    }
}
