import Glibc

/// Waiting for one child by its pid: never `waitpid(-1)`, since other code owns other children.
enum ChildWait {
    /// Whether `processIdentifier` has terminated, without reaping it: the zombie keeps the pid
    /// (and so the process group id) from being reused until `reap`, which makes a later
    /// `kill(-pgid)` safe. The corresponding C function is `waitid(P_PID, WEXITED|WNOHANG|WNOWAIT)`.
    ///
    /// `ECHILD` (someone else reaped it) counts as terminated.
    static func hasTerminated(_ processIdentifier: pid_t) -> Bool {
        while true {
            var information = siginfo_t()
            let result = waitid(P_PID, id_t(processIdentifier), &information, WEXITED | WNOHANG | WNOWAIT)
            if result == 0 { return information._sifields._sigchld.si_pid == processIdentifier }
            if errno != EINTR { return true }
        }
    }

    /// Reaps `processIdentifier`, blocking until it terminates, and returns its wait status; nil
    /// when it was already reaped elsewhere (`ECHILD`). The corresponding C function is `waitpid(pid)`.
    static func reap(_ processIdentifier: pid_t) -> CInt? {
        while true {
            var status: CInt = 0
            if waitpid(processIdentifier, &status, 0) == processIdentifier { return status }
            if errno != EINTR { return nil }
        }
    }

    /// The termination a wait status describes (`WIFEXITED`/`WEXITSTATUS`, `WIFSIGNALED`/
    /// `WTERMSIG`, which Swift cannot import as they are macros); nil status reads as `.exited(-1)`.
    static func termination(of status: CInt?) -> HookOutcome.Termination {
        guard let status else { return .exited(-1) }
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(signal)
    }
}
