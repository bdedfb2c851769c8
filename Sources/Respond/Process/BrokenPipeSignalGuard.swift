import Glibc

/// Keeps `SIGPIPE` from killing the daemon when a hook stops reading its standard input, without
/// touching the process-wide disposition (which belongs to the daemon, and which Swift on Linux
/// leaves at `SIG_DFL`: a write to a closed pipe would end the whole process).
///
/// `SIGPIPE` from `write` is directed at the writing thread; blocked there, it stays pending and
/// `write` fails with `EPIPE`. Before the thread's mask is restored, a `SIGPIPE` that became
/// pending meanwhile is consumed with `sigtimedwait`, so it is not delivered afterwards (also when
/// the caller had blocked it already: a pending `SIGPIPE` would otherwise wait for the thread to
/// unblock it). One pending before the run is someone else's and is left alone.
enum BrokenPipeSignalGuard {
    /// Runs `body` with `SIGPIPE` blocked in the calling thread. The corresponding C functions are
    /// `pthread_sigmask`, `sigpending` and `sigtimedwait`.
    static func withSIGPIPEBlocked<Result>(_ body: () -> Result) -> Result {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
        var pending = sigset_t()
        sigpending(&pending)
        let pendingBefore = sigismember(&pending, SIGPIPE) == 1
        defer {
            if !pendingBefore {
                sigpending(&pending)
                if sigismember(&pending, SIGPIPE) == 1 {
                    var noWait = timespec(tv_sec: 0, tv_nsec: 0)
                    while sigtimedwait(&pipeSignal, nil, &noWait) < 0 && errno == EINTR {}
                }
            }
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        return body()
    }
}
