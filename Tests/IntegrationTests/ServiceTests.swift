import Foundation
import Glibc
import Journal
import Parse
import Testing

/// The datagram socket systemd would own: `NOTIFY_SOCKET` for a daemon under test.
final class NotifySocket {
    let path: String
    private let descriptor: CInt

    init(directory: String) throws {
        path = directory + "/notify.sock"
        descriptor = socket(AF_UNIX, CInt(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    deinit { close(descriptor) }

    /// The next message, or nil after `timeout` seconds.
    func receive(timeout: Double) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, CInt(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    /// Every message until one has a line `line`; nil if none came within `timeout` seconds.
    func waitFor(_ line: String, timeout: Double) -> [String]? {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [String] = []
        while Date() < deadline {
            guard let message = receive(timeout: deadline.timeIntervalSinceNow) else { break }
            seen.append(message)
            if message.split(separator: "\n").contains(Substring(line)) { return seen }
        }
        return nil
    }

    /// Every message that arrives within `seconds`.
    func collect(for seconds: Double) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var seen: [String] = []
        while Date() < deadline {
            if let message = receive(timeout: max(0.001, deadline.timeIntervalSinceNow)) { seen.append(message) }
        }
        return seen
    }
}

/// `cordon run` as a systemd service: the notify protocol, the watchdog and reloads (SIGHUP).
/// In `JournaldTests`, whose rotation test vacuums the journal these tests read back.
extension JournaldTests {
    /// One marker rule per name, in `rules/<name>.yml`, matching entries with `CORDONTEST_SERVICE=<value>`.
    func writeServiceRule(_ directory: TemporaryDirectory, name: String, value: String) throws {
        _ = try directory.write("rules/\(name).yml", markerRule(identifier: "service-\(value)", field: "CORDONTEST_SERVICE", value: value))
    }

    func sendServiceEntry(_ value: String, _ sequence: Int, message: String = "service test entry") throws {
        try JournalWriter().send([JournalField("MESSAGE", message), JournalField("CORDONTEST_SERVICE", value),
                                  JournalField("CORDONTEST_SERVICE_SEQ", "n\(sequence)")])
    }

    func startServiceDaemon(_ directory: TemporaryDirectory, environment: [String: String]) throws -> DaemonProcess {
        let configuration = try directory.write("cordon.yaml", """
            rules: [\(directory.path)/rules, \(Paths.logSources)]
            """)
        return try DaemonProcess(arguments: ["--config", configuration, "--state-dir", directory.path + "/state"],
                                 logPath: directory.path + "/daemon.log", environment: environment)
    }

    @Test("READY once rules are loaded and the journal is open, WATCHDOG pings from the loop, RELOADING/READY on SIGHUP, STOPPING on SIGTERM")
    func notifyProtocol() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        try writeServiceRule(directory, name: "a", value: token)
        let notify = try NotifySocket(directory: directory.path)
        let daemon = try startServiceDaemon(directory, environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])
        defer { daemon.kill(SIGKILL); daemon.wait() }

        let untilReady = try #require(notify.waitFor("READY=1", timeout: 30), "no READY=1; daemon log: \(daemon.log)")
        // READY comes after the rules were loaded and the journal positioned (logged just before).
        #expect(daemon.log.contains("Cordon started"), "\(daemon.log)")
        let ready = try #require(untilReady.last)
        #expect(ready.contains("STATUS=1 rules;") || ready.contains("STATUS=2 rules;"), "\(ready)")
        // An entry written right after READY is read: the journal was open and positioned.
        try sendServiceEntry(token, 1)
        #expect(try waitForAlerts(field: "CORDON_RULE_ID", value: "service-\(token)", count: 1, pid: daemon.process.processIdentifier)
            .count == 1)

        // WATCHDOG_USEC=1 s: the loop pings at least every half second, also when idle.
        let idle = notify.collect(for: 3)
        let pings = idle.filter { $0.split(separator: "\n").contains("WATCHDOG=1") }.count
        #expect(pings >= 5, "\(pings) pings in 3 s: \(idle)")

        daemon.kill(SIGHUP)
        let reload = try #require(notify.waitFor("READY=1", timeout: 30), "no READY=1 after SIGHUP; daemon log: \(daemon.log)")
        let reloadingIndex = try #require(reload.firstIndex { $0.split(separator: "\n").contains("RELOADING=1") }, "\(reload)")
        #expect(reloadingIndex < reload.count - 1)
        #expect(reload[reloadingIndex].contains("MONOTONIC_USEC="))

        daemon.kill(SIGTERM)
        #expect(notify.waitFor("STOPPING=1", timeout: 20) != nil, "no STOPPING=1; daemon log: \(daemon.log)")
        #expect(daemon.wait() == 0)
        #expect(try cordonEntries(CordonMessageID.stopped, [("_PID", String(daemon.process.processIdentifier))]).count == 1)
    }

