import Journal
import Rules
import Testing
@testable import Detect

/// One second in µs.
private let second: UInt64 = 1_000_000

/// A detector rule built directly, as the rule parser would.
private func detectorRule(_ kind: CorrelationRule.Kind, groupBy: [String] = ["user"], fields: [String] = [],
                          timespan: UInt64, settings: [String: Double] = [:]) -> CorrelationRule {
    var rule = CorrelationRule(identifier: "detector-\(kind.rawValue)", title: "Detector", level: .high, kind: kind,
                               ruleReferences: ["base"], groupBy: groupBy, timespan: timespan,
                               condition: CorrelationRule.Condition(), fields: fields,
                               location: SourceLocation(file: "test.yml", line: 1))
    rule.settings = settings
    return rule
}

/// A cursor for entry `index`.
private func cursor(_ index: Int) -> Cursor {
    // Printable ASCII with an '=': always a valid cursor.
    Cursor("s=test;i=\(index)")!
}

/// Feeds detector states observations with increasing cursors.
struct DetectorFeeder {
    var index = 0

    mutating func observe(_ state: inout some CorrelationState, at realtime: UInt64, _ fields: [String: String],
                          trusted: Bool = true) -> [CorrelationMatch] {
        index += 1
        let values = fields.mapValues { Array($0.utf8) }
        let observation = Observation(ruleIdentifier: "base", ruleName: nil, realtime: realtime, cursor: cursor(index),
                                      isTrusted: trusted, fields: values)
        var matches: [CorrelationMatch] = []
        state.observe(observation, fields: values, into: &matches)
        return matches
    }
}

private func advance(_ state: inout some CorrelationState, to realtime: UInt64) -> [CorrelationMatch] {
    var matches: [CorrelationMatch] = []
    state.advance(to: realtime, into: &matches)
    return matches
}

/// A match as comparable text: group values, cursor, value, trust.
private func summary(_ matches: [CorrelationMatch]) -> [String] {
    matches.map { match in
        let group = match.group.map { "\($0.name)=\(String(decoding: $0.value, as: UTF8.self))" }.joined(separator: ",")
        return "\(group) \(match.cursor) \(match.value.map { "\($0)" } ?? "-") \(match.isTrusted)"
    }
}

private func snapshot(_ state: some CorrelationState) -> [UInt8] {
    var encoder = StateEncoder()
    state.encode(into: &encoder)
    return encoder.bytes
}

private func restored<State: CorrelationState>(_ state: State, maximumGroups: Int = 100) throws -> State {
    var decoder = StateDecoder(snapshot(state))
    let copy = try State(rule: state.rule, maximumGroups: maximumGroups, decoding: &decoder)
    #expect(decoder.isAtEnd)
    return copy
}

@Suite("Detector factory")
struct DetectorFactoryTests {
    @Test func makesStatesForDetectorKindsOnly() {
        #expect(Detectors.makeState(for: detectorRule(.firstSeen, timespan: 1), maximumGroups: 10) is FirstSeenState)
        #expect(Detectors.makeState(for: detectorRule(.rateSpike, timespan: 1), maximumGroups: 10) is RateSpikeState)
        #expect(Detectors.makeState(for: detectorRule(.silence, timespan: 1), maximumGroups: 10) is SilenceState)
        #expect(Detectors.makeState(for: detectorRule(.eventCount, timespan: 1), maximumGroups: 10) == nil)
        #expect(Detectors.makeState(for: detectorRule(.temporal, timespan: 1), maximumGroups: 10) == nil)
    }

    @Test func decodesWhatItMade() throws {
        let rule = detectorRule(.silence, timespan: 60 * second)
        var state = try #require(Detectors.makeState(for: rule, maximumGroups: 10))
        var matches: [CorrelationMatch] = []
        let observation = Observation(ruleIdentifier: "base", ruleName: nil, realtime: 5, cursor: cursor(1),
                                      isTrusted: true, fields: ["user": Array("root".utf8)])
        state.observe(observation, fields: observation.fields, into: &matches)
        var encoder = StateEncoder()
        state.encode(into: &encoder)
        var decoder = StateDecoder(encoder.bytes)
        let decoded = try #require(try Detectors.decodeState(for: rule, maximumGroups: 10, from: &decoder))
        #expect(decoded.groupCount == 1)
    }
}

