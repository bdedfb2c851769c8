import Rules

/// Cordon's own detectors (`detector:` rules): `first_seen`, `rate_spike` and `silence`, each a
/// `CorrelationState` the `Correlator` feeds like a Sigma correlation rule's.
public enum Detectors {
    /// A fresh state for a detector rule.
    /// - Parameters:
    ///   - rule: the rule; its `kind` picks the state.
    ///   - maximumGroups: the most groups the state holds (at least 1 is used).
    /// - Returns: `FirstSeenState`, `RateSpikeState` or `SilenceState`; nil for kinds that are
    ///   not detectors (the Sigma correlation types).
    public static func makeState(for rule: CorrelationRule, maximumGroups: Int) -> (any CorrelationState)? {
        switch rule.kind {
        case .firstSeen: FirstSeenState(rule: rule, maximumGroups: maximumGroups)
        case .rateSpike: RateSpikeState(rule: rule, maximumGroups: maximumGroups)
        case .silence: SilenceState(rule: rule, maximumGroups: maximumGroups)
        case .eventCount, .valueCount, .temporal, .temporalOrdered, .valueSum, .valueAverage, .valuePercentile,
             .rareCategory, .categoryRate, .rareProcess, .rareLogin: nil
        }
    }

    /// Reads a detector state written by its `encode(into:)`.
    /// - Parameters:
    ///   - rule: the rule the state was written for.
    ///   - maximumGroups: the most groups the state holds; a snapshot with more keeps the most
    ///     recently seen and counts the rest in `evictions`.
    ///   - decoder: the snapshot, read from its current offset.
    /// - Returns: the state; nil for kinds that are not detectors (nothing is read).
    /// - Throws: `StateDecodingError` when the bytes are not such a state for this rule.
    public static func decodeState(for rule: CorrelationRule, maximumGroups: Int,
                                   from decoder: inout StateDecoder) throws(StateDecodingError) -> (any CorrelationState)? {
        switch rule.kind {
        case .firstSeen: try FirstSeenState(rule: rule, maximumGroups: maximumGroups, decoding: &decoder)
        case .rateSpike: try RateSpikeState(rule: rule, maximumGroups: maximumGroups, decoding: &decoder)
        case .silence: try SilenceState(rule: rule, maximumGroups: maximumGroups, decoding: &decoder)
        case .eventCount, .valueCount, .temporal, .temporalOrdered, .valueSum, .valueAverage, .valuePercentile,
             .rareCategory, .categoryRate, .rareProcess, .rareLogin: nil
        }
    }
}
