import Journal
import Rules

/// The state of one Sigma correlation rule, for all seven Sigma types: a sliding window of
/// `timespan` per group, in entry time.
///
/// Semantics (entry time only; no clock is read):
/// - **Group**: the values of `group-by`, in order. The `Correlator` passes on no observation
///   that lacks a group-by field (it belongs to no group); here a missing field would read as
///   an empty value.
/// - **Window**: the group's observations no more than `timespan` older than its newest one.
///   Both edges are inclusive: an observation exactly `timespan` after the oldest is inside,
///   one µs more and the oldest leaves. Observations are kept sorted by entry time, so an
///   out-of-order one (journal files interleave) counts when it falls within that window;
///   one older than the group's newest minus `timespan` is outside it and ignored.
/// - **Measured value**: event_count: observations; value_count: distinct values of
///   `condition.field` (a tuple when several fields are given; an observation lacking all of
///   them is ignored); value_sum, value_avg, value_percentile: over the numbers in
///   `condition.field` (the first field; values that are not finite decimal numbers are
///   ignored); value_percentile uses the nearest-rank method with `percentile` (50 when unset);
///   temporal: distinct referenced rules seen; temporal_ordered: how many of the referenced
///   rules were seen in the order listed (greedy: rule i's first occurrence after rule i-1's).
/// - **Evidence** (first and last 10 entries, nested matches contributing their own evidence)
///   and trust: every observation in the window; for temporal_ordered, those from the first
///   occurrence of the first rule on.
/// - **Default condition**: temporal and temporal_ordered with no bound at all mean "all of
///   them" (`gte` the number of referenced rules), as the rule parser also assumes.
/// - **When it fires**: a condition with only lower bounds (`gt`, `gte`, `neq`) is judged after
///   each observation. One with an upper bound (`lt`, `lte`, `eq`) can only be judged when
///   nothing more can join, so it is judged in `advance` once the window closes: windows then
///   start at the group's oldest observation and close when entry time passes oldest +
///   `timespan`; the match's cursor and time are those of the window's newest observation.
///   A group never seen cannot fire, so `lt: 1` never does; an observation arriving after its
///   window was judged starts a new window.
/// - **After firing** the group's window is emptied and the group stays quiet for one
///   `timespan` after the observation that fired: observations up to then are not counted, so a
///   sustained brute force alerts once per timespan and source, not once per ten failures. Then
///   counting starts afresh; each match covers disjoint evidence. (Conditions judged at window
///   close are not affected: each closed window is judged once.)
/// - **Bounds**: at most `maximumGroups` groups; a new group beyond it evicts the least
///   recently updated one (counted in `evictions`). At most `maximumPointsPerGroup`
///   observations per group; beyond it the oldest is dropped (so thresholds above it are never
///   reached). Groups whose window closed before the watermark are dropped in `advance`.
public struct SigmaCorrelationState: CorrelationState {
    /// Observations kept per group, at most.
    public static let maximumPointsPerGroup = 10_000
    /// A match's evidence is the first and the last this many contributing entries.
    public static let evidenceEnds = 10

    /// Whether this state evaluates `kind` (the seven Sigma correlation types).
    public static func supports(_ kind: CorrelationRule.Kind) -> Bool {
        switch kind {
        case .eventCount, .valueCount, .temporal, .temporalOrdered, .valueSum, .valueAverage, .valuePercentile: true
        case .firstSeen, .rateSpike, .silence, .rareCategory, .categoryRate, .rareProcess, .rareLogin: false
        }
    }

    struct Group: Sendable {
        var window = SigmaWindow()
        /// When entry time passes this, the group's window has closed (`advance` acts on it).
        var deadline: UInt64?
        /// After the group fired: observations up to this entry time are not counted.
        var quietUntil: UInt64?
    }

    public let rule: CorrelationRule
    /// The most groups held at once.
    public let maximumGroups: Int
    public internal(set) var evictions = 0
    public var groupCount: Int { groups.count }

    /// Just past the earliest window close, for conditions judged at the close (`lt`, `lte`,
    /// `eq`); nil for the others, whose windows only expire (a later entry does that). A stale
    /// deadline left in the queue may come first: advancing to it fires nothing.
    public var nextDeadline: UInt64? {
        guard isJudgedAtWindowClose, let earliest = deadlines.earliest, earliest < UInt64.max else { return nil }
        return earliest + 1
    }

    /// The condition evaluated: the rule's, or "all referenced rules" for temporal types without one.
    public let effectiveCondition: CorrelationRule.Condition
    /// Whether the condition is judged when a window closes (it has `lt`, `lte` or `eq`) rather
    /// than after each observation.
    public let isJudgedAtWindowClose: Bool

    var groups: RecencyTable<[[UInt8]], Group>
    var deadlines = DeadlineQueue<[[UInt8]]>()
    /// For each position in `ruleReferences`, the distinct referenced rule it names.
    let distinctReferenceOfPosition: [Int]