@Suite("first_seen")
struct FirstSeenTests {
    let rule = detectorRule(.firstSeen, fields: ["address"], timespan: 100 * second)

    @Test func learningPeriodEdges() {
        var state = FirstSeenState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        let start = 1_000 * second
        #expect(state.isLearning(at: start))
        #expect(feeder.observe(&state, at: start, ["user": "root", "address": "10.0.0.1"]).isEmpty)
        // One µs before the end: still learning.
        #expect(feeder.observe(&state, at: start + 100 * second - 1, ["user": "root", "address": "10.0.0.2"]).isEmpty)
        #expect(!state.isLearning(at: start + 100 * second))
        // At the end: a new value fires, with the count of values the group now knows.
        let matches = feeder.observe(&state, at: start + 100 * second, ["user": "root", "address": "10.0.0.3"])
        #expect(summary(matches) == ["user=root s=test;i=3 3.0 true"])
        #expect(matches.first?.evidence == [cursor(3)])
        // Learned values stay quiet.
        #expect(feeder.observe(&state, at: start + 200 * second, ["user": "root", "address": "10.0.0.1"]).isEmpty)
        #expect(feeder.observe(&state, at: start + 200 * second, ["user": "root", "address": "10.0.0.2"]).isEmpty)
    }

    @Test func newTupleAfterLearningFiresOnce() {
        var state = FirstSeenState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["user": "root", "address": "10.0.0.1"])
        let first = feeder.observe(&state, at: 200 * second, ["user": "root", "address": "192.0.2.7"], trusted: false)
        #expect(summary(first) == ["user=root s=test;i=2 2.0 false"])
        #expect(feeder.observe(&state, at: 201 * second, ["user": "root", "address": "192.0.2.7"]).isEmpty)
        // The same value is new for another group; a missing field is empty bytes.
        #expect(summary(feeder.observe(&state, at: 202 * second, ["user": "admin", "address": "192.0.2.7"]))
            == ["user=admin s=test;i=4 1.0 true"])
        #expect(summary(feeder.observe(&state, at: 203 * second, ["address": "192.0.2.7"]))
            == ["user= s=test;i=5 1.0 true"])
        #expect(state.groupCount == 3)
    }

    @Test func withoutFieldsANewGroupFires() {
        var state = FirstSeenState(rule: detectorRule(.firstSeen, groupBy: ["exe"], timespan: 10 * second),
                                   maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["exe": "/usr/bin/ls"])
        #expect(summary(feeder.observe(&state, at: 20 * second, ["exe": "/tmp/x"])) == ["exe=/tmp/x s=test;i=2 1.0 true"])
        #expect(feeder.observe(&state, at: 21 * second, ["exe": "/tmp/x"]).isEmpty)
        #expect(feeder.observe(&state, at: 22 * second, ["exe": "/usr/bin/ls"]).isEmpty)
    }

    @Test func groupEvictionAtTheCap() {
        var state = FirstSeenState(rule: rule, maximumGroups: 2)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["user": "a", "address": "1"])
        _ = feeder.observe(&state, at: 1, ["user": "b", "address": "1"])
        _ = feeder.observe(&state, at: 2, ["user": "a", "address": "1"])  // a is now the most recent
        _ = feeder.observe(&state, at: 3, ["user": "c", "address": "1"])  // evicts b
        #expect(state.groupCount == 2)
        #expect(state.evictions == 1)
        #expect(state.knownValues(of: [Array("b".utf8)]) == nil)
        #expect(feeder.observe(&state, at: 200 * second, ["user": "a", "address": "1"]).isEmpty)
        // b was forgotten: its value is new again.
        #expect(feeder.observe(&state, at: 200 * second, ["user": "b", "address": "1"]).count == 1)
        #expect(state.evictions == 2)
    }

    @Test func valueEvictionAtTheCap() {
        var state = FirstSeenState(rule: rule, maximumGroups: 2)
        var feeder = DetectorFeeder()
        for value in 0...FirstSeenState.maximumValuesPerGroup {
            _ = feeder.observe(&state, at: UInt64(value), ["user": "root", "address": "\(value)"])
        }
        #expect(state.knownValues(of: [Array("root".utf8)])?.count == FirstSeenState.maximumValuesPerGroup)
        #expect(state.evictions == 1)
        #expect(state.valueEvictions == 1)
        // Value 0 was the least recently seen and was forgotten; the newest is known.
        #expect(feeder.observe(&state, at: 200 * second, ["user": "root", "address": "1024"]).isEmpty)
        #expect(feeder.observe(&state, at: 200 * second, ["user": "root", "address": "0"]).count == 1)
    }

    @Test func floodStaysBounded() {
        var state = FirstSeenState(rule: rule, maximumGroups: 4)
        var feeder = DetectorFeeder()
        var fired = 0
        _ = feeder.observe(&state, at: 0, ["user": "u0", "address": "learned"])
        for value in 0..<5_000 {
            fired += feeder.observe(&state, at: 200 * second, ["user": "u\(value % 8)", "address": "\(value)"]).count
        }
        #expect(state.groupCount == 4)
        #expect(fired == 5_000)
        for group in 4..<8 {
            #expect((state.knownValues(of: [Array("u\(group)".utf8)])?.count ?? 0) <= FirstSeenState.maximumValuesPerGroup)
        }
    }

    @Test func snapshotRoundTrip() throws {
        var state = FirstSeenState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["user": "root", "address": "1"])
        _ = feeder.observe(&state, at: 1, ["user": "admin", "address": "2"])
        var copy = try restored(state)
        #expect(copy.learningStart == state.learningStart)
        #expect(copy.groupCount == 2)
        var copyFeeder = feeder
        for (time, fields) in [(50 * second, ["user": "root", "address": "3"]),
                               (150 * second, ["user": "root", "address": "1"]),
                               (150 * second, ["user": "root", "address": "4"]),
                               (151 * second, ["user": "admin", "address": "1"])] {
            #expect(summary(feeder.observe(&state, at: time, fields)) == summary(copyFeeder.observe(&copy, at: time, fields)))
        }
        #expect(summary(feeder.observe(&state, at: 152 * second, ["user": "x", "address": "1"])).count == 1)
    }
}

