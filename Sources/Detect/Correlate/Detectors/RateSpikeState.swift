import Journal
import Rules

/// The `rate_spike` detector: per group, observations counted in fixed windows of entry time,
/// each closed window compared with the group's baseline, an exponentially weighted moving
/// average (EWMA) of its earlier windows.
///
/// - Windows: `rule.timespan` µs wide (the parser puts the rule's `window` there); when that is
///   0, `settings["window"]`; when neither is set, one minute. Windows are aligned to multiples
///   of their width since the epoch, the same for every group and across restarts.
/// - A window closes when an observation or `advance(to:)` reaches its end. It fires when its
///   count is at least `floor`, more than `factor` × baseline, and the group's learning period
///   (`learning` µs from the group's first observation) is over when the window ends. The
///   match is the window's last observation (cursor, entry time and trust of every
///   observation in it), with the count as value and the window's first and last 10 cursors.
/// - Baseline: the first closed window's count; then `baseline += smoothing × (count −
///   baseline)` per window. Windows with no observations count as zero; they decay the
///   baseline by (1 − smoothing) each, in closed form, so a long gap costs O(log n) work.
///   A window that fires enters the baseline clamped to max(factor × baseline, floor): one
///   burst barely raises it (a second burst soon after still fires), while a lasting higher
///   rate is learned within a few windows (the baseline grows by up to smoothing × (factor −
///   1) of itself per window).
/// - An observation older than its group's open window (entries out of order) counts in that
///   window; one older than the last closed window counts in the next window.
/// - Settings: `factor` (default 3), `floor` (default 10), `learning` (µs, default 10 windows),
///   `smoothing` (EWMA alpha in (0, 1], default 0.3); a value out of range takes the default.
/// - Bounds: at most `maximumGroups` groups; a full table forgets the least recently observed
///   group (its baseline and open window), counted in `evictions`; it relearns from scratch.
public struct RateSpikeState: CorrelationState {
    /// One open window of one group.
    struct Window: Sendable {
        var start: UInt64
        var count: Int
        var evidence: BoundedEvidence
        /// Whether every observation in the window was trusted.
        var isTrusted: Bool
        var lastRealtime: UInt64
        var lastCursor: Cursor
    }

    /// What one group remembers.
    struct Group: Sendable {
        /// Entry time of the group's first observation: its learning period's start.
        var firstSeen: UInt64
        /// The EWMA of closed windows' counts; nil until a window closed.
        var baseline: Double?
        /// The end of the last window folded into `baseline` (0 when none).
        var accountedUntil: UInt64
        var window: Window?
    }

    /// The detector rule it evaluates.
    public let rule: CorrelationRule
    /// The most groups held.
    public let maximumGroups: Int
    /// Window width, µs.
    public let window: UInt64
    /// How many times the baseline a window's count must exceed.
    public let factor: Double
    /// The least count that may fire.
    public let floor: Double
    /// Learning period per group, µs from its first observation.
    public let learning: UInt64
    /// EWMA weight of each new window.
    public let smoothing: Double
    /// Groups forgotten because `maximumGroups` was reached.
    public internal(set) var evictions = 0

    var groups: RecencyTable<[[UInt8]], Group>
    /// Groups with an open window, by the window's end.
    var closing: [UInt64: Set<[[UInt8]]>] = [:]
    /// The smallest key of `closing`.
    var earliestClosing: UInt64?

    /// A fresh state: nothing seen.
    public init(rule: CorrelationRule, maximumGroups: Int) {
        self.rule = rule
        self.maximumGroups = max(1, maximumGroups)
        groups = RecencyTable(capacity: self.maximumGroups)
        let settings = rule.settings
        func setting(_ name: String, default value: Double, where isValid: (Double) -> Bool) -> Double {
            guard let given = settings[name], given.isFinite, isValid(given) else { return value }
            return given
        }
        let window: UInt64 = if rule.timespan > 0 {
            rule.timespan
        } else if let given = settings["window"], given.isFinite, given >= 1, given < 1e18 {
            UInt64(given)
        } else {
            60_000_000
        }
        self.window = window
        factor = setting("factor", default: 3, where: { $0 > 0 })
        floor = setting("floor", default: 10, where: { $0 >= 0 })
        let tenWindows = window.multipliedReportingOverflow(by: 10)
        learning = UInt64(setting("learning", default: tenWindows.overflow ? 1e18 : Double(tenWindows.partialValue),
                                  where: { $0 >= 0 && $0 < 1e18 }))
        smoothing = setting("smoothing", default: 0.3, where: { $0 > 0 && $0 <= 1 })
    }

    /// Groups held now.
    public var groupCount: Int { groups.count }

    /// When the earliest open window closes (`advance` closes windows ending at or before it).
    public var nextDeadline: UInt64? { earliestClosing }

