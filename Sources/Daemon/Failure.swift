/// An error for people: one line naming the file (and line), what is wrong and what to do,
/// and the sysexits code the command exits with.
public struct Failure: Error, Sendable, CustomStringConvertible {
    /// The exit status (sysexits.h).
    public struct ExitStatus: Hashable, Sendable {
        public let code: Int32
        /// Wrong usage of a command (`EX_USAGE`).
        public static let usage = ExitStatus(code: 64)
        /// Bad input data: a malformed rule, configuration or cursor file (`EX_DATAERR`).
        public static let data = ExitStatus(code: 65)
        /// An input file is missing or unreadable (`EX_NOINPUT`).
        public static let noInput = ExitStatus(code: 66)
        /// An internal or system error, e.g. journald unreachable (`EX_SOFTWARE`/`EX_OSERR`).
        public static let software = ExitStatus(code: 70)
        /// A file could not be written (`EX_CANTCREAT`).
        public static let cannotCreate = ExitStatus(code: 73)
        /// No permission (`EX_NOPERM`).
        public static let permission = ExitStatus(code: 77)
    }

    public let status: ExitStatus
    /// The one-line message, `file:line: what is wrong; what to do`.
    public let message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
