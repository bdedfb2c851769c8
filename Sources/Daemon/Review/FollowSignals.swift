import CLinux
import Glibc

/// SIGTERM and SIGINT as a readable descriptor (signalfd), so `cordon alerts --follow` wakes from
/// its journal wait on them and exits 0.
///
/// The signals are blocked in the calling thread (and threads it starts later) before the
/// descriptor is made; make this first thing.
final class FollowSignals {
    /// The signalfd, readable when a signal is pending.
    let descriptor: CInt

    init() throws(Failure) {
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGTERM)
        sigaddset(&mask, SIGINT)
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        descriptor = signalfd(-1, &mask, CInt(SFD_CLOEXEC | SFD_NONBLOCK))
        guard descriptor >= 0 else { throw Failure(.software, "signalfd: \(String(cString: strerror(Glibc.errno)))") }
    }

    /// The signal that arrived, if any (reads it off the descriptor).
    func take() -> Int32? {
        var info = signalfd_siginfo()
        let count = read(descriptor, &info, MemoryLayout<signalfd_siginfo>.size)
        return count == MemoryLayout<signalfd_siginfo>.size ? Int32(info.ssi_signo) : nil
    }

    deinit {
        close(descriptor)
    }
}
