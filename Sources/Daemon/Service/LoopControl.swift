import Glibc
import Alert
import Respond
import Synchronization

/// What a read loop is asked to do when its control descriptor becomes readable.
enum LoopRequest {
    /// Save the checkpoint and return (the signal that asked for it).
    case stop(Int32)
    /// Read the configuration and rules again and put them into effect (SIGHUP).
    case reload
    /// Put rules another thread has loaded into effect (a host loop in fleet mode).
    case apply(PreparedReload)
}

/// Where a read loop's requests come from: a descriptor that its journal wait also polls.
protocol LoopControl: AnyObject {
    var descriptor: CInt { get }
    /// The next request, if one is waiting (and clears the descriptor once none is).
    func take() -> LoopRequest?
}

/// Hears from a read loop: that it is alive (the watchdog) and how it is doing (the status).
protocol Heartbeat: AnyObject {
    /// The longest a loop may go without calling `alive()`, in ms; nil: no limit.
    var pingInterval: Int? { get }
    func alive()
    func report(_ status: LoopStatus, line: String)
}

/// A loop's figures for the status line.
struct LoopStatus: Sendable {
    var rules = 0
    var entryRate = 0
    var entries = 0
    var alerts = 0
}

/// Rules loaded once for every host loop: each builds its own generation from them (its own
/// correlation state) and says how that went.
final class PreparedReload: @unchecked Sendable {
    let configuration: Configuration
    let build: (_ snapshot: [UInt8]?, _ alreadyWritten: Set<AlertKey>, _ responder: Responder?) throws(Failure) -> Generation
    private let outcome = Mutex<(done: Bool, failure: Failure?)>((false, nil))

    init(configuration: Configuration,
         build: @escaping (_ snapshot: [UInt8]?, _ alreadyWritten: Set<AlertKey>, _ responder: Responder?) throws(Failure) -> Generation) {
        self.configuration = configuration
        self.build = build
    }

    func finished(_ failure: Failure?) {
        outcome.withLock { $0 = (true, failure) }
    }

    /// Waits until the loop has applied it, or `milliseconds` pass (nil: it has not finished).
    func wait(milliseconds: Int) -> (done: Bool, failure: Failure?) {
        let deadline = monotonicMilliseconds() + milliseconds
        while true {
            let current = outcome.withLock { $0 }
            if current.done { return current }
            let remaining = deadline - monotonicMilliseconds()
            if remaining <= 0 { return current }
            usleep(UInt32(min(remaining, 10)) * 1000)  // a reload is rare: polling is enough
        }
    }
}
