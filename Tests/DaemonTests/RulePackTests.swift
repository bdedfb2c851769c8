import Foundation
import Rules
import Testing
@testable import Daemon

/// The shipped rule pack's conventions (rules/README.md): every rule documented and tagged, on a
/// log source journald vouches for, and listed in rules/README.md.
@Suite struct RulePackTests {
    static let rulesDirectory = ReadFieldsTests.shippedRules

    /// The rule files of the pack: `rules/<tactic>/*.yml`, not the tests.
    static func ruleFiles() throws -> [String] {
        let fileManager = FileManager.default
        var files: [String] = []
        for tactic in try fileManager.contentsOfDirectory(atPath: rulesDirectory).sorted() {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: rulesDirectory + "/" + tactic, isDirectory: &isDirectory), isDirectory.boolValue,
                  tactic != "audit" else { continue }
            for file in try fileManager.contentsOfDirectory(atPath: rulesDirectory + "/" + tactic).sorted()
            where file.hasSuffix(".yml") && !file.hasSuffix(".test.yml") {
                files.append(tactic + "/" + file)
            }
        }
        return files
    }

    @Test func everyRuleIsDocumentedTaggedAndNamed() throws {
        let report = RuleLoading.report(paths: [Self.rulesDirectory])
        #expect(report.errors.isEmpty)
        let rules = report.loaded.rules
        let correlations = report.loaded.correlations
        #expect(rules.count + correlations.count >= 90, "the pack shrank: \(rules.count) rules, \(correlations.count) correlations")
        let documents: [(id: String, name: String?, description: String?, author: String?, tags: [String], falsePositives: [String])] =
            rules.map { ($0.identifier, $0.name, $0.description, $0.author, $0.tags, $0.falsePositives) }
            + correlations.map { ($0.identifier, $0.name, $0.description, $0.author, $0.tags, $0.falsePositives) }
        for rule in documents {
            #expect(rule.name?.isEmpty == false, "\(rule.id) has no name")
            #expect(rule.description?.isEmpty == false, "\(rule.id) has no description")
            #expect(rule.author == "Cordon", "\(rule.id)")
            #expect(rule.tags.contains { $0.range(of: #"^attack\.t[0-9]{4}(\.[0-9]{3})?$"#, options: .regularExpression) != nil },
                    "\(rule.id) has no ATT&CK technique tag")
            #expect(rule.tags.contains { $0.hasPrefix("attack.") && !$0.hasPrefix("attack.t") }, "\(rule.id) has no ATT&CK tactic tag")
            #expect(!rule.falsePositives.isEmpty, "\(rule.id) lists no false positives")
        }
    }

    /// A rule on a source journald never vouches for can only raise untrusted alerts, which no
    /// response acts on. The one exception is the rule that exists to see forgeries.
    @Test func everyRuleReadsATrustedLogSource() throws {
        let report = RuleLoading.report(paths: [Self.rulesDirectory])
        let forgeryRule = "0deffd5a-dfdb-4d49-a5bf-2fd03ee4ad67"   // sshd_message_from_other_process
        for rule in report.loaded.rules where rule.identifier != forgeryRule {
            let mapping = report.loaded.logSources.first {
                $0.logSource.product == rule.logSource.product && $0.logSource.service == rule.logSource.service
                    && $0.logSource.category == rule.logSource.category
            }
            let source = "\(rule.logSource.product ?? "-")/\(rule.logSource.service ?? rule.logSource.category ?? "-")"
            guard let mapping else {
                Issue.record("\(rule.identifier) (\(rule.title)): no mapping for \(source)")
                continue
            }
            if case .never = mapping.trust { Issue.record("\(rule.identifier) (\(rule.title)) reads \(source), which is never trusted") }
        }
    }

    @Test func rulesReadmeListsEveryRuleFileAndAlertingRule() throws {
        let readme = try String(contentsOfFile: Self.rulesDirectory + "/README.md", encoding: .utf8)
        let files = try Self.ruleFiles()
        #expect(files.count >= 45)
        for file in files { #expect(readme.contains("](\(file))"), "rules/README.md does not list \(file)") }
        let report = RuleLoading.report(paths: [Self.rulesDirectory])
        // Every rule that alerts by name; informational building blocks are described by pattern.
        let names = report.loaded.rules.filter { $0.level != .informational }.compactMap(\.name)
            + report.loaded.correlations.filter { $0.level != .informational }.compactMap(\.name)
        for name in names { #expect(readme.contains("`\(name)`"), "rules/README.md does not name \(name)") }
    }
}