    public init(rule: CorrelationRule, maximumGroups: Int) {
        self.rule = rule
        self.maximumGroups = max(1, maximumGroups)
        groups = RecencyTable(capacity: self.maximumGroups)
        var firstPosition: [String: Int] = [:]
        var distinct: [Int] = []
        for reference in rule.ruleReferences {
            if firstPosition[reference] == nil { firstPosition[reference] = firstPosition.count }
            // Set just above.
            distinct.append(firstPosition[reference]!)
        }
        distinctReferenceOfPosition = distinct
        var condition = rule.condition
        if condition == CorrelationRule.Condition() {
            switch rule.kind {
            case .temporal: condition.greaterThanOrEqual = Double(firstPosition.count)
            case .temporalOrdered: condition.greaterThanOrEqual = Double(rule.ruleReferences.count)
            default: break
            }
        }
        effectiveCondition = condition
        isJudgedAtWindowClose = condition.lessThan != nil || condition.lessThanOrEqual != nil || condition.equal != nil
    }

    public mutating func observe(_ observation: Observation, fields: [String: [UInt8]],
                                 into matches: inout [CorrelationMatch]) {
        guard let point = point(for: observation, fields: fields) else { return }
        let key = rule.groupBy.map { fields[$0] ?? [] }
        if !groups.contains(key) {
            if groups.count >= maximumGroups {
                groups.removeLeastRecent()
                evictions += 1
            }
            groups.set(Group(), forKey: key)
        }
        let rule = rule, judgedAtClose = isJudgedAtWindowClose, condition = effectiveCondition
        groups.touch(key)
        let outcome: (fire: CorrelationMatch?, deadline: UInt64?)? = groups.modify(key) { group in
            if let quiet = group.quietUntil {
                guard point.realtime > quiet else { return (nil, nil) }
                group.quietUntil = nil
            }
            group.window.insert(point)
            if group.window.count > Self.maximumPointsPerGroup { group.window.removeOldest() }
            if judgedAtClose {
                return (nil, Self.updateDeadline(of: &group, anchor: group.window.oldestRealtime, rule: rule))
            }
            // Sliding window: keep what is at most `timespan` older than the newest.
            let newest = group.window.newestRealtime ?? point.realtime
            let bound = newest >= rule.timespan ? newest - rule.timespan : 0
            group.window.removeOlder(than: bound)
            if point.realtime >= bound, let value = Self.measure(group.window, rule: rule),
               condition.holds(value) {
                return (Self.match(rule: rule, key: key, window: group.window, value: value,
                                   realtime: point.realtime, cursor: point.cursor), nil)
            }
            return (nil, Self.updateDeadline(of: &group, anchor: group.window.newestRealtime, rule: rule))
        }
        if let match = outcome?.fire {
            matches.append(match)
            let (sum, overflow) = match.realtime.addingReportingOverflow(rule.timespan)
            let quiet = overflow ? UInt64.max : sum
            _ = groups.modify(key) { $0 = Group(window: SigmaWindow(), deadline: quiet, quietUntil: quiet) }
            deadlines.push(quiet, key)
        } else if let deadline = outcome?.deadline {
            deadlines.push(deadline, key)
        }
        if groups.count == 0 {
            deadlines.removeAll()
        } else if deadlines.count > 4 * groups.count + 1024 {
            rebuildDeadlines()
        }
    }

    public mutating func advance(to realtime: UInt64, into matches: inout [CorrelationMatch]) {
        while let earliest = deadlines.earliest, earliest < realtime, let (deadline, key) = deadlines.pop() {
            guard let group = groups.value(forKey: key), group.deadline == deadline else { continue }
            guard isJudgedAtWindowClose else {
                groups.removeValue(forKey: key)
                continue
            }
            var window = group.window
            let later = window.removeNewer(than: deadline)
            if let last = window.points.last,
               let value = Self.measure(window, rule: rule),
               effectiveCondition.holds(value) {
                matches.append(Self.match(rule: rule, key: key, window: window, value: value,
                                          realtime: last.realtime, cursor: last.cursor))
            }
            if later.isEmpty {
                groups.removeValue(forKey: key)
                continue
            }
            var next = Group()
            for point in later { next.window.insert(point) }
            let nextDeadline = Self.updateDeadline(of: &next, anchor: next.window.oldestRealtime, rule: rule)
            _ = groups.modify(key) { $0 = next }
            if let nextDeadline { deadlines.push(nextDeadline, key) }
        }
        if groups.count == 0 { deadlines.removeAll() }
    }

    // MARK: Pieces

