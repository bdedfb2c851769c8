import Journal
import Rules

extension SigmaCorrelationState {
    /// Writes the groups, least recently updated first, each with its observations in entry-time
    /// order. Evictions are not written (they count since the state was made or decoded).
    public func encode(into encoder: inout StateEncoder) {
        let entries = groups.entries
        encoder.write(entries.count)
        for (key, group) in entries {
            encoder.write(key.count)
            for value in key { encoder.write(value) }
            encoder.write(group.quietUntil != nil)
            if let quiet = group.quietUntil { encoder.write(quiet) }
            encoder.write(group.window.count)
            for point in group.window.points {
                encoder.write(point.realtime)
                encoder.write(point.cursor)
                encoder.write(point.isTrusted)
                encoder.write(point.references.count)
                for reference in point.references { encoder.write(reference) }
                encoder.write(point.distinctValue.count)
                for value in point.distinctValue { encoder.write(value) }
                encoder.write(point.number != nil)
                if let number = point.number { encoder.write(number) }
                encoder.write(point.evidence.count)
                for cursor in point.evidence { encoder.write(cursor) }
            }
        }
    }

    /// Reads a state written by `encode` for the same rule. Groups beyond `maximumGroups` (the
    /// cap was lowered) are evicted, least recently updated first, and counted.
    /// - Throws: `StateDecodingError` on malformed bytes or values this rule cannot hold.
    public init(rule: CorrelationRule, maximumGroups: Int, decoding decoder: inout StateDecoder) throws(StateDecodingError) {
        self.init(rule: rule, maximumGroups: maximumGroups)
        let groupCount = try Self.count(&decoder, atMost: Int.max, "groups")
        for _ in 0..<groupCount {
            let keyCount = try Self.count(&decoder, atMost: rule.groupBy.count, "group values")
            guard keyCount == rule.groupBy.count else {
                throw StateDecodingError(message: "a group has \(keyCount) values, the rule groups by \(rule.groupBy.count)")
            }
            var key: [[UInt8]] = []
            for _ in 0..<keyCount { key.append(try decoder.readBytes()) }
            guard !groups.contains(key) else { throw StateDecodingError(message: "a group appears twice") }
            let quietUntil: UInt64? = try decoder.readBool() ? try decoder.readUInt64() : nil
            let pointCount = try Self.count(&decoder, atMost: Self.maximumPointsPerGroup, "observations in a group")
            guard pointCount > 0 || quietUntil != nil else { throw StateDecodingError(message: "an empty group") }
            var group = Group(quietUntil: quietUntil)
            for _ in 0..<pointCount {
                let point = try readPoint(&decoder)
                if let newest = group.window.newestRealtime, point.realtime < newest {
                    throw StateDecodingError(message: "observations out of entry-time order")
                }
                group.window.insert(point)
            }
            if pointCount == 0 {
                group.deadline = quietUntil
            } else {
                let anchor = isJudgedAtWindowClose ? group.window.oldestRealtime : group.window.newestRealtime
                _ = Self.updateDeadline(of: &group, anchor: anchor, rule: rule)
            }
            // Groups are written least recently updated first: past a lowered cap, the oldest go.
            if groups.set(group, forKey: key) != nil { evictions += 1 }
        }
        rebuildDeadlines()
    }

    private func readPoint(_ decoder: inout StateDecoder) throws(StateDecodingError) -> WindowPoint {
        let realtime = try decoder.readUInt64()
        let cursor = try decoder.readCursor()
        let isTrusted = try decoder.readBool()
        var point = WindowPoint(realtime: realtime, cursor: cursor, isTrusted: isTrusted)
        let referenceCount = try Self.count(&decoder, atMost: rule.ruleReferences.count, "references")
        for _ in 0..<referenceCount {
            let reference = try decoder.readInt()
            guard (0..<rule.ruleReferences.count).contains(reference) else {
                throw StateDecodingError(message: "reference \(reference) out of range")
            }
            point.references.append(reference)
        }
        let valueCount = try Self.count(&decoder, atMost: rule.fields.count, "values")
        for _ in 0..<valueCount { point.distinctValue.append(try decoder.readBytes()) }
        if try decoder.readBool() {
            let number = try decoder.readDouble()
            guard number.isFinite else { throw StateDecodingError(message: "a value that is not a finite number") }
            point.number = number
        }
        let evidenceCount = try Self.count(&decoder, atMost: 2 * Self.evidenceEnds, "evidence cursors")
        for _ in 0..<evidenceCount { point.evidence.append(try decoder.readCursor()) }
        return point
    }

    private static func count(_ decoder: inout StateDecoder, atMost limit: Int, _ what: String) throws(StateDecodingError) -> Int {
        let count = try decoder.readInt()
        guard count >= 0, count <= limit else {
            throw StateDecodingError(message: "\(count) \(what), more than \(limit) or negative")
        }
        return count
    }
}
