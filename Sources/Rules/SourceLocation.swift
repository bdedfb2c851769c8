/// A place in a rule file: the file's path as it was given, a line and, when known, a column
/// (both starting at 1).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path, as given to the loader (or the name passed to `RuleLoader.load(yaml:file:)`).
    public var file: String
    /// The line, starting at 1.
    public var line: Int
    /// The column, starting at 1, when known.
    public var column: Int?

    /// Makes a location.
    /// - Parameters:
    ///   - file: the file's path.
    ///   - line: the line, starting at 1.
    ///   - column: the column, starting at 1, if known.
    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column` (or `file:line`), the form editors and compilers use.
    public var description: String {
        column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
    }
}