@Suite("rate_spike")
struct RateSpikeTests {
    let window = 60 * second
    /// factor 3, floor 5, no learning, smoothing 0.5.
    var rule: CorrelationRule {
        detectorRule(.rateSpike, timespan: window, settings: ["factor": 3, "floor": 5, "learning": 0, "smoothing": 0.5])
    }

    /// Observes `count` entries of `user` spread inside window `index`.
    func fill(_ state: inout RateSpikeState, _ feeder: inout DetectorFeeder, window index: UInt64, count: Int,
              user: String = "root") -> [CorrelationMatch] {
        var matches: [CorrelationMatch] = []
        for offset in 0..<count {
            matches += feeder.observe(&state, at: index * window + UInt64(offset) * second, ["user": user])
        }
        return matches
    }

    @Test func settings() {
        let state = RateSpikeState(rule: detectorRule(.rateSpike, timespan: 0, settings: ["window": 30e6, "smoothing": 7]),
                                   maximumGroups: 1)
        #expect(state.window == 30 * second)
        #expect(state.factor == 3)
        #expect(state.floor == 10)
        #expect(state.learning == 300 * second)
        #expect(state.smoothing == 0.3)
    }

    @Test func spikeAgainstFactorAndFloor() {
        var state = RateSpikeState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        #expect(fill(&state, &feeder, window: 100, count: 2).isEmpty)
        // Window 100 closes with 2 (below the floor): the baseline starts at 2.
        #expect(fill(&state, &feeder, window: 101, count: 4).isEmpty)
        #expect(state.baseline(of: [Array("root".utf8)]) == 2)
        // Closing 101 (4, not more than 3 × 2) gives baseline 3.
        #expect(fill(&state, &feeder, window: 102, count: 20).isEmpty)
        #expect(state.baseline(of: [Array("root".utf8)]) == 3)
        // 20 ≥ 5 and 20 > 9: fires when the window closes, here by advance.
        #expect(advance(&state, to: 103 * window - 1).isEmpty)
        let matches = advance(&state, to: 103 * window)
        #expect(summary(matches) == ["user=root s=test;i=26 20.0 true"])
        #expect(matches.first?.evidence.count == 20)
        #expect(matches.first?.evidence.first == cursor(7))
        #expect(matches.first?.realtime == 102 * window + 19 * second)
        // The spike entered the baseline clamped to 3 × 3: 3 + 0.5 × (9 − 3).
        #expect(state.baseline(of: [Array("root".utf8)]) == 6)
        #expect(advance(&state, to: 200 * window).isEmpty)
    }

