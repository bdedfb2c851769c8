import Journal
import Rules
import Testing
@testable import Detect

private let second: UInt64 = 1_000_000
private typealias Condition = CorrelationRule.Condition

/// A correlation rule built by hand (parsing is the Rules module's job).
private func correlation(_ identifier: String, _ kind: CorrelationRule.Kind, _ references: [String],
                         groupBy: [String] = [], timespan: UInt64 = 60 * second, condition: Condition = Condition(),
                         fields: [String] = [], name: String? = nil, aliases: [String: [String: String]] = [:],
                         generate: Bool = false, percentile: Double? = nil) -> CorrelationRule {
    var rule = CorrelationRule(identifier: identifier, title: identifier, level: .high, kind: kind,
                               ruleReferences: references, groupBy: groupBy, timespan: timespan, condition: condition,
                               fields: fields, location: SourceLocation(file: "test.yml", line: 1))
    rule.name = name
    rule.aliases = aliases
    rule.generate = generate
    rule.percentile = percentile
    return rule
}

/// The cursor of entry `number` (a valid cursor literal).
private func cursor(_ number: Int) -> Cursor { Cursor("s=test;i=\(number)")! }

/// A base rule's match on entry `number` at `realtime`.
private func observation(_ rule: String, _ number: Int, at realtime: UInt64, _ fields: [String: String] = [:],
                         trusted: Bool = true) -> Observation {
    Observation(ruleIdentifier: rule, ruleName: nil, realtime: realtime, cursor: cursor(number), isTrusted: trusted,
                fields: fields.mapValues { Array($0.utf8) })
}

/// Everything a match says, as text, to compare runs.
private func summary(_ match: CorrelationMatch) -> String {
    let group = match.group.map { "\($0.name)=\(String(decoding: $0.value, as: UTF8.self))" }.joined(separator: ",")
    return "\(match.rule.identifier) [\(group)] t=\(match.realtime) \(match.cursor) value=\(match.value.map { "\($0)" } ?? "-") "
        + "trusted=\(match.isTrusted) evidence=\(match.evidence.map(\.rawValue).joined(separator: "|"))"
}

/// Feeds observations to a correlator; returns the matches.
private func run(_ correlator: Correlator, _ observations: [Observation]) -> [CorrelationMatch] {
    var matches: [CorrelationMatch] = []
    for observation in observations { correlator.observe(observation, into: &matches) }
    return matches
}

@Suite struct CorrelationTests {
    // MARK: Types

