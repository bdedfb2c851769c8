/// Matching of names against `*` patterns: selection names in `1 of sel*` and `all of sel*`, and
/// the source and unit names of anomaly detectors (`sources`, `network_units`).
public enum NamePattern {
    /// The names among `names` that `pattern` selects, sorted; the pattern `*` (`them`) leaves out
    /// names starting with `_`.
    static func names(in names: some Sequence<String>, matching pattern: String) -> [String] {
        let sorted = names.sorted()
        if pattern == Condition.themPattern {
            return sorted.filter { !$0.hasPrefix("_") }
        }
        return sorted.filter { matches(name: $0, pattern: pattern) }
    }

    /// Whether `name` matches `pattern`, where `*` is any run of characters and every other
    /// character is itself (case-sensitive, as Sigma identifiers are).
    public static func matches(name: String, pattern: String) -> Bool {
        matches(Array(name.utf8), pattern: Array(pattern.utf8))
    }

    /// `matches(name:pattern:)` on bytes.
    public static func matches(_ text: [UInt8], pattern: [UInt8]) -> Bool {
        let star = UInt8(ascii: "*")
        var textIndex = 0
        var patternIndex = 0
        // Greedy two-pointer match: remember the last `*` and where the text stood then.
        var lastStar: Int? = nil
        var textAtLastStar = 0
        while textIndex < text.count {
            if patternIndex < pattern.count, pattern[patternIndex] == star {
                lastStar = patternIndex
                textAtLastStar = textIndex
                patternIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == text[textIndex] {
                patternIndex += 1
                textIndex += 1
            } else if let star = lastStar {
                patternIndex = star + 1
                textAtLastStar += 1
                textIndex = textAtLastStar
            } else {
                return false
            }
        }
        while patternIndex < pattern.count, pattern[patternIndex] == star {
            patternIndex += 1
        }
        return patternIndex == pattern.count
    }
}