    @Test("A detection loop that is stuck stops the watchdog pings, though the process lives on")
    func stalledLoopStopsPinging() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        try writeServiceRule(directory, name: "a", value: token)
        let notify = try NotifySocket(directory: directory.path)
        let stall = "cordon-stall-\(token)"
        let daemon = try startServiceDaemon(directory, environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000",
                                                              "CORDON_FAULT_STALL": stall])
        defer { daemon.kill(SIGKILL); daemon.wait() }
        _ = try #require(notify.waitFor("READY=1", timeout: 30), "no READY=1; daemon log: \(daemon.log)")
        let before = notify.collect(for: 2).filter { $0.contains("WATCHDOG=1") }.count
        #expect(before >= 3, "\(before) pings in 2 s before the stall")

        try sendServiceEntry(token, 1, message: "an entry carrying \(stall) in its message")
        let deadline = Date().addingTimeInterval(20)
        while !daemon.log.contains("stalls now"), Date() < deadline { usleep(50_000) }
        #expect(daemon.log.contains("stalls now"), "\(daemon.log)")
        _ = notify.collect(for: 0.6)  // a ping sent just before the stall
        let during = notify.collect(for: 3).filter { $0.contains("WATCHDOG=1") }.count
        #expect(during == 0, "\(during) pings while the loop was stuck")
        #expect(daemon.process.isRunning)
    }

    @Test("SIGHUP puts a new rule into effect without a restart and without losing or repeating an entry's alert")
    func reloadAddsRule() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = uniqueToken(), second = uniqueToken()
        try writeServiceRule(directory, name: "a", value: first)
        let daemon = try startServiceDaemon(directory, environment: [:])
        defer { daemon.kill(SIGKILL); daemon.wait() }
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        let pid = daemon.process.processIdentifier
        try sendServiceEntry(second, 0)  // no rule for it yet
        // Rules apply to entries read after the reload, not to those written before it: the
        // daemon has read this entry once the alert of the next one (rule a) is there.
        try sendServiceEntry(first, 0)
        #expect(try waitForAlerts(field: "CORDON_RULE_ID", value: "service-\(first)", count: 1, timeout: 20, pid: pid).count == 1)
        try writeServiceRule(directory, name: "b", value: second)
        // Entries flow while the daemon reloads: each must give its alert exactly once.
        for sequence in 1...40 {
            try sendServiceEntry(first, sequence)
            if sequence == 10 { daemon.kill(SIGHUP) }
            usleep(20_000)
        }
        let reloaded = try waitForEntries(CordonMessageID.reloaded, "_PID", String(pid), count: 1, timeout: 30)
        #expect(reloaded.count == 1, "\(daemon.log)")
        #expect(reloaded.first?.string("CORDON_RULES") == "2")
        try sendServiceEntry(second, 41)
        let alerts = try waitForAlerts(field: "CORDON_RULE_ID", value: "service-\(second)", count: 1, timeout: 20, pid: pid)
        #expect(alerts.map { $0.string("CORDON_FIELD_CORDONTEST_SERVICE_SEQ") } == ["n41"],
                "the entry read before the reload is not matched by the new rule; the one after is")
        let firstAlerts = try waitForAlerts(field: "CORDON_RULE_ID", value: "service-\(first)", count: 41, timeout: 30, pid: pid)
        let sequences = firstAlerts.compactMap { $0.string("CORDON_FIELD_CORDONTEST_SERVICE_SEQ") }
        #expect(sequences.count == 41 && Set(sequences) == Set((0...40).map { "n\($0)" }), "\(sequences)")
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
    }

    @Test("A reload with a broken rule keeps the rules in effect and writes the error, with file and line, to the journal")
    func reloadWithBrokenRuleKeepsOldRules() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        try writeServiceRule(directory, name: "a", value: token)
        let daemon = try startServiceDaemon(directory, environment: [:])
        defer { daemon.kill(SIGKILL); daemon.wait() }
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        let pid = daemon.process.processIdentifier
        _ = try directory.write("rules/broken.yml", """
            title: Broken
            id: broken-\(token)
            logsource:
                product: linux
            detection:
                selection:
                    MESSAGE|nosuchmodifier: x
                condition: selection
            """)
        daemon.kill(SIGHUP)
        let failed = try waitForEntries(CordonMessageID.loadFailed, "_PID", String(pid), count: 1, timeout: 30)
        let error = try #require(failed.first?.string("CORDON_ERROR"), "\(daemon.log)")
        #expect(error.contains("broken.yml:7"), "\(error)")
        #expect(failed.first?.string("PRIORITY") == "3")
        try sendServiceEntry(token, 1)
        let alerts = try waitForAlerts(field: "CORDON_RULE_ID", value: "service-\(token)", count: 1, timeout: 20, pid: pid)
        #expect(alerts.count == 1, "the old rule still matches after the failed reload")
        // Fixed: the next reload succeeds.
        try FileManager.default.removeItem(atPath: directory.path + "/rules/broken.yml")
        daemon.kill(SIGHUP)
        #expect(try waitForEntries(CordonMessageID.reloaded, "_PID", String(pid), count: 1, timeout: 30).count == 1)
        #expect(daemon.stop() == 0)
    }
}
