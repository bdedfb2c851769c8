import Alert
import Detect
import Journal
import Rules
@testable import Respond
import Yams

/// A correlation alert like the SSH brute-force rule raises, with `SourceIp` as its group.
/// - Parameters:
///   - host, machine: the `_HOSTNAME` and `_MACHINE_ID` of the entry it fired on; nil for none.
func bruteForceAlert(source: String = "203.0.113.9", realtime: UInt64 = 1_800_000_000_000_000, sequence: Int = 1,
                     trusted: Bool = true, level: Level = .high, tags: [String] = ["attack.credential-access", "attack.t1110.001"],
                     rule identifier: String = "3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14", host: String? = nil,
                     machine: String? = nil) -> Alert {
    var rule = CorrelationRule(identifier: identifier, title: "SSH brute force from one source address", level: level,
                               kind: .eventCount, ruleReferences: [], groupBy: ["SourceIp"], timespan: 300_000_000,
                               condition: CorrelationRule.Condition(), location: SourceLocation(file: "test", line: 1))
    rule.tags = tags
    let cursor = Cursor("s=0123456789abcdef0123456789abcdef;i=\(String(sequence, radix: 16));b=5a9e1d0c2b3f4a5e8d7c6b5a49382716;m=1;t=1;x=1")!
    let match = CorrelationMatch(rule: rule, group: [("SourceIp", Array(source.utf8))], realtime: realtime, cursor: cursor,
                                 evidence: [cursor], value: 10, isTrusted: trusted)
    var fields: [(name: String, value: [UInt8])] = []
    if let host { fields.append(("_HOSTNAME", Array(host.utf8))) }
    if let machine { fields.append(("_MACHINE_ID", Array(machine.utf8))) }
    return Alert(correlation: match, entry: fields.isEmpty ? nil : JournalEntry(fields: fields, cursor: cursor))
}

/// Parses a `response:` section.
func responseConfiguration(_ yaml: String, hookExists: (String) -> Bool = { _ in true }) throws -> ResponseConfiguration {
    guard let node = try Yams.compose(yaml: yaml) else { throw ResponseConfigurationError(line: 0, message: "empty") }
    return try ResponseConfiguration.parse(node, hookExists: hookExists)
}

/// The ledger as the planner sees it, in memory.
struct FakeLedger: LedgerView {
    var decided: Set<String> = []
    var active: Set<String> = []
    var last: [String: UInt64] = [:]
    var enforced: [UInt64] = []
    func contains(_ id: String) -> Bool { decided.contains(id) }
    /// Slots are `action|key`, and `action|key|machine` for a remote host.
    func isActive(action: String, key: String, machine: String?) -> Bool { active.contains(Self.slot(action, key, machine)) }
    func lastDecision(action: String, key: String, machine: String?) -> UInt64? { last[Self.slot(action, key, machine)] }
    static func slot(_ action: String, _ key: String, _ machine: String?) -> String {
        action + "|" + key + (machine.map { "|" + $0 } ?? "")
    }
    func enforcedCount(since realtime: UInt64) -> Int { enforced.filter { $0 >= realtime }.count }
}
