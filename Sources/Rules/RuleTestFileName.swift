/// How rule test files are named: a rule `X.yml` has its tests in `X.test.yml` beside it.
///
/// The rule loader skips these files when it walks directories; `cordon test` finds them.
public enum RuleTestFileName {
    /// The endings of test file names, dot included.
    public static let suffixes = [".test.yml", ".test.yaml"]

    /// Whether the file name (or path) `name` is a rule test file's.
    /// - Parameters:
    ///   - name: a file name or a path.
    public static func isTestFile(_ name: String) -> Bool {
        suffixes.contains { name.hasSuffix($0) }
    }

    /// The test file names that belong to the rule file at `path` (`X.yml` → `X.test.yml`,
    /// `X.test.yaml`), whether or not they exist; none when `path` is itself a test file.
    /// - Parameters:
    ///   - path: a rule file's path.
    public static func testFiles(forRule path: String) -> [String] {
        guard !isTestFile(path) else { return [] }
        let stem = ["yml", "yaml"].first { path.hasSuffix("." + $0) }.map { String(path.dropLast($0.count + 1)) } ?? path
        return suffixes.map { stem + $0 }
    }

    /// The rule file names a test file at `path` belongs to (`X.test.yml` → `X.yml`, `X.yaml`),
    /// whether or not they exist; none when `path` is not a test file.
    /// - Parameters:
    ///   - path: a test file's path.
    public static func ruleFiles(forTest path: String) -> [String] {
        guard let suffix = suffixes.first(where: { path.hasSuffix($0) }) else { return [] }
        let stem = String(path.dropLast(suffix.count))
        return [stem + ".yml", stem + ".yaml"]
    }
}