    @Test func forgedMatchesNeitherCountNorQuietNorTaintTrustedGroups() {
        let rule = correlation("brute", .eventCount, ["fail"], groupBy: ["SourceIp"],
                               condition: Condition(greaterThanOrEqual: 3))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 100)
        // A local user forges three failures for the address first: an untrusted alert, and its
        // group goes quiet. The real attack from that address a second later still alerts, trusted.
        let matches = run(correlator, [
            observation("fail", 1, at: 1 * second, ["SourceIp": "203.0.113.9"], trusted: false),
            observation("fail", 2, at: 2 * second, ["SourceIp": "203.0.113.9"], trusted: false),
            observation("fail", 3, at: 3 * second, ["SourceIp": "203.0.113.9"], trusted: false),
            observation("fail", 4, at: 4 * second, ["SourceIp": "203.0.113.9"]),
            observation("fail", 5, at: 5 * second, ["SourceIp": "203.0.113.9"]),
            observation("fail", 6, at: 6 * second, ["SourceIp": "203.0.113.9"], trusted: false),
            observation("fail", 7, at: 7 * second, ["SourceIp": "203.0.113.9"]),
        ])
        #expect(matches.map(\.isTrusted) == [false, true])
        #expect(matches.map(\.evidence) == [[cursor(1), cursor(2), cursor(3)], [cursor(4), cursor(5), cursor(7)]])
        #expect(correlator.statistics.rules.map(\.groups) == [2])   // one trusted, one untrusted group
    }

    @Test func eventCountFiresWhenTheCountIsReached() {
        let rule = correlation("many", .eventCount, ["fail"], groupBy: ["User"],
                               condition: Condition(greaterThanOrEqual: 3))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 100)
        let matches = run(correlator, [
            observation("fail", 1, at: 1 * second, ["User": "root"]),
            observation("fail", 2, at: 2 * second, ["User": "alice"]),
            observation("fail", 3, at: 3 * second, ["User": "root"], trusted: false),
            observation("fail", 4, at: 4 * second, ["User": "root"]),
            observation("fail", 5, at: 5 * second, ["User": "root"]),
        ])
        #expect(matches.count == 1)
        let match = matches[0]
        #expect(match.value == 3)
        #expect(match.cursor == cursor(5))
        #expect(match.realtime == 5 * second)
        #expect(match.evidence == [cursor(1), cursor(4), cursor(5)])   // the forged one is not counted
        #expect(match.isTrusted == true)
        #expect(match.group.map(\.name) == ["User"])
        #expect(match.group.map(\.value) == [Array("root".utf8)])
    }

    @Test func staysQuietForATimespanAfterFiringThenCountsAfresh() {
        // 60 s windows; one failure every 2 s for 400 s.
        let rule = correlation("brute", .eventCount, ["fail"], condition: Condition(greaterThanOrEqual: 10))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 100)
        let matches = run(correlator, (1...200).map { observation("fail", $0, at: UInt64($0) * 2 * second) })
        // Fires at the 10th (20 s), is quiet up to 80 s (the 40th included), counts the 41st…50th
        // (fires at 100 s), and so on: once a timespan, not once every ten failures.
        #expect(matches.map(\.cursor) == [cursor(10), cursor(50), cursor(90), cursor(130), cursor(170)])
        #expect(matches[1].evidence == (41...50).map(cursor))
        // Each match has its own evidence.
        #expect(Set(matches.flatMap(\.evidence)).count == 50)
    }

    @Test func evidenceIsTheFirstAndLastTen() {
        let rule = correlation("many", .eventCount, ["fail"], condition: Condition(greaterThanOrEqual: 25))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 100)
        let matches = run(correlator, (1...25).map { observation("fail", $0, at: UInt64($0)) })
        #expect(matches.count == 1)
        #expect(matches.first?.evidence == (1...10).map(cursor) + (16...25).map(cursor))
    }

    @Test func windowEdgeAtExactlyTimespanIsInside() {
        let rule = correlation("pair", .eventCount, ["a"], timespan: 10 * second,
                               condition: Condition(greaterThanOrEqual: 2))
        let inside = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(run(inside, [observation("a", 1, at: 100 * second), observation("a", 2, at: 110 * second)]).count == 1)
        let outside = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(run(outside, [observation("a", 1, at: 100 * second), observation("a", 2, at: 110 * second + 1)]).isEmpty)
        // The first left the window; the second is still in it.
        #expect(run(outside, [observation("a", 3, at: 120 * second + 1)]).map(\.evidence) == [[cursor(2), cursor(3)]])
    }

    @Test func groupByLeavesOutEventsMissingAFieldButKeepsEmptyValues() {
        let rule = correlation("grouped", .eventCount, ["a"], groupBy: ["User", "Host"],
                               condition: Condition(greaterThanOrEqual: 2))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        let matches = run(correlator, [
            observation("a", 1, at: 1, ["User": "root"]),  // no Host: in no group
            observation("a", 2, at: 2, ["User": "root", "Host": "web"]),
            observation("a", 3, at: 3, ["User": "root", "Host": ""]),
            observation("a", 4, at: 4, ["User": "root"]),
            observation("a", 5, at: 5, ["User": "root", "Host": ""]),
        ])
        #expect(matches.count == 1)
        #expect(matches.first?.evidence == [cursor(3), cursor(5)])
        #expect(matches.first?.group.map(\.value) == [Array("root".utf8), []])
        #expect(correlator.statistics.groups == 2)  // the web group, and the one that fired, quiet
    }

    @Test func valueCountCountsDistinctValues() {
        let rule = correlation("spray", .valueCount, ["fail"], groupBy: ["Host"],
                               condition: Condition(greaterThanOrEqual: 3), fields: ["User"])
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        let matches = run(correlator, [
            observation("fail", 1, at: 1, ["Host": "h", "User": "a"]),
            observation("fail", 2, at: 2, ["Host": "h", "User": "a"]),
            observation("fail", 3, at: 3, ["Host": "h"]),
            observation("fail", 4, at: 4, ["Host": "h", "User": "b"]),
            observation("fail", 5, at: 5, ["Host": "other", "User": "c"]),
            observation("fail", 6, at: 6, ["Host": "h", "User": "c"]),
        ])
        #expect(matches.map(\.value) == [3])
        #expect(matches.first?.cursor == cursor(6))
        #expect(matches.first?.evidence == [cursor(1), cursor(2), cursor(4), cursor(6)])
    }

    @Test func valueSumAddsNumbersAndIgnoresTheRest() {
        let rule = correlation("exfil", .valueSum, ["web"], groupBy: ["SourceIP"],
                               condition: Condition(greaterThan: 1000), fields: ["bytes_sent"])
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        let matches = run(correlator, [
            observation("web", 1, at: 1, ["SourceIP": "x", "bytes_sent": "600"]),
            observation("web", 2, at: 2, ["SourceIP": "x", "bytes_sent": "lots"]),
            observation("web", 3, at: 3, ["SourceIP": "x", "bytes_sent": "nan"]),
            observation("web", 4, at: 4, ["SourceIP": "x", "bytes_sent": "400"]),
            observation("web", 5, at: 5, ["SourceIP": "x", "bytes_sent": " 0.5 "]),
        ])
        #expect(matches.map(\.value) == [1000.5])
        #expect(matches.first?.evidence == [cursor(1), cursor(4), cursor(5)])
    }

    @Test func valueAverage() {
        let rule = correlation("avg", .valueAverage, ["net"], condition: Condition(greaterThan: 500),
                               fields: ["BytesOut"])
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        let matches = run(correlator, [
            observation("net", 1, at: 1, ["BytesOut": "100"]),
            observation("net", 2, at: 2, ["BytesOut": "800"]),
            observation("net", 3, at: 3, ["BytesOut": "1200"]),
        ])
        #expect(matches.map(\.value) == [700])
        #expect(matches.first?.cursor == cursor(3))
    }

    @Test func valuePercentileUsesTheNearestRank() {
        let rule = correlation("p90", .valuePercentile, ["net"], condition: Condition(greaterThanOrEqual: 90),
                               fields: ["ms"], percentile: 90)
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        // Values 10, 20 … 100: the 90th percentile reaches 90 with the ninth value
        // (ceil(0.9 × 9) = 9th smallest = 90).
        let matches = run(correlator, (1...10).map { observation("net", $0, at: UInt64($0), ["ms": "\($0 * 10)"]) })
        // The ninth fires; the tenth falls in the quiet time after it.
        #expect(matches.map(\.value) == [90])
        #expect(matches.first?.cursor == cursor(9))
        // Without `percentile`, the median.
        #expect(SigmaCorrelationState.measure(windowOf([5, 1, 3]), rule: correlation("m", .valuePercentile, ["x"], fields: ["v"])) == 3)
    }

    @Test func temporalNeedsEveryRuleByDefault() {
        let rule = correlation("recon", .temporal, ["a", "b", "c"], groupBy: ["User"])
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        let matches = run(correlator, [
            observation("c", 1, at: 1, ["User": "u"]),
            observation("c", 2, at: 2, ["User": "u"]),
            observation("a", 3, at: 3, ["User": "u"]),
            observation("b", 4, at: 4, ["User": "other"]),
            observation("b", 5, at: 5, ["User": "u"]),
        ])
        #expect(matches.map(\.value) == [3])
        #expect(matches.first?.cursor == cursor(5))
        #expect(matches.first?.evidence == [cursor(1), cursor(2), cursor(3), cursor(5)])
    }

    @Test func temporalWithACondition() {
        let rule = correlation("two", .temporal, ["a", "b", "c"], condition: Condition(greaterThanOrEqual: 2))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(run(correlator, [observation("a", 1, at: 1), observation("a", 2, at: 2)]).isEmpty)
        #expect(run(correlator, [observation("c", 3, at: 3)]).map(\.value) == [2])
    }

    @Test func temporalOrderedNeedsTheListedOrder() {
        let rule = correlation("then", .temporalOrdered, ["a", "b"], groupBy: ["User"])
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(run(correlator, [observation("b", 1, at: 1, ["User": "u"]), observation("a", 2, at: 2, ["User": "u"])]).isEmpty)
        let matches = run(correlator, [observation("b", 3, at: 3, ["User": "u"])])
        #expect(matches.map(\.value) == [2])
        #expect(matches.first?.cursor == cursor(3))
        // Out of order in arrival but not in entry time: `a` at 10 arrives after `b` at 11.
        let late = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(run(late, [observation("b", 4, at: 11, ["User": "u"]), observation("a", 5, at: 10, ["User": "u"])]).map(\.value) == [2])
    }

    @Test func temporalOrderedWithARepeatedRule() {
        let rule = correlation("aba", .temporalOrdered, ["a", "b", "a"])
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(run(correlator, [observation("a", 1, at: 1), observation("b", 2, at: 2)]).isEmpty)
        #expect(run(correlator, [observation("a", 3, at: 3)]).map(\.value) == [3])
    }

    // MARK: Aliases and nesting

    @Test func aliasesJoinRulesWithDifferentFieldNames() {
        let rule = correlation("joined", .temporal, ["internal_error", "new_network_connection"],
                               groupBy: ["internal_ip", "remote_ip"], timespan: 10 * second,
                               aliases: [
                                   "internal_ip": ["internal_error": "destination.ip", "new_network_connection": "source.ip"],
                                   "remote_ip": ["internal_error": "source.ip", "new_network_connection": "destination.ip"],
                               ])
        let names = ["id-error": "internal_error", "id-connection": "new_network_connection"]
        let correlator = Correlator(rules: [rule], ruleNames: names, maximumGroupsPerRule: 10)
        #expect(correlator.fieldNames(forRule: "id-error") == ["destination.ip", "source.ip"])
        #expect(correlator.fieldNames(forRule: "id-connection") == ["destination.ip", "source.ip"])
        #expect(correlator.fieldNames(forRule: "unrelated").isEmpty)
        let matches = run(correlator, [
            observation("id-error", 1, at: 1 * second, ["destination.ip": "10.0.0.5", "source.ip": "203.0.113.9"]),
            // Same addresses the same way round: another group.
            observation("id-connection", 2, at: 2 * second, ["destination.ip": "10.0.0.5", "source.ip": "203.0.113.9"]),
            observation("id-connection", 3, at: 3 * second, ["source.ip": "10.0.0.5", "destination.ip": "203.0.113.9"]),
        ])
        #expect(matches.count == 1)
        #expect(matches.first?.evidence == [cursor(1), cursor(3)])
        #expect(matches.first?.group.map(\.name) == ["internal_ip", "remote_ip"])
        #expect(matches.first?.group.map(\.value) == [Array("10.0.0.5".utf8), Array("203.0.113.9".utf8)])
    }

    @Test func nestedCorrelationsChain() {
        // The spec's example: multiple failed logins followed by a successful login.
        let outer = correlation("outer", .temporalOrdered, ["multiple_failed_login", "successful_login"],
                                groupBy: ["User"], timespan: 600 * second)
        let inner = correlation("inner", .eventCount, ["failed_login"], groupBy: ["User"], timespan: 600 * second,
                                condition: Condition(greaterThanOrEqual: 3), name: "multiple_failed_login")
        let names = ["id-failed": "failed_login", "id-success": "successful_login"]
        let correlator = Correlator(rules: [outer, inner], ruleNames: names, maximumGroupsPerRule: 10)
        #expect(correlator.diagnostics.isEmpty)
        #expect(correlator.fieldNames(forRule: "id-failed") == ["User"])
        #expect(correlator.fieldNames(forRule: "inner") == ["User"])
        #expect(correlator.suppressesStandaloneAlerts(ruleIdentifier: "id-failed"))
        #expect(correlator.suppressesStandaloneAlerts(ruleIdentifier: "inner"))
        #expect(!correlator.suppressesStandaloneAlerts(ruleIdentifier: "outer"))
        let matches = run(correlator, [
            observation("id-success", 1, at: 1 * second, ["User": "bob"]),
            observation("id-failed", 2, at: 2 * second, ["User": "bob"]),
            observation("id-failed", 3, at: 3 * second, ["User": "bob"]),
            observation("id-failed", 4, at: 4 * second, ["User": "bob"]),
            observation("id-success", 5, at: 5 * second, ["User": "bob"]),
        ])
        #expect(matches.map(\.rule.identifier) == ["inner", "outer"])
        let outerMatch = matches[1]
        #expect(outerMatch.cursor == cursor(5))
        #expect(outerMatch.evidence == [cursor(2), cursor(3), cursor(4), cursor(5)])
        #expect(outerMatch.group.map(\.value) == [Array("bob".utf8)])
    }

    @Test func generateTrueKeepsStandaloneAlerts() {
        let quiet = correlation("quiet", .eventCount, ["a", "b"], condition: Condition(greaterThanOrEqual: 2))
        let loud = correlation("loud", .eventCount, ["b"], condition: Condition(greaterThanOrEqual: 2), generate: true)
        let correlator = Correlator(rules: [quiet, loud], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(correlator.suppressesStandaloneAlerts(ruleIdentifier: "a"))
        #expect(!correlator.suppressesStandaloneAlerts(ruleIdentifier: "b"))
        #expect(!correlator.suppressesStandaloneAlerts(ruleIdentifier: "c"))
    }

    @Test func cyclesDoNotLoop() {
        let first = correlation("first", .eventCount, ["base", "second"], condition: Condition(greaterThanOrEqual: 1),
                                name: "one")
        let second = correlation("second", .eventCount, ["one"], condition: Condition(greaterThanOrEqual: 1))
        let correlator = Correlator(rules: [first, second], ruleNames: [:], maximumGroupsPerRule: 10)
        let matches = run(correlator, [observation("base", 1, at: 1)])
        #expect(matches.map(\.rule.identifier) == ["first", "second"])
    }

    @Test func unknownKindsAndRepeatedIdentifiersAreReported() {
        let rules = [
            correlation("count", .eventCount, ["a"]),
            correlation("quiet", .silence, ["a"]),
            correlation("count", .temporal, ["a"]),
        ]
        let correlator = Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(correlator.rules.map(\.identifier) == ["count"])
        #expect(correlator.diagnostics.count == 2)
        #expect(correlator.diagnostics.allSatisfy { $0.severity == .warning && $0.file == "test.yml" })
        #expect(correlator.diagnostics.map(\.message) == [
            "'silence' rules are not evaluated by this build",
            "correlation rule id 'count' is used twice; only the first is evaluated",
        ])
    }

    @Test func otherKindsComeFromTheFactory() {
        let rule = correlation("quiet", .silence, ["a"], groupBy: ["Host"])
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 7) { rule, cap in
            rule.kind == .silence ? CountingState(rule: rule, maximumGroups: cap) : nil
        }
        #expect(correlator.diagnostics.isEmpty)
        let matches = run(correlator, [observation("a", 1, at: 1, ["Host": "h"])])
        #expect(matches.map(\.value) == [7])
        let restored = try? Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 7,
                                       makeState: { CountingState(rule: $0, maximumGroups: $1) },
                                       restoring: correlator.snapshot())
        #expect(restored?.statistics.groups == 1)
    }

    // MARK: Time

    @Test func outOfOrderObservationsCountWithinTheGroupWindow() {
        let rule = correlation("late", .eventCount, ["a"], timespan: 60 * second,
                               condition: Condition(greaterThanOrEqual: 3))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(run(correlator, [
            observation("a", 1, at: 100 * second),
            // Older than the window's newest minus the timespan: outside, ignored.
            observation("a", 2, at: 30 * second),
            observation("a", 3, at: 50 * second),
        ]).isEmpty)
        let matches = run(correlator, [observation("a", 4, at: 90 * second)])
        #expect(matches.first?.evidence == [cursor(3), cursor(4), cursor(1)])
        #expect(matches.first?.cursor == cursor(4))
    }

    @Test func upperBoundsAreJudgedWhenTheWindowCloses() {
        let rule = correlation("few", .eventCount, ["a"], groupBy: ["Host"], timespan: 10 * second,
                               condition: Condition(lessThan: 3))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        let observed = run(correlator, [
            observation("a", 1, at: 100 * second, ["Host": "quiet"]),
            observation("a", 2, at: 105 * second, ["Host": "quiet"]),
            observation("a", 3, at: 101 * second, ["Host": "busy"]),
            observation("a", 4, at: 102 * second, ["Host": "busy"]),
            observation("a", 5, at: 103 * second, ["Host": "busy"]),
            // Exactly at the edge: still in quiet's window.
            observation("a", 6, at: 110 * second, ["Host": "quiet"]),
            // After it: the next window.
            observation("a", 7, at: 110 * second + 1, ["Host": "quiet"]),
        ])
        #expect(observed.isEmpty)
        var matches: [CorrelationMatch] = []
        correlator.advance(to: 110 * second, into: &matches)
        #expect(matches.isEmpty)
        correlator.advance(to: 110 * second + 1, into: &matches)
        #expect(matches.isEmpty)  // quiet has 3 in [100, 110]: not < 3
        correlator.advance(to: 200 * second, into: &matches)
        // busy: 3, no; quiet's second window: 1 observation.
        #expect(matches.map(summary) == [
            "few [Host=quiet] t=110000001 s=test;i=7 value=1.0 trusted=true evidence=s=test;i=7",
        ])
        #expect(correlator.statistics.groups == 0)
    }

    @Test func lteFiresAtCloseWithTheLastObservation() {
        let rule = correlation("atMostTwo", .valueCount, ["a"], timespan: 10 * second,
                               condition: Condition(lessThanOrEqual: 2), fields: ["User"])
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        _ = run(correlator, [
            observation("a", 1, at: 1 * second, ["User": "x"]),
            observation("a", 2, at: 2 * second, ["User": "y"]),
            observation("a", 3, at: 3 * second, ["User": "x"]),
        ])
        var matches: [CorrelationMatch] = []
        correlator.advance(to: 11 * second + 1, into: &matches)
        #expect(matches.map(\.value) == [2])
        #expect(matches.first?.cursor == cursor(3))
        #expect(matches.first?.realtime == 3 * second)
    }

    @Test func nextDeadlineIsWhenAdvancingFires() {
        let few = correlation("few", .eventCount, ["a"], timespan: 10 * second, condition: Condition(lessThan: 3))
        let many = correlation("many", .eventCount, ["a"], timespan: 10 * second, condition: Condition(greaterThanOrEqual: 5))
        let correlator = Correlator(rules: [few, many], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(correlator.nextDeadline == nil)
        _ = run(correlator, [observation("a", 1, at: 1 * second), observation("a", 2, at: 4 * second, trusted: false)])
        // few's trusted window closes first; many's windows only expire: no deadline of theirs.
        let deadline = correlator.nextDeadline
        #expect(deadline == 11 * second + 1)
        var matches: [CorrelationMatch] = []
        correlator.advance(to: 11 * second, into: &matches)
        #expect(matches.isEmpty)
        correlator.advance(to: deadline ?? 0, into: &matches)
        #expect(matches.map(\.cursor) == [cursor(1)])
        // The untrusted state's window is next.
        #expect(correlator.nextDeadline == 14 * second + 1)
        correlator.advance(to: 14 * second + 1, into: &matches)
        #expect(matches.map(\.cursor) == [cursor(1), cursor(2)])
        #expect(correlator.nextDeadline == nil)
    }

    @Test func advanceDropsClosedGroups() {
        let rule = correlation("many", .eventCount, ["a"], groupBy: ["User"], timespan: 10 * second,
                               condition: Condition(greaterThanOrEqual: 5))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        _ = run(correlator, [observation("a", 1, at: 1 * second, ["User": "x"]),
                             observation("a", 2, at: 5 * second, ["User": "y"])])
        var matches: [CorrelationMatch] = []
        correlator.advance(to: 11 * second, into: &matches)
        #expect(correlator.statistics.groups == 2)
        correlator.advance(to: 11 * second + 1, into: &matches)
        #expect(correlator.statistics.groups == 1)
        correlator.advance(to: 16 * second, into: &matches)
        #expect(correlator.statistics.groups == 0)
        #expect(matches.isEmpty)
    }

    @Test func aZeroTimespanAtTimeZeroStillCloses() {
        let rule = correlation("instant", .eventCount, ["a"], timespan: 0, condition: Condition(greaterThanOrEqual: 2))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        #expect(run(correlator, [observation("a", 1, at: 0)]).isEmpty)
        var matches: [CorrelationMatch] = []
        correlator.advance(to: 0, into: &matches)
        #expect(correlator.statistics.groups == 1)
        correlator.advance(to: 1, into: &matches)
        #expect(correlator.statistics.groups == 0)
    }

    @Test func aFloodStaysBoundedAndFast() {
        let rule = correlation("spray", .valueCount, ["a"], timespan: 3600 * second,
                               condition: Condition(greaterThan: 1e9), fields: ["User"])
        var state = SigmaCorrelationState(rule: rule, maximumGroups: 1)
        var matches: [CorrelationMatch] = []
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for number in 0..<100_000 {
                state.observe(observation("a", number, at: UInt64(number)), fields: ["User": Array("u\(number % 20_000)".utf8)],
                              into: &matches)
                if number % 1000 == 0 { state.advance(to: UInt64(number), into: &matches) }
            }
        }
        #expect(matches.isEmpty)
        #expect(state.groups.value(forKey: [])?.window.count == SigmaCorrelationState.maximumPointsPerGroup)
        #expect(state.groups.value(forKey: [])?.window.valueCounts.count == SigmaCorrelationState.maximumPointsPerGroup)
        #expect(elapsed < .seconds(30))
    }

    // MARK: Bounds

    @Test func evictsTheLeastRecentlyUpdatedGroupAtTheCap() {
        let rule = correlation("many", .eventCount, ["a"], groupBy: ["User"], condition: Condition(greaterThanOrEqual: 2))
        let correlator = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 2)
        let matches = run(correlator, [
            observation("a", 1, at: 1, ["User": "x"]),
            observation("a", 2, at: 2, ["User": "y"]),
            observation("a", 3, at: 3, ["User": "x"]),  // fires, x quiet
            observation("a", 4, at: 4, ["User": "x"]),  // not counted, but x is updated
            observation("a", 5, at: 5, ["User": "z"]),  // evicts y (x was updated later)
            observation("a", 6, at: 6, ["User": "y"]),  // evicts x
            observation("a", 7, at: 7, ["User": "z"]),  // fires
        ])
        #expect(matches.map(\.cursor) == [cursor(3), cursor(7)])
        #expect(correlator.statistics == CorrelationStatistics(rules: [.init(identifier: "many", groups: 2, evictions: 2)]))
        #expect(correlator.statistics.evictions == 2)
    }

    @Test func keepsAtMostTheMaximumPointsPerGroup() {
        let rule = correlation("huge", .eventCount, ["a"], timespan: UInt64.max, condition: Condition(greaterThan: 1e9))
        var state = SigmaCorrelationState(rule: rule, maximumGroups: 1)
        var matches: [CorrelationMatch] = []
        for number in 0..<(SigmaCorrelationState.maximumPointsPerGroup + 5) {
            state.observe(observation("a", number, at: UInt64(number)), fields: [:], into: &matches)
        }
        #expect(state.groups.value(forKey: [])?.window.count == SigmaCorrelationState.maximumPointsPerGroup)
        #expect(state.groups.value(forKey: [])?.window.oldestRealtime == 5)
        state.advance(to: UInt64.max, into: &matches)  // saturated deadline: never passed
        #expect(state.groupCount == 1)
    }

    // MARK: Snapshots

    private static let snapshotRules = [
        correlation("count", .eventCount, ["a"], groupBy: ["User"], timespan: 30 * second,
                    condition: Condition(greaterThanOrEqual: 3)),
        correlation("values", .valueCount, ["a"], groupBy: ["Host"], timespan: 30 * second,
                    condition: Condition(greaterThanOrEqual: 3), fields: ["User"]),
        correlation("ordered", .temporalOrdered, ["a", "b"], groupBy: ["User"], timespan: 30 * second),
        correlation("few", .eventCount, ["b"], timespan: 30 * second, condition: Condition(lessThanOrEqual: 11)),
        correlation("sum", .valueSum, ["a"], timespan: 30 * second, condition: Condition(greaterThan: 50),
                    fields: ["n"]),
        correlation("p", .valuePercentile, ["a"], timespan: 30 * second, condition: Condition(greaterThan: 7),
                    fields: ["n"], percentile: 75),
        correlation("nested", .eventCount, ["count"], timespan: 60 * second,
                    condition: Condition(greaterThanOrEqual: 2)),
    ]

    private static func traffic(from start: Int, count: Int) -> [Observation] {
        (start..<(start + count)).map { number in
            observation(number % 3 == 0 ? "b" : "a", number, at: UInt64(number) * second,
                        ["User": "u\(number % 4)", "Host": "h\((number / 4) % 3)", "n": "\(number % 11)"],
                        trusted: number % 7 != 0)
        }
    }

    /// A version 2 snapshot (one state per rule, before trusted and untrusted matches were kept
    /// apart) restores as the trusted states, so an upgrade keeps the correlation in flight.
    @Test func versionTwoSnapshotRestoresTheTrustedStates() throws {
        let rules = Self.snapshotRules
        let original = Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4)
        let trusted = Self.traffic(from: 0, count: 40).filter(\.isTrusted)
        _ = run(original, trusted)
        var encoder = StateEncoder()
        encoder.write(original.states.count)
        for state in original.states {
            encoder.write(state.rule.identifier)
            encoder.write(Correlator.fingerprint(of: state))
            var stateEncoder = StateEncoder()
            state.encode(into: &stateEncoder)
            encoder.write(stateEncoder.bytes)
        }
        var bytes = Array("cordon-correlation v2\n".utf8) + encoder.bytes
        var checksum = StateEncoder()
        checksum.write(Correlator.checksum(bytes))
        bytes += checksum.bytes
        let restored = try Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4, restoring: bytes)
        #expect(restored.snapshot() == original.snapshot())
    }

    @Test func snapshotRoundTripBehavesTheSame() throws {
        let rules = Self.snapshotRules
        let original = Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4)
        _ = run(original, Self.traffic(from: 0, count: 40))
        let snapshot = original.snapshot()
        #expect(snapshot.starts(with: Array("cordon-correlation v3\n".utf8)))
        let restored = try Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4, restoring: snapshot)
        #expect(restored.snapshot() == snapshot)
        #expect(restored.statistics.groups == original.statistics.groups)

        var before: [String] = [], after: [String] = []
        for observation in Self.traffic(from: 40, count: 120) {
            var matches: [CorrelationMatch] = []
            original.observe(observation, into: &matches)
            original.advance(to: observation.realtime, into: &matches)
            before += matches.map(summary)
            matches = []
            restored.observe(observation, into: &matches)
            restored.advance(to: observation.realtime, into: &matches)
            after += matches.map(summary)
        }
        #expect(!before.isEmpty)
        #expect(Set(before.map { $0.split(separator: " ")[0] }) == ["count", "values", "ordered", "few", "sum", "p", "nested"],
                "\(before)")
        #expect(before == after)
        #expect(original.snapshot() == restored.snapshot())
    }

    @Test func corruptSnapshotsAreRejected() throws {
        let rules = Self.snapshotRules
        let original = Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4)
        _ = run(original, Self.traffic(from: 0, count: 40))
        let snapshot = original.snapshot()
        for offset in [0, 30, snapshot.count / 2, snapshot.count - 1] {
            var corrupt = snapshot
            corrupt[offset] ^= 0x20
            #expect(throws: CorrelationSnapshotError.self) {
                try Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4, restoring: corrupt)
            }
        }
        #expect(throws: CorrelationSnapshotError.self) {
            try Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4, restoring: Array(snapshot.dropLast(9)))
        }
        #expect(throws: CorrelationSnapshotError.self) {
            try Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4, restoring: [])
        }
        var otherVersion = snapshot
        otherVersion[20] = UInt8(ascii: "9")
        do {
            _ = try Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 4, restoring: otherVersion)
            Issue.record("restored a v9 snapshot")
        } catch {
            #expect(error.message.contains("cordon-correlation v9"))
        }
    }

    @Test func aSnapshotOfOtherRulesIsRejectedSayingWhich() throws {
        let rules = Self.snapshotRules
        let snapshot = Correlator(rules: rules, ruleNames: [:], maximumGroupsPerRule: 3).snapshot()
        var changed = rules.filter { $0.identifier != "few" }
        changed[0] = correlation("count", .eventCount, ["a"], groupBy: ["User"], timespan: 60 * second,
                                 condition: Condition(greaterThanOrEqual: 3))
        changed.append(correlation("new", .temporal, ["a", "b"]))
        do {
            _ = try Correlator(rules: changed, ruleNames: [:], maximumGroupsPerRule: 3, restoring: snapshot)
            Issue.record("restored a snapshot of other rules")
        } catch {
            #expect(error.message == "the snapshot was taken with other correlation rules: added new; removed few; changed count")
        }
    }

    @Test func aLowerCapEvictsOnRestore() throws {
        let rule = correlation("many", .eventCount, ["a"], groupBy: ["User"], condition: Condition(greaterThanOrEqual: 9))
        let original = Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 10)
        _ = run(original, (0..<5).map { observation("a", $0, at: UInt64($0), ["User": "u\($0)"]) })
        let restored = try Correlator(rules: [rule], ruleNames: [:], maximumGroupsPerRule: 2, restoring: original.snapshot())
        #expect(restored.statistics == CorrelationStatistics(rules: [.init(identifier: "many", groups: 2, evictions: 3)]))
    }
}

