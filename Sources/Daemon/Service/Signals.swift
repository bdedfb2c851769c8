import CLinux
import Glibc

/// SIGTERM, SIGINT (stop) and SIGHUP (reload) as a readable descriptor (signalfd), so the journal
/// wait wakes up on them.
///
/// The signals are blocked in the calling thread (and threads it starts later) before the
/// descriptor is made; call this first thing in `run`.
final class ControlSignals: LoopControl {
    let descriptor: CInt

    /// - Parameter also: more signals to read this way (the fleet supervisor's SIGUSR1).
    init(also: [Int32] = []) throws(Failure) {
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGTERM)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGHUP)
        for signal in also { sigaddset(&mask, signal) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        descriptor = signalfd(-1, &mask, CInt(SFD_CLOEXEC | SFD_NONBLOCK))
        guard descriptor >= 0 else { throw Failure(.software, "signalfd: \(String(cString: strerror(Glibc.errno)))") }
    }

    /// The signal that arrived, if any (reads it off the descriptor).
    func takeSignal() -> Int32? {
        var info = signalfd_siginfo()
        let count = read(descriptor, &info, MemoryLayout<signalfd_siginfo>.size)
        return count == MemoryLayout<signalfd_siginfo>.size ? Int32(info.ssi_signo) : nil
    }

    /// SIGHUP asks for a reload, SIGTERM and SIGINT for a stop.
    func take() -> LoopRequest? {
        takeSignal().map { $0 == SIGHUP ? .reload : .stop($0) }
    }

    deinit {
        close(descriptor)
    }
}