    @Test func nextDeadlineIsTheEarliestWindowClose() {
        var state = RateSpikeState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        #expect(state.nextDeadline == nil)
        _ = fill(&state, &feeder, window: 100, count: 2)
        _ = fill(&state, &feeder, window: 100, count: 1, user: "admin")
        #expect(state.nextDeadline == 101 * window)
        #expect(advance(&state, to: 101 * window - 1).isEmpty)
        #expect(state.baseline(of: [Array("root".utf8)]) == nil)
        #expect(advance(&state, to: 101 * window).isEmpty)
        #expect(state.baseline(of: [Array("root".utf8)]) == 2)
        #expect(state.baseline(of: [Array("admin".utf8)]) == 1)
        #expect(state.nextDeadline == nil)
    }

    @Test func floorHoldsBackSmallCounts() {
        var state = RateSpikeState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = fill(&state, &feeder, window: 0, count: 1)
        _ = fill(&state, &feeder, window: 1, count: 4)  // closes 0: baseline 1
        // 4 > 3 × 1 but below the floor of 5.
        #expect(advance(&state, to: 2 * window).isEmpty)
    }

    @Test func emptyWindowsDecayTheBaseline() {
        var state = RateSpikeState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = fill(&state, &feeder, window: 0, count: 10)
        _ = fill(&state, &feeder, window: 1, count: 10)  // closes 0: baseline 10
        #expect(advance(&state, to: 2 * window).isEmpty)  // 10 is no spike on 10
        // Windows 2, 3, 4 are empty: 10 × 0.5³ = 1.25 when window 5 closes; 8 > 3.75 fires.
        _ = fill(&state, &feeder, window: 5, count: 8)
        #expect(summary(advance(&state, to: 6 * window)) == ["user=root s=test;i=28 8.0 true"])
        // The same 8 right after a window of 10 would not fire.
        var steady = RateSpikeState(rule: rule, maximumGroups: 10)
        var other = DetectorFeeder()
        _ = fill(&steady, &other, window: 0, count: 10)
        _ = fill(&steady, &other, window: 1, count: 8)
        #expect(advance(&steady, to: 2 * window).isEmpty)
    }

    @Test func longGapsCostLittle() {
        var state = RateSpikeState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = fill(&state, &feeder, window: 0, count: 50)
        _ = advance(&state, to: window)
        // A billion empty windows decay the baseline to nothing in closed form.
        let far: UInt64 = 1_000_000_000
        let matches = fill(&state, &feeder, window: far, count: 6)
        #expect(matches.isEmpty)
        #expect(summary(advance(&state, to: (far + 1) * window)) == ["user=root s=test;i=56 6.0 true"])
        #expect(RateSpikeState.power(0.5, 3) == 0.125)
        #expect(RateSpikeState.power(0.7, UInt64.max) == 0)
    }

    @Test func learningPeriodPerGroup() {
        let learning = detectorRule(.rateSpike, timespan: window,
                                    settings: ["factor": 3, "floor": 5, "learning": Double(3 * window)])
        var state = RateSpikeState(rule: learning, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 30 * second, ["user": "root"])  // first seen mid-window 0
        _ = fill(&state, &feeder, window: 1, count: 50)
        // Window 1 ends at 120 s, before 30 s + 180 s: still learning.
        #expect(advance(&state, to: 2 * window).isEmpty)
        _ = fill(&state, &feeder, window: 3, count: 59)
        // Window 3 ends at 240 s ≥ 210 s: learned.
        #expect(advance(&state, to: 4 * window).count == 1)
    }

