import SystemPackage

/// A libsystemd call that failed, with the errno it returned.
public struct JournalError: Error, CustomStringConvertible, Sendable {
    /// The C function that failed, e.g. `sd_journal_open_files`.
    public let call: String
    /// The error it returned (sd-journal returns `-errno`).
    public let errno: Errno

    public init(call: String, errno: Errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(errno)" }
}

/// Turns sd-journal's negative-errno convention into a thrown `JournalError`.
@discardableResult
func check(_ call: String, _ result: CInt) throws(JournalError) -> CInt {
    guard result >= 0 else { throw JournalError(call: call, errno: Errno(rawValue: -result)) }
    return result
}
