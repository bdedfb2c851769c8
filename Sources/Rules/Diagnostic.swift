/// A problem found while loading rules, for people: `file:line: what is wrong; what to do`.
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

    /// What kind of problem it is.
    public let kind: Kind
    /// The file's path as given.
    public let file: String
    /// The line, starting at 1, when the problem is at one place in the file.
    public let line: Int?
    /// What is wrong.
    public let message: String
    /// What to do about it.
    public let hint: String?

    /// Makes a diagnostic. Line breaks in `message` and `hint` become spaces, so the
    /// description is always one line.
    /// - Parameters:
    ///   - kind: what kind of problem it is.
    ///   - file: the file's path as given.
    ///   - line: the line, if the problem has one.
    ///   - message: what is wrong.
    ///   - hint: what to do about it.
    public init(kind: Kind = .data, file: String, line: Int?, message: String, hint: String?) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = Diagnostic.oneLine(message)
        self.hint = hint.map(Diagnostic.oneLine)
    }

    /// Makes a data diagnostic at a location.
    init(at location: SourceLocation, _ message: String, hint: String?) {
        self.init(kind: .data, file: location.file, line: location.line, message: message, hint: hint)
    }

    /// `file:line: message; hint`, leaving out `:line` and `; hint` when there are none.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": " + message
        if let hint { text += "; " + hint }
        return text
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
