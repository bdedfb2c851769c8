/// A Sigma correlation rule (`correlation:` section; Sigma correlation specification 2.x), or a
/// Cordon detector (`detector:` section, the documented extension in rules/CORRELATION.md).
///
/// Both count or remember what base rules matched, per group of field values, over entry time.
public struct CorrelationRule: Sendable {
    /// What the rule counts or remembers.
    public enum Kind: String, Sendable, CaseIterable {
        // Sigma correlation types.
        case eventCount = "event_count"
        case valueCount = "value_count"
        case temporal
        case temporalOrdered = "temporal_ordered"
        case valueSum = "value_sum"
        case valueAverage = "value_avg"
        case valuePercentile = "value_percentile"
        // Cordon detectors.
        case firstSeen = "first_seen"
        case rateSpike = "rate_spike"
        case silence
    }

    /// A numeric condition: every bound given must hold (`gt: 100, lte: 200` is a range).
    public struct Condition: Sendable, Equatable {
        public var greaterThan: Double?
        public var greaterThanOrEqual: Double?
        public var lessThan: Double?
        public var lessThanOrEqual: Double?
        public var equal: Double?
        public var notEqual: Double?

        public init(greaterThan: Double? = nil, greaterThanOrEqual: Double? = nil, lessThan: Double? = nil,
                    lessThanOrEqual: Double? = nil, equal: Double? = nil, notEqual: Double? = nil) {
            self.greaterThan = greaterThan
            self.greaterThanOrEqual = greaterThanOrEqual
            self.lessThan = lessThan
            self.lessThanOrEqual = lessThanOrEqual
            self.equal = equal
            self.notEqual = notEqual
        }

        /// Whether `value` satisfies every bound given.
        public func holds(_ value: Double) -> Bool {
            if let bound = greaterThan, !(value > bound) { return false }
            if let bound = greaterThanOrEqual, !(value >= bound) { return false }
            if let bound = lessThan, !(value < bound) { return false }
            if let bound = lessThanOrEqual, !(value <= bound) { return false }
            if let bound = equal, value != bound { return false }
            if let bound = notEqual, value == bound { return false }
            return true
        }
    }

    /// The rule's `id`.
    public let identifier: String
    /// The Sigma `name`, which other correlation rules may refer to.
    public var name: String?
    public let title: String
    public var description: String?
    public let level: Level
    public var tags: [String] = []
    public var author: String?
    public var falsePositives: [String] = []
    public let kind: Kind
    /// The rules it correlates, as written (`id` or `name` of base or correlation rules).
    public let ruleReferences: [String]
    /// `group-by`: the fields (or alias names) whose values form a group.
    public let groupBy: [String]
    /// `timespan` (window, learning period or threshold, as the kind uses it), in µs.
    public let timespan: UInt64
    /// `condition`, without its `field` (see `field`).
    public let condition: Condition
    /// `condition.field` (value_count, value_sum, value_avg, value_percentile; for first_seen
    /// the value fields learned per group).
    public let fields: [String]
    /// `condition.percentile` for value_percentile (0–100).
    public var percentile: Double?
    /// `aliases`: alias name → (referenced rule id or name → that rule's field name).
    public var aliases: [String: [String: String]] = [:]
    /// `generate`: whether the referenced base rules also alert on their own.
    public var generate = false
    /// Detector settings (`learning`, `factor`, `floor`, `window` …) by name, as numbers in their
    /// unit (durations in µs); empty for Sigma correlation rules.
    public var settings: [String: Double] = [:]
    /// Where the rule's document starts.
    public let location: SourceLocation

    public init(identifier: String, title: String, level: Level, kind: Kind, ruleReferences: [String], groupBy: [String],
                timespan: UInt64, condition: Condition, fields: [String] = [], location: SourceLocation) {
        self.identifier = identifier
        self.title = title
        self.level = level
        self.kind = kind
        self.ruleReferences = ruleReferences
        self.groupBy = groupBy
        self.timespan = timespan
        self.condition = condition
        self.fields = fields
        self.location = location
    }
}