    @Test func observationClosesOtherGroupsWindows() {
        var state = RateSpikeState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = fill(&state, &feeder, window: 0, count: 1, user: "a")
        _ = fill(&state, &feeder, window: 1, count: 9, user: "a")
        let matches = feeder.observe(&state, at: 2 * window, ["user": "b"])
        #expect(summary(matches) == ["user=a s=test;i=10 9.0 true"])
    }

    @Test func evictionAtTheCap() {
        var state = RateSpikeState(rule: rule, maximumGroups: 2)
        var feeder = DetectorFeeder()
        for user in ["a", "b", "c"] { _ = feeder.observe(&state, at: 0, ["user": user]) }
        #expect(state.groupCount == 2)
        #expect(state.evictions == 1)
        #expect(advance(&state, to: window).isEmpty)
        #expect(state.baseline(of: [Array("a".utf8)]) == nil)
        #expect(state.baseline(of: [Array("c".utf8)]) == 1)
    }

    @Test func snapshotRoundTrip() throws {
        var state = RateSpikeState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = fill(&state, &feeder, window: 0, count: 3, user: "a")
        _ = fill(&state, &feeder, window: 1, count: 2, user: "a")
        _ = fill(&state, &feeder, window: 1, count: 4, user: "b")
        var copy = try restored(state)
        #expect(copy.groupCount == 2)
        #expect(copy.baseline(of: [Array("a".utf8)]) == 3)
        var copyFeeder = feeder
        #expect(summary(fill(&state, &feeder, window: 2, count: 30, user: "a"))
            == summary(fill(&copy, &copyFeeder, window: 2, count: 30, user: "a")))
        let original = summary(advance(&state, to: 10 * window))
        #expect(original.count == 1)
        #expect(original == summary(advance(&copy, to: 10 * window)))
        #expect(copy.baseline(of: [Array("b".utf8)]) == state.baseline(of: [Array("b".utf8)]))
    }

    @Test func snapshotForAnotherWindowIsRejected() throws {
        let state = RateSpikeState(rule: rule, maximumGroups: 10)
        var decoder = StateDecoder(snapshot(state))
        #expect(throws: StateDecodingError.self) {
            _ = try RateSpikeState(rule: detectorRule(.rateSpike, timespan: 2 * window), maximumGroups: 10,
                                   decoding: &decoder)
        }
    }
}

@Suite("silence")
struct SilenceTests {
    let rule = detectorRule(.silence, groupBy: ["host"], timespan: 60 * second)

