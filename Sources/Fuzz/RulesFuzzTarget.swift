import Detect
import Journal
import Parse
import Rules

/// Bytes → a rule file: loaded (YAML, documents, detection, condition, modifiers, correlations)
/// with the shipped log source mapping, compiled, and evaluated on a few entries. Then the
/// first line alone as the condition of a fixed rule, so the condition parser sees any text.
final class RulesFuzzTarget: FuzzTarget {
    private let logSources: [LogSourceMapping]
    private var matches: [Match] = []

    init(rulesDirectory: String) throws(FuzzSetupError) {
        let mapping = RuleLoader.load(paths: [rulesDirectory + "/logsources.yml"])
        guard mapping.errors.isEmpty, !mapping.logSources.isEmpty else {
            throw FuzzSetupError("\(rulesDirectory)/logsources.yml: no log source mapping loads: \(mapping.errors.map(\.description))")
        }
        logSources = mapping.logSources
    }

    func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        load(text)
        let firstLine = text.prefix { $0 != "\n" }
        load(Self.rule(condition: String(firstLine)))
    }

    /// Loads, compiles and evaluates the rules in `text`.
    private func load(_ text: String) {
        let loaded = RuleLoader.load(yaml: text, file: "fuzz.yml")
        // Mappings in the input replace the shipped ones, as a rule tree with its own would.
        var engine = Engine(rules: loaded.rules, logSources: loaded.logSources.isEmpty ? logSources : loaded.logSources)
        for entry in Self.entries {
            matches.removeAll(keepingCapacity: true)
            engine.evaluate(entry, into: &matches)
        }
        if !engine.rules.isEmpty { _ = engine.explain(Self.entries[0]) }
        if !loaded.correlations.isEmpty {
            let correlator = Correlator(rules: loaded.correlations, ruleNames: [:], maximumGroupsPerRule: 4,
                                        makeState: Detectors.makeState)
            var correlationMatches: [CorrelationMatch] = []
            correlator.advance(to: Self.entries[0].realtime, into: &correlationMatches)
        }
    }

    /// A rule whose condition is `condition` (as a YAML double-quoted string) over a few selections.
    static func rule(condition: String) -> String {
        var quoted = ""
        for scalar in condition.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case " "..."~": quoted.unicodeScalars.append(scalar)
            default:
                let hex = String(scalar.value, radix: 16)
                quoted += "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
            }
        }
        return """
            title: Fuzzed condition
            id: 00000000-0000-4000-8000-00000000f022
            level: low
            logsource: {product: linux, service: sshd}
            detection:
              selection: {MESSAGE|contains: Failed}
              selection_user: {MESSAGE|contains: root}
              filter: {MESSAGE|startswith: Accepted}
              keywords: [invalid, error]
              condition: "\(quoted)"
            """
    }

    /// Entries the compiled rules run on: an sshd failure, a sudo command, an audit record.
    static let entries: [JournalEntry] = [
        JournalEntry(["SYSLOG_IDENTIFIER": "sshd", "_COMM": "sshd", "_SYSTEMD_UNIT": "ssh.service", "_TRANSPORT": "syslog",
                      "MESSAGE": "Failed password for invalid user admin from 203.0.113.7 port 52144 ssh2"],
                     realtime: 1_780_000_000_000_000),
        JournalEntry(["SYSLOG_IDENTIFIER": "sudo", "_COMM": "sudo", "_TRANSPORT": "syslog",
                      "MESSAGE": "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash -c id"],
                     realtime: 1_780_000_001_000_000),
        JournalEntry(["_TRANSPORT": "audit", "_AUDIT_TYPE_NAME": "EXECVE", "_AUDIT_TYPE": "1309", "_AUDIT_ID": "42",
                      "MESSAGE": "argc=2 a0=\"cat\" a1=\"/etc/shadow\""],
                     realtime: 1_780_000_002_000_000),
    ]
}
