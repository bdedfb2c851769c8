import CSystemd
import Glibc

/// Tells systemd how the service is doing (`sd_notify`, the notify protocol of `Type=notify`).
///
/// Every message goes to the datagram socket in `NOTIFY_SOCKET`; without one (not started by
/// systemd) they are dropped, so the daemon behaves the same in a terminal. The watchdog interval
/// comes from `WATCHDOG_USEC` (`sd_watchdog_enabled`), set by systemd from `WatchdogSec=`.
final class ServiceNotifier: Heartbeat {
    /// How often systemd expects `WATCHDOG=1`, in ms; nil: no watchdog.
    let watchdogMilliseconds: Int?
    /// When the last `WATCHDOG=1` went out (monotonic ms).
    private var lastPing = 0

    init() {
        var microseconds: UInt64 = 0
        // `sd_watchdog_enabled` checks WATCHDOG_PID against this process, so a child never pings.
        if sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 {
            watchdogMilliseconds = max(1, Int(microseconds / 1000))
        } else {
            watchdogMilliseconds = nil
        }
    }

    /// The longest the detection loop may go without calling `alive()`: half the watchdog
    /// interval, as sd_watchdog_enabled(3) advises; nil without a watchdog.
    var pingInterval: Int? { watchdogMilliseconds.map { max(1, $0 / 2) } }

    /// Rules are loaded and the journal is open.
    func ready(status: String) {
        send("READY=1\nSTATUS=\(oneLine(status))")
    }

    /// A reload (SIGHUP) begins; `ready(status:)` ends it.
    func reloading() {
        // MONOTONIC_USEC lets systemd ≥ 253 tell this reload from an earlier one.
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        send("RELOADING=1\nMONOTONIC_USEC=\(UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000)\nSTATUS=Reloading rules and configuration")
    }

    func stopping() {
        send("STOPPING=1\nSTATUS=Stopping: saving the checkpoint")
    }

    func report(_ status: LoopStatus, line: String) {
        self.status(line)
    }

    func status(_ text: String) {
        send("STATUS=\(oneLine(text))")
    }

    /// Called by the detection loop whenever it makes progress or wakes: pings the watchdog when
    /// a ping is due. Only this loop pings, so a loop that is stuck (not just a live process) lets
    /// the watchdog fire and systemd restarts the service.
    func alive() {
        guard let interval = pingInterval else { return }
        let now = monotonicMilliseconds()
        guard now - lastPing >= interval / 2 else { return }
        lastPing = now
        send("WATCHDOG=1")
    }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }

    /// A status is one line: a newline in it would start another assignment.
    private func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
