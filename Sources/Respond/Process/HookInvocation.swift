import Glibc

/// What to run: no shell, no PATH search, nothing inherited.
///
/// The executable is run as is with exactly these arguments and this environment; the child's
/// standard input is `standardInput`, then end of file. Nothing of the daemon's environment,
/// signal mask or open descriptors reaches the hook (its working directory and umask are the
/// daemon's).
public struct HookInvocation: Sendable {
    /// The absolute path of the executable, run as is (no `PATH` search, no shell, no interpreter
    /// fallback for files without a `#!` line). A relative path is refused with `EINVAL`.
    public var executable: String

    /// `argv[1...]`, delivered verbatim; `argv[0]` is `executable`. An argument containing NUL is
    /// refused with `EINVAL`.
    public var arguments: [String]

    /// The complete environment of the hook, in this order. Names must match
    /// `[A-Za-z_][A-Za-z0-9_]*` and appear once; values must not contain NUL. Anything else is
    /// refused with `EINVAL` before a process is started (never truncated).
    public var environment: [(String, String)]

    /// Bytes written to the hook's standard input, which is then closed. A hook that does not read
    /// them (or closes its input early) does not block the run.
    public var standardInput: [UInt8]

    /// Seconds the hook may run. When they pass, the hook's process group gets `SIGTERM` (and
    /// `SIGCONT`, so a stopped hook sees it), then `SIGKILL` after `killGrace`.
    /// `Double.infinity` means no limit; negative or NaN is refused with `EINVAL`.
    public var timeout: Double

    /// Seconds between `SIGTERM` and `SIGKILL` after a timeout; negative or NaN is refused with `EINVAL`.
    public var killGrace: Double

    /// Bytes kept of standard output and of standard error, each; the rest is read and discarded
    /// (and `HookOutcome.outputTruncated` set). Negative is refused with `EINVAL`.
    public var outputLimit: Int

    /// Describes one run of a hook.
    ///
    /// - Parameters:
    ///   - executable: Absolute path of the executable.
    ///   - arguments: `argv[1...]`.
    ///   - environment: The complete environment, as (name, value) pairs.
    ///   - standardInput: Bytes for the hook's standard input.
    ///   - timeout: Seconds before the hook's process group gets `SIGTERM`.
    ///   - killGrace: Seconds between `SIGTERM` and `SIGKILL`; 2 by default.
    ///   - outputLimit: Bytes kept of standard output and of standard error each; 64 KiB by default.
    public init(
        executable: String,
        arguments: [String] = [],
        environment: [(String, String)] = [],
        standardInput: [UInt8] = [],
        timeout: Double,
        killGrace: Double = 2,
        outputLimit: Int = 65536
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.timeout = timeout
        self.killGrace = killGrace
        self.outputLimit = outputLimit
    }
}