/// A window holding the given numbers, for measuring.
private func windowOf(_ numbers: [Double]) -> SigmaWindow {
    var window = SigmaWindow()
    for (index, number) in numbers.enumerated() {
        window.insert(WindowPoint(realtime: UInt64(index), cursor: cursor(index), isTrusted: true, number: number))
    }
    return window
}

/// A stand-in for a detector made by the factory: fires on every observation with the cap as value.
private struct CountingState: CorrelationState {
    let rule: CorrelationRule
    let maximumGroups: Int
    var seen = 0
    var groupCount: Int { seen > 0 ? 1 : 0 }
    var evictions: Int { 0 }

    init(rule: CorrelationRule, maximumGroups: Int) {
        self.rule = rule
        self.maximumGroups = maximumGroups
    }

    init(rule: CorrelationRule, maximumGroups: Int, decoding decoder: inout StateDecoder) throws(StateDecodingError) {
        self.init(rule: rule, maximumGroups: maximumGroups)
        seen = try decoder.readInt()
    }

    mutating func observe(_ observation: Observation, fields: [String: [UInt8]], into matches: inout [CorrelationMatch]) {
        seen += 1
        matches.append(CorrelationMatch(rule: rule, group: [], realtime: observation.realtime, cursor: observation.cursor,
                                        evidence: [observation.cursor], value: Double(maximumGroups), isTrusted: true))
    }

    mutating func advance(to realtime: UInt64, into matches: inout [CorrelationMatch]) {}

    var nextDeadline: UInt64? { nil }

    func encode(into encoder: inout StateEncoder) { encoder.write(seen) }
}
