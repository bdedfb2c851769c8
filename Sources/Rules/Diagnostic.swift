/// A problem found while loading rules, for people:
/// `file:line:column: error: what is wrong — what to do`.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is; the command line maps it to an exit code.
    public enum Kind: Sendable, Hashable {
        /// A path does not exist (exit code 66, `EX_NOINPUT`).
        case noInput
        /// A path cannot be read (exit code 77, `EX_NOPERM`).
        case permission
        /// A file's content is wrong (exit code 65, `EX_DATAERR`).
        case data
    }

    /// How bad it is.
    public enum Severity: String, Sendable, Hashable {
        /// The rule (or file) is left out.
        case error
        /// The rule loads, but something about it deserves attention (e.g. it is never evaluated).
        case warning
    }

    /// What kind of problem it is.
    public let kind: Kind
    /// Whether the rule is left out (`error`) or loads anyway (`warning`).
    public let severity: Severity
    /// The file's path as given.
    public let file: String
    /// The line, starting at 1, when the problem is at one place in the file.
    public let line: Int?
    /// The column, starting at 1, when known.
    public let column: Int?
    /// What is wrong.
    public let message: String
    /// What to do about it.
    public let hint: String?

    /// Makes a diagnostic. Line breaks in `message` and `hint` become spaces, so the
    /// description is always one line.
    /// - Parameters:
    ///   - kind: what kind of problem it is.
    ///   - severity: error (left out) or warning (loads anyway).
    ///   - file: the file's path as given.
    ///   - line: the line, if the problem has one.
    ///   - column: the column, if known.
    ///   - message: what is wrong.
    ///   - hint: what to do about it.
    public init(kind: Kind = .data, severity: Severity = .error, file: String, line: Int?, column: Int? = nil,
                message: String, hint: String?) {
        self.kind = kind
        self.severity = severity
        self.file = file
        self.line = line
        self.column = line == nil ? nil : column
        self.message = Diagnostic.oneLine(message)
        self.hint = hint.map(Diagnostic.oneLine)
    }

    /// Makes a data diagnostic at a location.
    init(at location: SourceLocation, _ message: String, hint: String?, severity: Severity = .error) {
        self.init(kind: .data, severity: severity, file: location.file, line: location.line, column: location.column,
                  message: message, hint: hint)
    }

    /// Whether the problem leaves something out.
    public var isError: Bool { severity == .error }

    /// `file:line:column: error: message — hint`, leaving out the parts there are none of.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let column { text += ":\(column)" }
        text += ": \(severity.rawValue): " + message
        if let hint { text += " — " + hint }
        return text
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
