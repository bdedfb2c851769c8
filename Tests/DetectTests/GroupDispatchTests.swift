import Rules
import Testing
@testable import Detect

/// `GroupDispatch` only skips groups whose selection cannot hold: every group it leaves out must
/// be one whose selection is false, and groups it cannot index are always tested.
@Suite struct GroupDispatchTests {
    static let yaml = """
        logsources:
          - logsource: {product: linux, service: exact}
            select:
              - _COMM: [sshd, sshd-session]
              - SYSLOG_IDENTIFIER: sshd
            trusted: false
          - logsource: {product: linux, service: prefix}
            select:
              - _SYSTEMD_UNIT|startswith: postgresql
              - _COMM: postgres
            trusted: false
          - logsource: {product: linux, service: cased}
            select:
              _COMM|cased: Xorg
            trusted: false
          - logsource: {product: linux, service: unindexed}
            select:
              - _COMM|contains: cron
              - _PID: '1'
            trusted: false
          - logsource: {product: linux, service: everything}
            trusted: false
        ---
        title: a
        id: a
        level: low
        logsource: {product: linux, service: exact}
        detection: {sel: {MESSAGE|contains: x}, condition: sel}
        ---
        title: b
        id: b
        level: low
        logsource: {product: linux, service: prefix}
        detection: {sel: {MESSAGE|contains: x}, condition: sel}
        ---
        title: c
        id: c
        level: low
        logsource: {product: linux, service: cased}
        detection: {sel: {MESSAGE|contains: x}, condition: sel}
        ---
        title: d
        id: d
        level: low
        logsource: {product: linux, service: unindexed}
        detection: {sel: {MESSAGE|contains: x}, condition: sel}
        ---
        title: e
        id: e
        level: low
        logsource: {product: linux, service: everything}
        detection: {sel: {MESSAGE|contains: x}, condition: sel}
        """

    static func engine() throws -> Engine {
        let loaded = RuleLoader.load(yaml: yaml, file: "dispatch.yml")
        try #require(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        return Engine(rules: loaded.rules, logSources: loaded.logSources)
    }

    @Test func indexesExactAndPrefixLiteralsAndTestsTheRest() throws {
        let engine = try Self.engine()
        let services = engine.entryGroupIndexes.map { engine.groups[$0].logSource.service }
        #expect(services == ["exact", "prefix", "cased", "unindexed", "everything"])
        #expect(engine.dispatch.alwaysTested == [false, false, false, true, true])
    }

    @Test(arguments: [
        ([("_COMM", "sshd")], ["a", "e"]),
        ([("_COMM", "SSHD-Session")], ["a", "e"]),                       // Sigma compares case-insensitively
        ([("SYSLOG_IDENTIFIER", "sshd"), ("_COMM", "logger")], ["a", "e"]),
        ([("_COMM", "sshd2")], ["e"]),
        ([("_SYSTEMD_UNIT", "postgresql@15-main.service")], ["b", "e"]),
        ([("_SYSTEMD_UNIT", "PostgreSQL")], ["b", "e"]),
        ([("_SYSTEMD_UNIT", "postgres.service")], ["e"]),
        ([("_COMM", "Xorg")], ["c", "e"]),
        ([("_COMM", "xorg")], ["e"]),                                    // |cased
        ([("_COMM", "anacron")], ["d", "e"]),
        ([("_PID", "1")], ["d", "e"]),
        ([], ["e"]),
    ] as [([(String, String)], [String])])
    func marksEveryGroupWhoseSelectionCanHold(fields: [(String, String)], expected: [String]) throws {
        var engine = try Self.engine()
        let entry = event(fields + [("MESSAGE", "x")])
        var candidates = Array(repeating: false, count: engine.entryGroupIndexes.count)
        engine.dispatch.mark(entry, into: &candidates)
        var context = EvaluationContext()
        for (position, groupIndex) in engine.entryGroupIndexes.enumerated() {
            let selects = engine.groups[groupIndex].selects(entry, context: &context)
            // Never skips a group that selects the entry; skips indexed groups that cannot.
            #expect(!selects || candidates[position], "group \(position) selects but was not marked")
            if !engine.dispatch.alwaysTested[position] { #expect(candidates[position] == selects) }
        }
        var matches: [Match] = []
        engine.evaluate(entry, into: &matches)
        #expect(matches.map(\.rule.identifier) == expected)
    }
}