    @Test func firesOnceAndReArms() {
        var state = SilenceState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 1_000 * second, ["host": "web1"], trusted: false)
        #expect(advance(&state, to: 1_060 * second).isEmpty)  // exactly the timespan: not more
        let matches = advance(&state, to: 1_060 * second + 1)
        #expect(summary(matches) == ["host=web1 s=test;i=1 60.000001 false"])
        #expect(matches.first?.realtime == 1_060 * second + 1)
        #expect(matches.first?.evidence == [cursor(1)])
        #expect(state.isSilent([Array("web1".utf8)]))
        #expect(advance(&state, to: 5_000 * second).isEmpty)
        // Seen again: re-armed, and fires again after another silence.
        #expect(feeder.observe(&state, at: 5_000 * second, ["host": "web1"]).isEmpty)
        #expect(!state.isSilent([Array("web1".utf8)]))
        #expect(advance(&state, to: 5_030 * second).isEmpty)
        #expect(summary(advance(&state, to: 5_090 * second)) == ["host=web1 s=test;i=2 90.0 true"])
    }

    @Test func nextDeadlineIsWhenAdvanceFires() {
        var state = SilenceState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        #expect(state.nextDeadline == nil)
        _ = feeder.observe(&state, at: 1_000 * second, ["host": "a"])
        _ = feeder.observe(&state, at: 1_010 * second, ["host": "b"])
        #expect(state.nextDeadline == 1_060 * second + 1)
        #expect(advance(&state, to: 1_060 * second).isEmpty)
        #expect(summary(advance(&state, to: 1_060 * second + 1)) == ["host=a s=test;i=1 60.000001 true"])
        #expect(state.nextDeadline == 1_070 * second + 1)
        #expect(summary(advance(&state, to: 1_070 * second + 1)) == ["host=b s=test;i=2 60.000001 true"])
        // Both fired: nothing is due until one is seen again.
        #expect(state.nextDeadline == nil)
    }

    @Test func advanceAloneNoticesSilences() {
        var state = SilenceState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["host": "a"])
        _ = feeder.observe(&state, at: 30 * second, ["host": "b"])
        _ = feeder.observe(&state, at: 50 * second, ["host": "c"])
        #expect(summary(advance(&state, to: 100 * second)) == ["host=a s=test;i=1 100.0 true",
                                                                 "host=b s=test;i=2 70.0 true"])
        #expect(summary(advance(&state, to: 111 * second)) == ["host=c s=test;i=3 61.0 true"])
        #expect(state.groupCount == 3)
    }

    @Test func anObservationNoticesSilencesFirst() {
        var state = SilenceState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["host": "a"])
        // a comes back after 100 s nobody advanced through: that silence fires, then a re-arms.
        #expect(summary(feeder.observe(&state, at: 100 * second, ["host": "a"])) == ["host=a s=test;i=1 100.0 true"])
        #expect(!state.isSilent([Array("a".utf8)]))
    }

    @Test func evictionPrefersFiredGroups() {
        var state = SilenceState(rule: rule, maximumGroups: 2)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["host": "a"])
        _ = feeder.observe(&state, at: 100 * second, ["host": "b"])  // a fires
        _ = feeder.observe(&state, at: 101 * second, ["host": "c"])  // a (fired) is forgotten
        #expect(state.evictions == 1)
        #expect(state.groupCount == 2)
        _ = feeder.observe(&state, at: 102 * second, ["host": "d"])  // b (armed, oldest) is forgotten
        #expect(state.evictions == 2)
        #expect(summary(advance(&state, to: 200 * second)) == ["host=c s=test;i=3 99.0 true",
                                                                 "host=d s=test;i=4 98.0 true"])
    }

    @Test func snapshotRoundTrip() throws {
        var state = SilenceState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["host": "a"])
        _ = feeder.observe(&state, at: 10 * second, ["host": "b"])
        _ = advance(&state, to: 65 * second)  // a fired
        var copy = try restored(state)
        #expect(copy.watermark == state.watermark)
        #expect(copy.isSilent([Array("a".utf8)]))
        #expect(summary(advance(&state, to: 80 * second)) == summary(advance(&copy, to: 80 * second)))
        var copyFeeder = feeder
        #expect(summary(feeder.observe(&state, at: 90 * second, ["host": "a"]))
            == summary(copyFeeder.observe(&copy, at: 90 * second, ["host": "a"])))
        #expect(summary(advance(&state, to: 200 * second)) == summary(advance(&copy, to: 200 * second)))
        // A smaller cap keeps the most recent groups.
        let small = try restored(state, maximumGroups: 1)
        #expect(small.groupCount == 1)
        #expect(small.evictions == 1)
    }
}

