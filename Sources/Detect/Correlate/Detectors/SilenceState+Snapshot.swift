import Journal
import Rules

/// Snapshots: a tag, the rule's shape, then the groups from least to most recently seen, so
/// decoding rebuilds the same recency order.
extension SilenceState {
    static let tag = "cordon.silence.1"

    /// Writes the state for `init(rule:maximumGroups:decoding:)`.
    public func encode(into encoder: inout StateEncoder) {
        encoder.write(Self.tag)
        encoder.write(rule.groupBy.count)
        encoder.write(watermark)
        for table in [fired, armed] {
            let entries = table.entries
            encoder.write(entries.count)
            for (key, seen) in entries {
                encoder.write(values: key)
                encoder.write(seen.realtime)
                encoder.write(seen.cursor)
                encoder.write(seen.isTrusted)
            }
        }
    }

    /// Reads a snapshot; groups beyond a smaller `maximumGroups` than the snapshot's are dropped
    /// as `observe` would drop them (fired first, least recently seen first), counted in `evictions`.
    public init(rule: CorrelationRule, maximumGroups: Int,
                decoding decoder: inout StateDecoder) throws(StateDecodingError) {
        self.init(rule: rule, maximumGroups: maximumGroups)
        try decoder.expectTag(Self.tag)
        guard try decoder.readInt() == rule.groupBy.count else {
            throw StateDecodingError(message: "silence state was written for another group-by")
        }
        watermark = try decoder.readUInt64()
        for isFired in [true, false] {
            let count = try decoder.readCount(atMost: Int(Int32.max), of: "silence groups")
            for _ in 0..<count {
                let key = try decoder.readValues(arity: rule.groupBy.count, of: "silence group")
                let seen = LastSeen(realtime: try decoder.readUInt64(), cursor: try decoder.readCursor(),
                                    isTrusted: try decoder.readBool())
                guard !armed.contains(key), !fired.contains(key) else {
                    throw StateDecodingError(message: "silence group written twice at byte \(decoder.offset)")
                }
                makeRoom()
                if isFired { fired.set(seen, forKey: key) } else { armed.set(seen, forKey: key) }
            }
        }
    }
}
