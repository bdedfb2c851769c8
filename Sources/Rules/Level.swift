/// How severe a rule's alert is: Sigma's `level`, from least to most severe.
///
/// Levels compare by severity, so `Level.high > Level.medium`.
public enum Level: String, Sendable, CaseIterable, Comparable {
    /// Enrichment only; expected to match often and never to alert on its own.
    case informational
    /// Notable but rarely an incident.
    case low
    /// Worth a manual review.
    case medium
    /// Should trigger an alert and a prompt review.
    case high
    /// Almost certainly an incident; review immediately.
    case critical

    /// The level's position in `allCases`, from 0 (`informational`) to 4 (`critical`).
    private var severity: Int {
        switch self {
        case .informational: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }

    /// Whether `left` is less severe than `right`.
    public static func < (left: Level, right: Level) -> Bool {
        left.severity < right.severity
    }
}