@Suite("Detector snapshots")
struct DetectorSnapshotTests {
    @Test func malformedSnapshotsAreRejected() throws {
        let rule = detectorRule(.firstSeen, fields: ["address"], timespan: second)
        var state = FirstSeenState(rule: rule, maximumGroups: 10)
        var feeder = DetectorFeeder()
        _ = feeder.observe(&state, at: 0, ["user": "root", "address": "1"])
        let bytes = snapshot(state)
        // Cut anywhere: rejected, never a crash.
        for length in 0..<bytes.count {
            var decoder = StateDecoder(Array(bytes.prefix(length)))
            #expect(throws: StateDecodingError.self) {
                _ = try FirstSeenState(rule: rule, maximumGroups: 10, decoding: &decoder)
            }
        }
        // Another kind's state.
        var silence = StateDecoder(snapshot(SilenceState(rule: detectorRule(.silence, timespan: second), maximumGroups: 1)))
        #expect(throws: StateDecodingError.self) {
            _ = try FirstSeenState(rule: rule, maximumGroups: 10, decoding: &silence)
        }
        // The same kind for other fields.
        var other = StateDecoder(bytes)
        #expect(throws: StateDecodingError.self) {
            _ = try FirstSeenState(rule: detectorRule(.firstSeen, fields: ["address", "port"], timespan: second),
                                   maximumGroups: 10, decoding: &other)
        }
        // A huge group count.
        var encoder = StateEncoder()
        encoder.write(SilenceState.tag)
        encoder.write(1)
        encoder.write(UInt64(0))
        encoder.write(Int.max)
        var huge = StateDecoder(encoder.bytes)
        #expect(throws: StateDecodingError.self) {
            _ = try SilenceState(rule: detectorRule(.silence, timespan: second), maximumGroups: 10, decoding: &huge)
        }
        // A negative baseline.
        var spike = RateSpikeState(rule: detectorRule(.rateSpike, timespan: second), maximumGroups: 10)
        _ = feeder.observe(&spike, at: 0, ["user": "root"])
        _ = advance(&spike, to: second)
        var spikeBytes = snapshot(spike)
        let baselineOffset = spikeBytes.count - 1 - 8 - 8  // …, baseline, accountedUntil, hasWindow
        withUnsafeBytes(of: (-1.0).bitPattern.littleEndian) { spikeBytes.replaceSubrange(baselineOffset..<baselineOffset + 8, with: $0) }
        var negative = StateDecoder(spikeBytes)
        #expect(throws: StateDecodingError.self) {
            _ = try RateSpikeState(rule: detectorRule(.rateSpike, timespan: second), maximumGroups: 10, decoding: &negative)
        }
    }
}

@Suite("Journal tampering")
struct JournalTamperingTests {
    let bootA = ID128(high: 0xa, low: 1)
    let bootB = ID128(high: 0xb, low: 2)

    /// Feeds entries with increasing cursors.
    struct Entries {
        var tampering = JournalTampering()
        var index = 0

        mutating func entry(_ realtime: UInt64, _ monotonic: UInt64, _ boot: ID128, messageID: String? = nil,
                            message: String? = nil, trusted: Bool = true) -> [JournalTampering.Sign] {
            index += 1
            var signs: [JournalTampering.Sign] = []
            tampering.observe(realtime: realtime, monotonic: monotonic, boot: boot, cursor: cursor(index),
                              messageID: messageID.map { Array($0.utf8)[...] }, message: message.map { Array($0.utf8)[...] },
                              isTrusted: trusted, into: &signs)
            return signs
        }
    }

