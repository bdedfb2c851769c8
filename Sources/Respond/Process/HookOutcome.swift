import Glibc

/// How a hook run ended and what it wrote.
public struct HookOutcome: Sendable {
    /// How the hook's process ended.
    public enum Termination: Sendable, Equatable {
        /// It exited with this status (0–255). `-1` when the status was lost because something
        /// else reaped the process (a `waitpid(-1)` elsewhere, or `SIGCHLD` set to `SIG_IGN`).
        case exited(Int32)
        /// A signal it did not handle ended it (not one sent because of the timeout).
        case signalled(Int32)
        /// The timeout passed and it was sent `SIGTERM` (and maybe `SIGKILL`), however it then ended.
        case timedOut
        /// No process ran; the value is the `errno`: `EINVAL` for an invocation that cannot be
        /// passed to `execve` (see `HookInvocation`), `ENOENT`, `EACCES`, `ENOEXEC` … from
        /// `posix_spawn`, or the error of the pipe set-up.
        case failedToStart(Int32)
    }

    /// How the hook's process ended.
    public var termination: Termination
    /// The first `outputLimit` bytes the hook wrote to standard output.
    public var standardOutput: [UInt8]
    /// The first `outputLimit` bytes the hook wrote to standard error.
    public var standardError: [UInt8]
    /// Whether standard output or standard error had more bytes than were kept.
    public var outputTruncated: Bool
    /// The hook's process identifier (also its process group and session); nil when it failed to start.
    public var processIdentifier: pid_t?
    /// Seconds from just before the spawn to the reap, on the monotonic clock.
    public var duration: Double

    /// Whether the hook exited with status 0.
    public var succeeded: Bool { termination == .exited(0) }

    /// Creates an outcome; `HookProcess.run` makes them, fakes of it may too.
    ///
    /// - Parameters:
    ///   - termination: How the process ended.
    ///   - standardOutput: Kept standard output.
    ///   - standardError: Kept standard error.
    ///   - outputTruncated: Whether bytes were discarded.
    ///   - processIdentifier: The process identifier, nil when nothing started.
    ///   - duration: Seconds the run took.
    public init(
        termination: Termination,
        standardOutput: [UInt8] = [],
        standardError: [UInt8] = [],
        outputTruncated: Bool = false,
        processIdentifier: pid_t? = nil,
        duration: Double = 0
    ) {
        self.termination = termination
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.outputTruncated = outputTruncated
        self.processIdentifier = processIdentifier
        self.duration = duration
    }
}
