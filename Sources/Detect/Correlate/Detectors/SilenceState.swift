import Journal
import Rules

/// The `silence` detector: per group, the entry time of its last observation; a group not seen
/// for more than `rule.timespan` µs before the watermark fires once, then stays quiet until it
/// is seen again, which re-arms it.
///
/// - Time: the watermark is the newest entry time given to `observe` or `advance(to:)`; in live
///   mode the daemon advances it on an idle journal so silences fire without new entries. A
///   group fires when `watermark − last > timespan`. `observe` advances first, so a group that
///   comes back after a silence nobody noticed fires for that silence, then re-arms.
/// - The match: `cursor`, `evidence`, `isTrusted` are the group's last observation's; `realtime`
///   is the watermark at which the silence was noticed; `value` is the silence so far in seconds.
/// - Only groups seen at least once are watched: a host that never logged cannot fall silent.
/// - Armed groups are kept in the order they were last seen, and `advance` looks only at the
///   least recently seen ones, stopping at the first that is not silent (O(fired) per call).
///   That order is entry-time order as long as observations come in entry-time order; one that
///   arrives late with an older entry time makes its group look fresh until the groups seen
///   before it have been checked.
/// - Bounds: at most `maximumGroups` groups, armed and fired together. A new group in a full
///   state forgets the least recently seen fired group first (nothing is lost: it would only
///   re-arm), else the least recently seen armed one (its silence will not be reported); both
///   count in `evictions`.
public struct SilenceState: CorrelationState {
    /// The last observation of a group.
    struct LastSeen: Sendable {
        var realtime: UInt64
        var cursor: Cursor
        var isTrusted: Bool
    }

    /// The detector rule it evaluates.
    public let rule: CorrelationRule
    /// The most groups held.
    public let maximumGroups: Int
    /// The newest entry time seen (0 before any).
    public internal(set) var watermark: UInt64 = 0
    /// Groups forgotten because `maximumGroups` was reached.
    public internal(set) var evictions = 0
    /// Groups being watched, least recently seen first.
    var armed: RecencyTable<[[UInt8]], LastSeen>
    /// Groups that fired and have not been seen since.
    var fired: RecencyTable<[[UInt8]], LastSeen>

    /// A fresh state: nothing seen.
    public init(rule: CorrelationRule, maximumGroups: Int) {
        self.rule = rule
        self.maximumGroups = max(1, maximumGroups)
        armed = RecencyTable(capacity: self.maximumGroups)
        fired = RecencyTable(capacity: self.maximumGroups)
    }

    /// Groups held now.
    public var groupCount: Int { armed.count + fired.count }

    /// Just past the least recently seen armed group's last entry plus the timespan (`advance`
    /// fires once the watermark is more than the timespan after it).
    public var nextDeadline: UInt64? {
        guard let (_, seen) = armed.leastRecent else { return nil }
        let (deadline, overflow) = seen.realtime.addingReportingOverflow(rule.timespan)
        return overflow || deadline == UInt64.max ? nil : deadline + 1
    }

    /// Whether `group` fired and has not been seen since.
    public func isSilent(_ group: [[UInt8]]) -> Bool { fired.contains(group) }

    /// Takes one observation of a referenced rule; `fields` holds its group-by and value fields.
    public mutating func observe(_ observation: Observation, fields: [String: [UInt8]],
                                 into matches: inout [CorrelationMatch]) {
        advance(to: observation.realtime, into: &matches)
        let key = detectorValues(of: rule.groupBy, in: fields)
        var seen = LastSeen(realtime: observation.realtime, cursor: observation.cursor,
                            isTrusted: observation.isTrusted)
        // An observation older than the group's last keeps the newer one (but re-arms).
        if let previous = armed.value(forKey: key) ?? fired.removeValue(forKey: key),
           previous.realtime > observation.realtime {
            seen = previous
        }
        if !armed.contains(key) { makeRoom() }
        armed.set(seen, forKey: key)
    }

    /// Entry time has reached `realtime`: closes windows or notices silences up to it.
    public mutating func advance(to realtime: UInt64, into matches: inout [CorrelationMatch]) {
        watermark = max(watermark, realtime)
        while let (key, seen) = armed.leastRecent, watermark - min(seen.realtime, watermark) > rule.timespan {
            armed.removeValue(forKey: key)
            fired.set(seen, forKey: key)
            let silence = Double(watermark - seen.realtime) / 1_000_000
            matches.append(CorrelationMatch(rule: rule, group: detectorGroup(rule, key), realtime: watermark,
                                            cursor: seen.cursor, evidence: [seen.cursor], value: silence,
                                            isTrusted: seen.isTrusted))
        }
    }

    /// Forgets one group when a new one would exceed `maximumGroups`: fired before armed.
    mutating func makeRoom() {
        guard armed.count + fired.count >= maximumGroups else { return }
        if fired.removeLeastRecent() == nil { armed.removeLeastRecent() }
        evictions += 1
    }
}
