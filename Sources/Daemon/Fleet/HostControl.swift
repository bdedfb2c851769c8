import CLinux
import Glibc
import Synchronization

/// Requests for one host loop from the supervisor, behind an eventfd the loop's journal wait polls.
final class HostControl: LoopControl, @unchecked Sendable {
    let descriptor: CInt
    private let requests = Mutex<[LoopRequest]>([])

    init() throws(Failure) {
        descriptor = eventfd(0, CInt(EFD_CLOEXEC | EFD_NONBLOCK))
        guard descriptor >= 0 else { throw Failure(.software, "eventfd: \(String(cString: strerror(Glibc.errno)))") }
    }

    deinit { close(descriptor) }

    func send(_ request: LoopRequest) {
        requests.withLock { $0.append(request) }
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    func take() -> LoopRequest? {
        requests.withLock { queue in
            if queue.isEmpty {
                // Cleared under the lock: a request sent after this read wakes the loop again.
                var count: UInt64 = 0
                _ = read(descriptor, &count, 8)
                return nil
            }
            return queue.removeFirst()
        }
    }
}

/// What the supervisor knows of a host loop: when it last made progress and its figures.
final class HostHeartbeat: Heartbeat, @unchecked Sendable {
    let pingInterval: Int?
    private let last = Atomic<Int>(monotonicMilliseconds())
    private let figures = Mutex(LoopStatus())

    init(pingInterval: Int?) {
        self.pingInterval = pingInterval
    }

    func alive() {
        last.store(monotonicMilliseconds(), ordering: .relaxed)
    }

    func report(_ status: LoopStatus, line: String) {
        figures.withLock { $0 = status }
    }

    /// When the loop last said it was alive (monotonic ms).
    var lastAlive: Int { last.load(ordering: .relaxed) }
    var status: LoopStatus { figures.withLock { $0 } }
}