    /// The baseline of `group` as of its last closed window (nil when none closed or not held).
    public func baseline(of group: [[UInt8]]) -> Double? {
        groups.value(forKey: group)?.baseline
    }

    /// Takes one observation of a referenced rule; `fields` holds its group-by and value fields.
    public mutating func observe(_ observation: Observation, fields: [String: [UInt8]],
                                 into matches: inout [CorrelationMatch]) {
        advance(to: observation.realtime, into: &matches)
        let key = detectorValues(of: rule.groupBy, in: fields)
        let realtime = observation.realtime
        let alignedStart = realtime - realtime % window
        if !groups.touch(key) {
            let group = Group(firstSeen: realtime, baseline: nil, accountedUntil: 0, window: nil)
            if let evicted = groups.set(group, forKey: key) {
                evictions += 1
                if let open = evicted.value.window { forgetClosing(evicted.key, end: end(of: open)) }
            }
        }
        let opened = groups.modify(key) { group -> UInt64? in
            if var open = group.window {
                group.window = nil  // so that `open` holds the only reference to the evidence
                open.count += 1
                open.evidence.append(observation.cursor)
                open.isTrusted = open.isTrusted && observation.isTrusted
                if realtime >= open.lastRealtime {
                    open.lastRealtime = realtime
                    open.lastCursor = observation.cursor
                }
                group.window = open
                return nil
            }
            var evidence = BoundedEvidence()
            evidence.append(observation.cursor)
            let start = max(alignedStart, group.accountedUntil)
            group.window = Window(start: start, count: 1, evidence: evidence, isTrusted: observation.isTrusted,
                                  lastRealtime: realtime, lastCursor: observation.cursor)
            return start
        }
        if let start = opened ?? nil {
            let end = start.addingReportingOverflow(window).overflow ? UInt64.max : start + window
            closing[end, default: []].insert(key)
            earliestClosing = min(earliestClosing ?? end, end)
        }
    }

    /// Entry time has reached `realtime`: closes windows or notices silences up to it.
    public mutating func advance(to realtime: UInt64, into matches: inout [CorrelationMatch]) {
        guard let earliest = earliestClosing, earliest <= realtime else { return }
        for end in closing.keys.filter({ $0 <= realtime }).sorted() {
            guard let keys = closing.removeValue(forKey: end) else { continue }
            var due: [(key: [[UInt8]], window: Window)] = []
            for key in keys {
                guard let open = groups.value(forKey: key)?.window, self.end(of: open) == end else { continue }
                due.append((key, open))
            }
            // Deterministic order: by the window's last entry time.
            due.sort { $0.window.lastRealtime < $1.window.lastRealtime }
            for (key, open) in due {
                guard var group = groups.value(forKey: key) else { continue }
                let match = close(open, of: &group, key: key)
                groups.modify(key) { $0 = group }
                if let match { matches.append(match) }
            }
        }
        earliestClosing = closing.keys.min()
    }

    func end(of window: Window) -> UInt64 {
        let (end, overflow) = window.start.addingReportingOverflow(self.window)
        return overflow ? UInt64.max : end
    }

    mutating func forgetClosing(_ key: [[UInt8]], end: UInt64) {
        closing[end]?.remove(key)
        if closing[end]?.isEmpty == true {
            closing[end] = nil
            earliestClosing = closing.keys.min()
        }
    }

    /// Folds `open` into the group's baseline; returns the match when it is a spike.
    private func close(_ open: Window, of group: inout Group, key: [[UInt8]]) -> CorrelationMatch? {
        let end = end(of: open)
        group.window = nil
        var baseline = group.baseline
        if let current = baseline, group.accountedUntil < open.start {
            // Each window with no observations since the last closed one counts as zero.
            let skipped = (open.start - group.accountedUntil) / window
            baseline = current * Self.power(1 - smoothing, skipped)
        }
        group.accountedUntil = end
        let count = Double(open.count)
        let base = baseline ?? 0
        let (learningEnd, overflow) = group.firstSeen.addingReportingOverflow(learning)
        let isLearned = !overflow && end >= learningEnd
        let fires = isLearned && count >= floor && count > factor * base
        if baseline == nil {
            group.baseline = count
        } else {
            let input = fires ? min(count, max(factor * base, floor)) : count
            group.baseline = base + smoothing * (input - base)
        }
        guard fires else { return nil }
        return CorrelationMatch(rule: rule, group: detectorGroup(rule, key), realtime: open.lastRealtime,
                                cursor: open.lastCursor, evidence: open.evidence.cursors, value: count,
                                isTrusted: open.isTrusted)
    }

    /// `base` to the power `exponent`, by squaring: O(log exponent).
    static func power(_ base: Double, _ exponent: UInt64) -> Double {
        var result = 1.0
        var factor = base
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 { result *= factor }
            remaining >>= 1
            if remaining > 0 { factor *= factor }
            if result == 0 { break }
        }
        return result
    }
}
