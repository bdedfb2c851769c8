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
        // Cordon's learned anomaly detectors (Sources/Detect/Anomaly): they read every entry (and
        // the matches of the rules they name), not only matches, and keep their state in the model.
        case rareCategory = "rare_category"
        case categoryRate = "category_rate"
        case rareProcess = "rare_process"
        case rareLogin = "rare_login"

        /// Whether this is a Cordon detector (`detector:`) rather than a Sigma correlation type.
        public var isDetector: Bool {
            switch self {
            case .firstSeen, .rateSpike, .silence: true
            default: isAnomaly
            }
        }

        /// Whether this is a learned anomaly detector, evaluated by the anomaly model rather than
        /// by the correlator.
        public var isAnomaly: Bool {
            switch self {
            case .rareCategory, .categoryRate, .rareProcess, .rareLogin: true
            default: false
            }
        }

        /// Whether the kind reads a value field (`condition.field`): value_count, value_sum,
        /// value_avg and value_percentile.
        public var readsValueField: Bool {
            switch self {
            case .valueCount, .valueSum, .valueAverage, .valuePercentile: true
            default: false
            }
        }

        /// Whether the kind is temporal or temporal_ordered, whose condition counts distinct rules.
        public var isTemporal: Bool { self == .temporal || self == .temporalOrdered }
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

        /// Whether no bound is given (a condition that always holds).
        public var isEmpty: Bool {
            greaterThan == nil && greaterThanOrEqual == nil && lessThan == nil && lessThanOrEqual == nil
                && equal == nil && notEqual == nil
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
    /// The Sigma `title`.
    public let title: String
    /// The Sigma `description`, if any.
    public var description: String?
    /// The Sigma `status` (`stable`, `test`, `experimental`), if any; `deprecated` and
    /// `unsupported` rules are not loaded.
    public var status: String?
    /// The Sigma `level`; `medium` when the document gives none (it is optional for correlations).
    public let level: Level
    /// The Sigma `tags`.
    public var tags: [String] = []
    /// The Sigma `author`, if any.
    public var author: String?
    /// The Sigma `references`: where to read more.
    public var references: [String] = []
    /// The Sigma `falsepositives`.
    public var falsePositives: [String] = []
    public let kind: Kind
    /// The rules it correlates, as written (`id` or `name` of base or correlation rules).
    public let ruleReferences: [String]
    /// `ruleReferences` resolved to rule ids (of base rules in `RuleLoadResult.rules` or of
    /// correlation rules in `RuleLoadResult.correlations`), in the same order. The loader fills it;
    /// empty on a rule built in code until `resolvedReferences` is set.
    public var resolvedReferences: [String] = []
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
    /// `aliases` with each rule reference resolved to its rule id: alias name → (rule id → field
    /// name). The loader fills it.
    public var resolvedAliases: [String: [String: String]] = [:]
    /// `generate`: whether the referenced base rules also alert on their own.
    public var generate = false
    /// Detector settings (`learning`, `factor`, `floor`, `window` …) by name, as numbers in their
    /// unit (durations in µs); empty for Sigma correlation rules.
    public var settings: [String: Double] = [:]
    /// Detector settings that are lists of names (an anomaly detector's `sources`,
    /// `network_units`) or one name (`user`, `address`), by setting name.
    public var names: [String: [String]] = [:]
    /// Where the rule's document starts.
    public let location: SourceLocation

    /// Makes a rule from parts already checked (the loader, tests, rules built in code). The
    /// attributes without a parameter here are set as properties.
    /// - Parameters:
    ///   - identifier: the `id` (or, for a document without one, its `name`).
    ///   - title: the `title`.
    ///   - level: the `level`.
    ///   - kind: the correlation type or detector type.
    ///   - ruleReferences: the rules it correlates, as written.
    ///   - groupBy: the `group-by` fields or alias names.
    ///   - timespan: the window, learning period or silence threshold, in µs.
    ///   - condition: the numeric condition (empty for detectors).
    ///   - fields: `condition.field`, or a first_seen detector's `fields`.
    ///   - location: where the rule's document starts.
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

    /// The field to read for `groupName` (a `group-by` entry) in events of the rule with id
    /// `ruleIdentifier`: the aliased field when `resolvedAliases` maps the alias for that rule,
    /// else `groupName` itself.
    /// - Parameters:
    ///   - groupName: a `group-by` entry: a field name or an alias name.
    ///   - ruleIdentifier: the id of a referenced rule (an entry of `resolvedReferences`).
    public func fieldName(for groupName: String, inRule ruleIdentifier: String) -> String {
        resolvedAliases[groupName]?[ruleIdentifier] ?? groupName
    }
}
