/// A place in a rule file: the file's path as it was given, and a line number starting at 1.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path, as given to the loader (or the name passed to `RuleLoader.load(yaml:file:)`).
    public var file: String
    /// The line, starting at 1.
    public var line: Int

    /// Makes a location.
    /// - Parameters:
    ///   - file: the file's path.
    ///   - line: the line, starting at 1.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, the form editors and compilers use.
    public var description: String { "\(file):\(line)" }
}
