import Journal
import Rules

/// The `first_seen` detector: per group (the values of `group-by`), the tuples of `fields`
/// values seen; after a learning period, a tuple new to its group fires once.
///
/// - Learning: for `rule.timespan` µs of entry time from the first observation this state ever
///   saw (`realtime < start + timespan`), tuples are learned silently. From `start + timespan`
///   on, a tuple the group does not hold fires once and is learned. An observation older than
///   the start (entries out of order) is still learning. A group seen for the first time after
///   learning fires for its first tuple: with no `fields`, the detector fires once per new group.
/// - Bounds: at most `maximumGroups` groups and `maximumValuesPerGroup` tuples per group.
///   A full table forgets its least recently seen group, a full group its least recently seen
///   tuple; both count in `evictions`. A forgotten tuple (or every tuple of a forgotten group)
///   is new again and may fire again. Memory stays bounded whatever is observed, so a flood of
///   distinct values costs at most the caps; it still fires once per value never seen or
///   already forgotten, and capping alerts per rule is the caller's job.
/// - Missing fields count as empty bytes, in the group and in the tuple.
public struct FirstSeenState: CorrelationState {
    /// The most tuples held per group.
    public static let maximumValuesPerGroup = 1_024

    /// One group's tuples; the table's recency is the order they were last seen in.
    typealias Values = RecencyTable<[[UInt8]], Bool>

    /// The detector rule it evaluates.
    public let rule: CorrelationRule
    /// The most groups held.
    public let maximumGroups: Int
    /// Entry time of the first observation ever seen: the learning period's start.
    public internal(set) var learningStart: UInt64?
    var groups: RecencyTable<[[UInt8]], Values>
    /// Groups and tuples forgotten because a cap was reached (see `valueEvictions`).
    public internal(set) var evictions = 0
    /// The tuples among `evictions`: forgotten because their group held `maximumValuesPerGroup`.
    public private(set) var valueEvictions = 0

    /// A fresh state: nothing seen.
    public init(rule: CorrelationRule, maximumGroups: Int) {
        self.rule = rule
        self.maximumGroups = max(1, maximumGroups)
        groups = RecencyTable(capacity: self.maximumGroups)
    }

    /// Groups held now.
    public var groupCount: Int { groups.count }

    /// Nil: a new value is noticed when it is observed; time alone fires nothing.
    public var nextDeadline: UInt64? { nil }

    /// Whether an observation at `realtime` is still in the learning period.
    public func isLearning(at realtime: UInt64) -> Bool {
        guard let learningStart else { return true }
        let (end, overflow) = learningStart.addingReportingOverflow(rule.timespan)
        return overflow || realtime < end
    }

    /// Takes one observation of a referenced rule; `fields` holds its group-by and value fields.
    public mutating func observe(_ observation: Observation, fields: [String: [UInt8]],
                                 into matches: inout [CorrelationMatch]) {
        if learningStart == nil { learningStart = observation.realtime }
        let learning = isLearning(at: observation.realtime)
        let group = detectorValues(of: rule.groupBy, in: fields)
        let tuple = detectorValues(of: rule.fields, in: fields)

        if groups.touch(group) {
            // nil: the tuple is known; else the group's count after learning it, and whether
            // that forgot another tuple.
            let learned = groups.modify(group) { values -> (known: Int, evicted: Bool)? in
                if values.touch(tuple) { return nil }
                let evicted = values.set(true, forKey: tuple) != nil
                return (values.count, evicted)
            }
            guard let learned = learned ?? nil else { return }
            if learned.evicted {
                valueEvictions += 1
                evictions += 1
            }
            guard !learning else { return }
            matches.append(match(observation, group: group, known: learned.known))
        } else {
            var values = Values(capacity: Self.maximumValuesPerGroup)
            values.set(true, forKey: tuple)
            if groups.set(values, forKey: group) != nil { evictions += 1 }
            guard !learning else { return }
            matches.append(match(observation, group: group, known: 1))
        }
    }

    /// first_seen has nothing to expire: the learning period ends at the first observation after it.
    public mutating func advance(to realtime: UInt64, into matches: inout [CorrelationMatch]) {}

    /// The tuples `group` holds now, least recently seen first (nil for a group not held).
    public func knownValues(of group: [[UInt8]]) -> [[[UInt8]]]? {
        groups.value(forKey: group).map { $0.entries.map(\.key) }
    }

    private func match(_ observation: Observation, group: [[UInt8]], known: Int) -> CorrelationMatch {
        CorrelationMatch(rule: rule, group: detectorGroup(rule, group), realtime: observation.realtime,
                         cursor: observation.cursor, evidence: [observation.cursor], value: Double(known),
                         isTrusted: observation.isTrusted)
    }
}
