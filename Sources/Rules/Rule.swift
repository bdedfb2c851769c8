/// One Sigma detection rule, loaded and checked.
///
/// A `Rule` is plain data: it says what to look for, not how. The engine in `Detect`
/// compiles it into its own form. Every attribute of the Sigma rule specification is kept;
/// keys the specification does not define are kept in `customAttributes`.
public struct Rule: Sendable {
    /// The Sigma `id`. Cordon requires it: alerts and duplicate suppression key on it.
    public let identifier: String
    /// The Sigma `title`: a short sentence saying what the rule detects.
    public let title: String
    /// The Sigma `name`: a unique human-readable name correlation and filter rules may use instead of the id.
    public var name: String?
    /// The Sigma `related`: other rules this one derives from, obsoletes, merges, renames or resembles.
    public var related: [RelatedRule] = []
    /// The Sigma `taxonomy` the field names follow (default `sigma`).
    public var taxonomy: String?
    /// The Sigma `description`, if any.
    public let description: String?
    /// The Sigma `status` (`stable`, `test`, `experimental` …), if any.
    public let status: String?
    /// The Sigma `license`, if any.
    public var license: String?
    /// How severe a match is.
    public let level: Level
    /// The Sigma `tags`, e.g. `attack.t1110`.
    public let tags: [String]
    /// The Sigma `author`, if any. Alerts carry it: the Detection Rule License requires it.
    public let author: String?
    /// The Sigma `references`: where to read more.
    public let references: [String]
    /// The Sigma `date` the rule was written, as written (`2026-11-26`).
    public var date: String?
    /// The Sigma `modified` date, as written.
    public var modified: String?
    /// The Sigma `fields`: fields worth showing to the analyst.
    public var fields: [String] = []
    /// The Sigma `falsepositives`: known benign causes of a match.
    public let falsePositives: [String]
    /// The Sigma `scope`: the kinds of hosts the rule is meant for.
    public var scope: [String] = []
    /// The Sigma `logsource`.
    public let logSource: LogSource
    /// What to look for.
    public let detection: Detection
    /// Detections of Sigma filter rules that name this rule: a match of any of them cancels a match.
    public var filters: [RuleFilter] = []
    /// Keys the specification does not define, with their values as YAML text.
    public var customAttributes: [String: String] = [:]
    /// The file and line where the rule's document starts.
    public let location: SourceLocation

    /// Makes a rule from parts already checked (the loader, tests, rules built in code).
    /// The attributes without a parameter here are set as properties.
    /// - Parameters:
    ///   - identifier: the Sigma `id`.
    ///   - title: the Sigma `title`.
    ///   - description: the Sigma `description`.
    ///   - status: the Sigma `status`.
    ///   - level: the Sigma `level`.
    ///   - tags: the Sigma `tags`.
    ///   - author: the Sigma `author`.
    ///   - references: the Sigma `references`.
    ///   - falsePositives: the Sigma `falsepositives`.
    ///   - logSource: the Sigma `logsource`.
    ///   - detection: the Sigma `detection`.
    ///   - location: where the rule's document starts.
    public init(
        identifier: String,
        title: String,
        description: String? = nil,
        status: String? = nil,
        level: Level,
        tags: [String] = [],
        author: String? = nil,
        references: [String] = [],
        falsePositives: [String] = [],
        logSource: LogSource = LogSource(),
        detection: Detection,
        location: SourceLocation
    ) {
        self.identifier = identifier
        self.title = title
        self.description = description
        self.status = status
        self.level = level
        self.tags = tags
        self.author = author
        self.references = references
        self.falsePositives = falsePositives
        self.logSource = logSource
        self.detection = detection
        self.location = location
    }
}

/// One entry of a rule's Sigma `related` list.
public struct RelatedRule: Sendable, Hashable {
    /// The related rule's id.
    public let identifier: String
    /// How it is related: `derived`, `obsolete`, `merged`, `renamed` or `similar`.
    public let type: String

    /// Makes a relation.
    public init(identifier: String, type: String) {
        self.identifier = identifier
        self.type = type
    }
}

/// A Sigma filter (a `filter:` document) as applied to one rule: a match of `detection`
/// cancels the rule's match.
public struct RuleFilter: Sendable {
    /// The filter document's `id`, if any.
    public let identifier: String?
    /// The filter document's `title`.
    public let title: String
    /// The filter's selections and condition.
    public let detection: Detection
    /// Where the filter document starts.
    public let location: SourceLocation

    /// Makes a filter.
    public init(identifier: String?, title: String, detection: Detection, location: SourceLocation) {
        self.identifier = identifier
        self.title = title
        self.detection = detection
        self.location = location
    }
}

extension Rule {
    /// The field names the rule's detection and its filters test (as written, before any
    /// mapping renames them).
    public var fieldNames: Set<String> {
        var names: Set<String> = []
        for detection in [detection] + filters.map(\.detection) {
            for selection in detection.selections.values {
                for alternative in selection.alternatives {
                    for predicate in alternative { names.insert(predicate.field) }
                }
            }
        }
        return names
    }
}
