/// One Sigma detection rule, loaded and checked.
///
/// A `Rule` is plain data: it says what to look for, not how. The engine in `Detect`
/// compiles it into its own form.
public struct Rule: Sendable {
    /// The Sigma `id`. Cordon requires it: alerts and duplicate suppression key on it.
    public let identifier: String
    /// The Sigma `title`: a short sentence saying what the rule detects.
    public let title: String
    /// The Sigma `description`, if any.
    public let description: String?
    /// The Sigma `status` (`stable`, `test`, `experimental` …), if any.
    public let status: String?
    /// How severe a match is.
    public let level: Level
    /// The Sigma `tags`, e.g. `attack.t1110`.
    public let tags: [String]
    /// The Sigma `author`, if any.
    public let author: String?
    /// The Sigma `references`: where to read more.
    public let references: [String]
    /// The Sigma `falsepositives`: known benign causes of a match.
    public let falsePositives: [String]
    /// The Sigma `logsource`.
    public let logSource: LogSource
    /// What to look for.
    public let detection: Detection
    /// The file and line where the rule's document starts.
    public let location: SourceLocation

    /// Makes a rule from parts already checked (the loader, tests, rules built in code).
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
