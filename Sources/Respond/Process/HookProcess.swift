import Glibc

/// Runs hooks as child processes with `posix_spawn`: no shell, no `PATH` search, nothing inherited.
public enum HookProcess {
    /// Runs to completion (blocking the calling thread). Never throws, never traps on hook behaviour.
    ///
    /// Spawns `invocation.executable` in a new session with pipes on its standard streams and no
    /// other descriptor, an empty signal mask and default dispositions for `SIGPIPE`, `SIGTERM`,
    /// `SIGINT`, `SIGHUP` and `SIGCHLD`; writes `standardInput` and closes it; reads standard
    /// output and error up to `outputLimit` each; enforces `timeout` on the whole process group;
    /// reaps the child with `waitpid(pid)` (only that pid). While it runs, `SIGPIPE` is blocked in
    /// the calling thread (and a `SIGPIPE` it caused is consumed), so a hook that stops reading
    /// cannot kill the daemon. The corresponding C functions are `posix_spawn`, `poll` and `waitpid`.
    ///
    /// Callers must not ignore `SIGCHLD` or reap with `waitpid(-1)`: either takes the exit status
    /// away (the outcome then says `.exited(-1)`).
    ///
    /// - Parameter invocation: What to run.
    /// - Returns: How it ended and what it wrote; `.failedToStart(errno)` when no process ran
    ///   (`EINVAL` for an invalid invocation, before anything is spawned).
    public static func run(_ invocation: HookInvocation) -> HookOutcome {
        let start = MonotonicClock.now()
        if let failure = invocation.invalidityErrno {
            return HookOutcome(termination: .failedToStart(failure), duration: MonotonicClock.now() - start)
        }
        return BrokenPipeSignalGuard.withSIGPIPEBlocked {
            let spawn: HookSpawn
            do throws(CallFailure) {
                spawn = try HookSpawn.start(invocation)
            } catch {
                return HookOutcome(termination: .failedToStart(error.errno), duration: MonotonicClock.now() - start)
            }
            var supervision = HookSupervision(spawn: spawn, invocation: invocation)
            supervision.supervise(deadline: start + invocation.timeout, killGrace: invocation.killGrace)
            let status = ChildWait.reap(spawn.processIdentifier)
            return HookOutcome(
                termination: supervision.timedOut ? .timedOut : ChildWait.termination(of: status),
                standardOutput: supervision.output.bytes,
                standardError: supervision.error.bytes,
                outputTruncated: supervision.output.truncated || supervision.error.truncated,
                processIdentifier: spawn.processIdentifier,
                duration: MonotonicClock.now() - start
            )
        }
    }
}
