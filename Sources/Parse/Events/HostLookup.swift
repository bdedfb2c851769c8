/// What assembly may ask of the host it runs on: user names, and, when tailing the live
/// journal only, the processes that are running now.
///
/// Replay never reads `/proc`: a process that was running when an entry was written is long
/// gone or replaced by the time a journal is replayed, and replay must give what live gave.
public protocol HostLookup: Sendable {
    /// The name of the user with this uid, or nil.
    func userName(uid: UInt32) -> [UInt8]?
    /// The executable path and command line (arguments joined by spaces) of the running
    /// process `pid` in the current boot, or nil (always nil outside live tailing).
    func runningProcess(pid: Int32, boot: ID128) -> (image: [UInt8], commandLine: [UInt8])?
}

/// Looks up nothing: numbers stay numbers, parents come only from the process table.
public struct NoHostLookup: HostLookup {
    /// Makes it.
    public init() {}
    public func userName(uid: UInt32) -> [UInt8]? { nil }
    public func runningProcess(pid: Int32, boot: ID128) -> (image: [UInt8], commandLine: [UInt8])? { nil }
}

import Journal
