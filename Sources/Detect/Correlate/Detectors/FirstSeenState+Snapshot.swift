import Journal
import Rules

/// Snapshots: a tag, the rule's shape, then the groups from least to most recently seen, so
/// decoding rebuilds the same recency order.
extension FirstSeenState {
    static let tag = "cordon.first_seen.1"

    /// Writes the state for `init(rule:maximumGroups:decoding:)`.
    public func encode(into encoder: inout StateEncoder) {
        encoder.write(Self.tag)
        encoder.write(rule.groupBy.count)
        encoder.write(rule.fields.count)
        encoder.write(learningStart != nil)
        encoder.write(learningStart ?? 0)
        let entries = groups.entries
        encoder.write(entries.count)
        for (group, values) in entries {
            encoder.write(values: group)
            let tuples = values.entries
            encoder.write(tuples.count)
            for (tuple, _) in tuples { encoder.write(values: tuple) }
        }
    }

    /// Reads a snapshot; groups beyond a smaller `maximumGroups` than the snapshot's are dropped,
    /// least recently seen first, and counted in `evictions`.
    public init(rule: CorrelationRule, maximumGroups: Int,
                decoding decoder: inout StateDecoder) throws(StateDecodingError) {
        self.init(rule: rule, maximumGroups: maximumGroups)
        try decoder.expectTag(Self.tag)
        guard try decoder.readInt() == rule.groupBy.count, try decoder.readInt() == rule.fields.count else {
            throw StateDecodingError(message: "first_seen state was written for other group-by or fields")
        }
        let hasStart = try decoder.readBool()
        let start = try decoder.readUInt64()
        learningStart = hasStart ? start : nil
        let groupCount = try decoder.readCount(atMost: Int(Int32.max), of: "first_seen groups")
        for _ in 0..<groupCount {
            let group = try decoder.readValues(arity: rule.groupBy.count, of: "first_seen group")
            let tupleCount = try decoder.readCount(atMost: Self.maximumValuesPerGroup, of: "first_seen values")
            guard tupleCount > 0 else { throw StateDecodingError(message: "first_seen group with no values") }
            var values = Values(capacity: Self.maximumValuesPerGroup)
            for _ in 0..<tupleCount {
                values.set(true, forKey: try decoder.readValues(arity: rule.fields.count, of: "first_seen value"))
            }
            if groups.set(values, forKey: group) != nil { evictions += 1 }
        }
    }
}