    /// What `observation` contributes, or nil when it contributes nothing to this rule.
    private func point(for observation: Observation, fields: [String: [UInt8]]) -> WindowPoint? {
        var point = WindowPoint(realtime: observation.realtime, cursor: observation.cursor,
                                isTrusted: observation.isTrusted,
                                evidence: Self.ends(of: observation.evidence))
        switch rule.kind {
        case .eventCount:
            break
        case .temporal, .temporalOrdered:
            var positions: [Int] = []
            for (position, reference) in rule.ruleReferences.enumerated()
            where reference == observation.ruleIdentifier || reference == observation.ruleName {
                positions.append(position)
            }
            guard !positions.isEmpty else { return nil }
            if rule.kind == .temporal {
                var distinct: [Int] = []
                for position in positions where !distinct.contains(distinctReferenceOfPosition[position]) {
                    distinct.append(distinctReferenceOfPosition[position])
                }
                point.references = distinct
            } else {
                point.references = positions
            }
        case .valueCount:
            let values = rule.fields.map { fields[$0] }
            guard values.contains(where: { $0 != nil }) else { return nil }
            point.distinctValue = values.map { $0 ?? [] }
        case .valueSum, .valueAverage, .valuePercentile:
            guard let field = rule.fields.first, let bytes = fields[field], let number = Self.number(bytes) else {
                return nil
            }
            point.number = number
        case .firstSeen, .rateSpike, .silence, .rareCategory, .categoryRate, .rareProcess, .rareLogin:
            return nil
        }
        return point
    }

    /// A field value read as a finite decimal number (surrounding spaces allowed).
    static func number(_ bytes: [UInt8]) -> Double? {
        guard bytes.count <= 64 else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
              let number = Double(text), number.isFinite else { return nil }
        return number
    }

    /// The value the condition is compared with, or nil when there is none (no numbers).
    static func measure(_ window: SigmaWindow, rule: CorrelationRule) -> Double? {
        switch rule.kind {
        case .eventCount:
            return Double(window.count)
        case .valueCount:
            return Double(window.valueCounts.count)
        case .temporal:
            return Double(window.distinctReferences)
        case .temporalOrdered:
            var next = 0
            for point in window.points where next < rule.ruleReferences.count && point.references.contains(next) {
                next += 1
            }
            return Double(next)
        case .valueSum:
            return window.sortedNumbers.isEmpty ? nil : window.sum
        case .valueAverage:
            return window.sortedNumbers.isEmpty ? nil : window.sum / Double(window.sortedNumbers.count)
        case .valuePercentile:
            let numbers = window.sortedNumbers
            guard !numbers.isEmpty else { return nil }
            let percentile = min(100, max(0, rule.percentile ?? 50))
            let rank = Int((percentile / 100 * Double(numbers.count)).rounded(.up))
            return numbers[min(numbers.count, max(1, rank)) - 1]
        case .firstSeen, .rateSpike, .silence, .rareCategory, .categoryRate, .rareProcess, .rareLogin:
            return nil
        }
    }

    /// Sets the group's deadline to `anchor` + timespan (saturating); returns it when it changed.
    static func updateDeadline(of group: inout Group, anchor: UInt64?, rule: CorrelationRule) -> UInt64? {
        guard let anchor else { return nil }
        let (sum, overflow) = anchor.addingReportingOverflow(rule.timespan)
        let deadline = overflow ? UInt64.max : sum
        guard deadline != group.deadline else { return nil }
        group.deadline = deadline
        return deadline
    }

    /// Rebuilds the deadline queue from the groups, dropping stale entries.
    mutating func rebuildDeadlines() {
        deadlines.removeAll()
        for (key, group) in groups.entries {
            if let deadline = group.deadline { deadlines.push(deadline, key) }
        }
    }

    /// The first and last `evidenceEnds` of `cursors`.
    static func ends(of cursors: [Cursor]) -> [Cursor] {
        guard cursors.count > 2 * evidenceEnds else { return cursors }
        return Array(cursors.prefix(evidenceEnds) + cursors.suffix(evidenceEnds))
    }

    static func match(rule: CorrelationRule, key: [[UInt8]], window: SigmaWindow, value: Double,
                      realtime: UInt64, cursor: Cursor) -> CorrelationMatch {
        var seen = Set<Cursor>()
        var contributing: [Cursor] = []
        var isTrusted = true
        var points = window.points
        if rule.kind == .temporalOrdered, let first = points.firstIndex(where: { $0.references.contains(0) }) {
            // What came before the sequence's first rule did not contribute.
            points = points[first...]
        }
        for point in points {
            isTrusted = isTrusted && point.isTrusted
            for entry in point.evidence.isEmpty ? [point.cursor] : point.evidence where seen.insert(entry).inserted {
                contributing.append(entry)
            }
        }
        let group = zip(rule.groupBy, key).map { (name: $0.0, value: $0.1) }
        return CorrelationMatch(rule: rule, group: group, realtime: realtime, cursor: cursor,
                                evidence: ends(of: contributing), value: value, isTrusted: isTrusted)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
