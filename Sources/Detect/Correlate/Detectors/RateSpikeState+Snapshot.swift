import Journal
import Rules

/// Snapshots: a tag, the rule's shape, then the groups from least to most recently seen, so
/// decoding rebuilds the same recency order.
extension RateSpikeState {
    static let tag = "cordon.rate_spike.1"

    /// Writes the state for `init(rule:maximumGroups:decoding:)`.
    public func encode(into encoder: inout StateEncoder) {
        encoder.write(Self.tag)
        encoder.write(rule.groupBy.count)
        encoder.write(window)
        let entries = groups.entries
        encoder.write(entries.count)
        for (key, group) in entries {
            encoder.write(values: key)
            encoder.write(group.firstSeen)
            encoder.write(group.baseline != nil)
            encoder.write(group.baseline ?? 0)
            encoder.write(group.accountedUntil)
            encoder.write(group.window != nil)
            if let open = group.window {
                encoder.write(open.start)
                encoder.write(open.count)
                encoder.write(open.isTrusted)
                encoder.write(open.lastRealtime)
                encoder.write(open.lastCursor)
                open.evidence.encode(into: &encoder)
            }
        }
    }

    /// Reads a snapshot; groups beyond a smaller `maximumGroups` than the snapshot's are dropped,
    /// least recently observed first, and counted in `evictions`. A snapshot written with another
    /// window width or group-by is rejected.
    public init(rule: CorrelationRule, maximumGroups: Int,
                decoding decoder: inout StateDecoder) throws(StateDecodingError) {
        self.init(rule: rule, maximumGroups: maximumGroups)
        try decoder.expectTag(Self.tag)
        guard try decoder.readInt() == rule.groupBy.count else {
            throw StateDecodingError(message: "rate_spike state was written for another group-by")
        }
        guard try decoder.readUInt64() == window else {
            throw StateDecodingError(message: "rate_spike state was written for another window")
        }
        let count = try decoder.readCount(atMost: Int(Int32.max), of: "rate_spike groups")
        for _ in 0..<count {
            let key = try decoder.readValues(arity: rule.groupBy.count, of: "rate_spike group")
            let firstSeen = try decoder.readUInt64()
            let hasBaseline = try decoder.readBool()
            let baseline = try decoder.readDouble()
            guard baseline.isFinite, baseline >= 0 else {
                throw StateDecodingError(message: "rate_spike baseline \(baseline) at byte \(decoder.offset)")
            }
            let accountedUntil = try decoder.readUInt64()
            var group = Group(firstSeen: firstSeen, baseline: hasBaseline ? baseline : nil,
                              accountedUntil: accountedUntil, window: nil)
            if try decoder.readBool() {
                let start = try decoder.readUInt64()
                let windowCount = try decoder.readCount(atMost: Int.max, of: "rate_spike window")
                guard windowCount > 0, start % window == 0 || start == accountedUntil else {
                    throw StateDecodingError(message: "rate_spike window at \(start) with \(windowCount) observations")
                }
                let isTrusted = try decoder.readBool()
                let lastRealtime = try decoder.readUInt64()
                let lastCursor = try decoder.readCursor()
                let evidence = try BoundedEvidence(decoding: &decoder)
                group.window = Window(start: start, count: windowCount, evidence: evidence, isTrusted: isTrusted,
                                      lastRealtime: lastRealtime, lastCursor: lastCursor)
            }
            if let evicted = groups.set(group, forKey: key) {
                evictions += 1
                if let open = evicted.value.window { forgetClosing(evicted.key, end: end(of: open)) }
            }
            if let open = group.window {
                closing[end(of: open), default: []].insert(key)
            }
        }
        earliestClosing = closing.keys.min()
    }
}
