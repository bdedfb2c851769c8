import CLinux
import Glibc

/// Signals as a readable descriptor (signalfd), so a journal wait wakes up on them: for the
/// daemon SIGTERM, SIGINT (stop) and SIGHUP (reload).
///
/// The signals are blocked in the calling thread (and threads it starts later) before the
/// descriptor is made; make this first thing.
final class ControlSignals: LoopControl {
    let descriptor: CInt

    /// - Parameter signals: the signals read this way (the fleet supervisor adds SIGUSR1;
    ///   `cordon alerts --follow` takes SIGTERM and SIGINT only).
    init(_ signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]) throws(Failure) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in signals { sigaddset(&mask, signal) }
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