    @Test func clockGoingBackwards() {
        var journal = Entries()
        let start = 1_700_000_000 * second
        #expect(journal.entry(start, 10 * second, bootA).isEmpty)
        // Back by the tolerance (5 min) exactly: quiet.
        #expect(journal.entry(start - 300 * second, 11 * second, bootA).isEmpty)
        #expect(journal.entry(start, 12 * second, bootA).isEmpty)
        let signs = journal.entry(start - 3_600 * second, 13 * second, bootA)
        #expect(signs == [.clockWentBackwards(boot: bootA, from: start, to: start - 3_600 * second,
                                              previousCursor: cursor(3), cursor: cursor(4))])
        // The next entry compares with the new time: one sign per jump.
        #expect(journal.entry(start - 3_599 * second, 14 * second, bootA).isEmpty)
    }

    @Test func gapWithinABoot() {
        var journal = Entries()
        let start = 1_700_000_000 * second
        _ = journal.entry(start, 10 * second, bootA)
        #expect(journal.entry(start + 3_600 * second, 3_610 * second, bootA).isEmpty)  // exactly 1 h
        let signs = journal.entry(start + 7_300 * second, 7_300 * second, bootA)
        #expect(signs == [.gap(boot: bootA, duration: 3_690 * second, from: start + 3_600 * second,
                               to: start + 7_300 * second, previousCursor: cursor(2), cursor: cursor(3))])
        // Suspend: wall clock jumps, monotonic time does not.
        #expect(journal.entry(start + 90_000 * second, 7_301 * second, bootA).isEmpty)
    }

    @Test func bootChangeWithoutShutdown() {
        var journal = Entries()
        _ = journal.entry(100 * second, 1 * second, bootA)
        _ = journal.entry(200 * second, 2 * second, bootA)
        let signs = journal.entry(300 * second, 1 * second, bootB)
        #expect(signs == [.bootWithoutShutdown(previousBoot: bootA, lastRealtime: 200 * second, lastCursor: cursor(2),
                                               boot: bootB, realtime: 300 * second, cursor: cursor(3))])
        // Entries of the previous boot read interleaved are not a new boot.
        #expect(journal.entry(201 * second, 3 * second, bootA).isEmpty)
    }

    @Test func bootChangeAfterShutdownRecords() {
        for (messageID, message) in [(JournalTampering.shutdownMessageID, "System is powering down."),
                                     (JournalTampering.unitStartedMessageID, "Reached target System Shutdown."),
                                     (JournalTampering.unitStartedMessageID, "Reached target reboot.target - System Reboot."),
                                     (JournalTampering.journalStopMessageID, "Journal stopped")] {
            var journal = Entries()
            _ = journal.entry(100 * second, 1 * second, bootA)
            _ = journal.entry(150 * second, 2 * second, bootA, messageID: messageID, message: message)
            _ = journal.entry(160 * second, 3 * second, bootA)
            #expect(journal.entry(300 * second, 1 * second, bootB).isEmpty, "\(message)")
        }
    }

    @Test func forgedOrUnrelatedRecordsDoNotCount() {
        var journal = Entries()
        _ = journal.entry(100 * second, 1 * second, bootA, messageID: JournalTampering.shutdownMessageID,
                          message: "System is powering down.", trusted: false)
        _ = journal.entry(110 * second, 2 * second, bootA, messageID: JournalTampering.unitStartedMessageID,
                          message: "Reached target Multi-User System.")
        #expect(journal.entry(300 * second, 1 * second, bootB).count == 1)
    }

    @Test func journaldRestartedWithinABoot() {
        var journal = Entries()
        _ = journal.entry(100 * second, 1 * second, bootA, messageID: JournalTampering.journalStartMessageID)
        _ = journal.entry(110 * second, 2 * second, bootA, messageID: JournalTampering.journalStopMessageID)
        #expect(journal.entry(120 * second, 3 * second, bootA, messageID: JournalTampering.journalStartMessageID)
            == [.journaldRestarted(boot: bootA, realtime: 120 * second, cursor: cursor(3))])
        // After the restart the boot needs a shutdown record again.
        #expect(journal.entry(300 * second, 1 * second, bootB).count == 1)
    }

    @Test func journaldMaintenanceRecords() {
        var journal = Entries()
        #expect(journal.entry(100 * second, 1 * second, bootA, message: "Received client request to rotate journal, rotating.")
            == [.rotationRequested(realtime: 100 * second, cursor: cursor(1))])
        let vacuum = "Vacuuming done, freed 1.2G of archived journals from /var/log/journal/x."
        #expect(journal.entry(101 * second, 2 * second, bootA, message: vacuum)
            == [.journalsVacuumed(realtime: 101 * second, cursor: cursor(2), message: Array(vacuum.utf8))])
        #expect(journal.entry(102 * second, 3 * second, bootA,
                              message: "Vacuuming done, freed 0B of archived journals from /run/log/journal/x.").isEmpty)
        let replaced = "File /var/log/journal/x/system.journal corrupted or uncleanly shut down, renaming and replacing."
        #expect(journal.entry(103 * second, 4 * second, bootA, message: replaced)
            == [.journalFileReplaced(realtime: 103 * second, cursor: cursor(4), message: Array(replaced.utf8))])
        // The same text from an untrusted source is nothing.
        #expect(journal.entry(104 * second, 5 * second, bootA, message: vacuum, trusted: false).isEmpty)
    }
}
