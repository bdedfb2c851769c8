import Foundation
import Glibc
import Journal
import Testing

/// `cordon run --directory` on a collector's directory (systemd-journal-remote's): one loop,
/// checkpoint and correlation state per host. In `JournaldTests`, whose rotation test vacuums the
/// journal these tests read their alerts back from.
extension JournaldTests {
    static let fleetFailedPassword = Paths.perEntryFailedPassword
    static let fleetBruteForce = "3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14"
    static let fleetStart: UInt64 = 1_764_151_200_000_000

    struct FleetRunHost {
        let name: String
        let machine = uniqueToken()
        let boot = uniqueToken()
    }

    /// Export bytes of failed passwords from a trusted sshd on `host`, at the given offsets (s).
    static func fleetFailures(_ host: FleetRunHost, from address: String, at offsets: [Double]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, offset) in offsets.enumerated() {
            let fields = [
                ("_HOSTNAME", host.name), ("_MACHINE_ID", host.machine), ("_SYSTEMD_UNIT", "ssh.service"),
                ("_EXE", "/usr/sbin/sshd"), ("_COMM", "sshd"), ("_UID", "0"), ("_PID", String(4000 + index)),
                ("_TRANSPORT", "syslog"), ("SYSLOG_IDENTIFIER", "sshd"), ("PRIORITY", "5"),
                ("MESSAGE", "Failed password for root from \(address) port \(50000 + index) ssh2"),
            ]
            ExportFormat.append(exportEntry(realtime: fleetStart + UInt64(offset * 1_000_000), fields: fields.map { ($0.0, Array($0.1.utf8)) },
                                            boot: host.boot), to: &bytes)
        }
        return bytes
    }

    /// The live alerts on `host` of `rule`.
    static func fleetAlerts(_ rule: String, on host: FleetRunHost) throws -> [JournalEntry] {
        try alertEntries([("CORDON_RULE_ID", rule), ("CORDON_HOST", host.name)])
    }

    static func fleetWaitFor(_ rule: String, on host: FleetRunHost, count: Int, timeout: Double = 30) throws -> [JournalEntry] {
        let deadline = Date().addingTimeInterval(timeout)
        var found: [JournalEntry] = []
        repeat {
            found = try fleetAlerts(rule, on: host)
            if found.count >= count { return found }
            usleep(100_000)
        } while Date() < deadline
        return found
    }

    @Test("Alerts name their host; each host's failures are counted apart; a host's late backlog is read; a restart repeats nothing; replay gives the same alerts")
    func collectorDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = String(uniqueToken().prefix(8))
        let a = FleetRunHost(name: "fleet-a-\(token)"), b = FleetRunHost(name: "fleet-b-\(token)"), c = FleetRunHost(name: "fleet-c-\(token)")
        let remote = directory.path + "/remote"
        // a and b: 6 failures each from one address, interleaved within a minute. Counted
        // together they would be a brute force (10 in 5 minutes); per host they are not.
        // c: 10 failures from another address, a brute force on c.
        _ = try makeJournal(export: Self.fleetFailures(a, from: "203.0.113.7", at: (0..<6).map { Double($0) * 10 }), directory: remote, name: "remote-\(a.name)")
        _ = try makeJournal(export: Self.fleetFailures(b, from: "203.0.113.7", at: (0..<6).map { Double($0) * 10 + 5 }), directory: remote, name: "remote-\(b.name)")
        _ = try makeJournal(export: Self.fleetFailures(c, from: "203.0.113.8", at: (0..<10).map { Double($0) * 10 + 2.5 }), directory: remote, name: "remote-\(c.name)")

        let state = directory.path + "/state"
        let arguments = ["--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "--state-dir", state, "--directory", remote, "--from-start"]
        var daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        defer { daemon.kill(SIGKILL); daemon.wait() }
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        #expect(try Self.fleetWaitFor(Self.fleetFailedPassword, on: c, count: 10).count == 10, "\(daemon.log)")
        let bruteForceOnC = try Self.fleetWaitFor(Self.fleetBruteForce, on: c, count: 1)
        #expect(bruteForceOnC.count == 1)
        #expect(bruteForceOnC.first?.string("CORDON_MACHINE_ID") == c.machine)
        #expect(try Self.fleetWaitFor(Self.fleetFailedPassword, on: a, count: 6).count == 6)
        #expect(try Self.fleetWaitFor(Self.fleetFailedPassword, on: b, count: 6).count == 6)
        for alert in try Self.fleetAlerts(Self.fleetFailedPassword, on: a) { #expect(alert.string("CORDON_MACHINE_ID") == a.machine) }
        usleep(1_000_000)
        #expect(try Self.fleetAlerts(Self.fleetBruteForce, on: a).isEmpty, "a's 6 failures were counted with b's")
        #expect(try Self.fleetAlerts(Self.fleetBruteForce, on: b).isEmpty, "b's 6 failures were counted with a's")
        for host in [a, b, c] {
            #expect(FileManager.default.fileExists(atPath: "\(state)/hosts/\(host.machine)/checkpoint"), "\(host.name)")
        }

        // b's backlog arrives late: entries older than those of c the daemon has read already.
        // One reader over all files would have moved past their time and skipped them.
        _ = try makeJournal(export: Self.fleetFailures(b, from: "203.0.113.7", at: [61, 62]), directory: remote, name: "remote-\(b.name)-backlog")
        #expect(try Self.fleetWaitFor(Self.fleetFailedPassword, on: b, count: 8).count == 8, "\(daemon.log)")

        // Stopped, more of b's entries arrive, restarted: only those are new.
        #expect(daemon.stop() == 0)
        _ = try makeJournal(export: Self.fleetFailures(b, from: "203.0.113.7", at: [200]), directory: remote, name: "remote-\(b.name)-later")
        daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        #expect(try Self.fleetWaitFor(Self.fleetFailedPassword, on: b, count: 9).count == 9)
        usleep(1_500_000)
        #expect(try Self.fleetAlerts(Self.fleetFailedPassword, on: b).count == 9)
        #expect(try Self.fleetAlerts(Self.fleetFailedPassword, on: a).count == 6)
        #expect(try Self.fleetAlerts(Self.fleetFailedPassword, on: c).count == 10)
        #expect(try Self.fleetAlerts(Self.fleetBruteForce, on: c).count == 1)
        #expect(daemon.stop() == 0)

        // Replay equals live: the same (rule, source entry) pairs.
        let replay = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "json", remote])
        #expect(replay.status == 0, "\(replay.standardError)")
        let replayed = Set(try parseJSONLines(replay.standardOutput).map { "\($0["CORDON_RULE_ID"] ?? "")@\($0["CORDON_SOURCE_CURSOR"] ?? "")" })
        var live = Set<String>()
        for host in [a, b, c] {
            for alert in try alertEntries([("CORDON_HOST", host.name)]) {
                live.insert("\(alert.string("CORDON_RULE_ID") ?? "")@\(alert.string("CORDON_SOURCE_CURSOR") ?? "")")
            }
        }
        #expect(replayed == live, "replay only: \(replayed.subtracting(live)); live only: \(live.subtracting(replayed))")
    }

    @Test("SIGTERM during a long catch-up stops at once, mid-way; the restart reads the rest: every alert exactly once")
    func stopDuringCatchUp() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let rules = try directory.write("rules/marker.yml", markerRule(identifier: "catch-up-\(token)", field: "CORDONTEST_CATCHUP", value: token))
        // 200,000 entries; every 1,000th carries the marker: 200 alerts in all.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(200_000 * 160)
        for index in 0..<200_000 {
            var fields: [(String, [UInt8])] = [("MESSAGE", Array("catch-up entry \(index)".utf8))]
            if index % 1000 == 999 {
                fields += [("CORDONTEST_CATCHUP", Array(token.utf8)), ("CORDONTEST_CATCHUP_SEQ", Array("n\(index)".utf8))]
            }
            ExportFormat.append(exportEntry(realtime: Self.fleetStart + UInt64(index) * 1000, fields: fields), to: &bytes)
        }
        // systemd-journal-remote rotates a file this large: the directory holds them all.
        _ = try makeJournal(export: bytes, directory: directory.path + "/j")
        let arguments = ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state",
                         "--directory", directory.path + "/j", "--from-start"]
        var daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        defer { daemon.kill(SIGKILL); daemon.wait() }
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        usleep(300_000)
        #expect(daemon.stop() == 0)
        let pid = daemon.process.processIdentifier
        let before = try alertEntries(field: "CORDON_RULE_ID", value: "catch-up-\(token)").filter { $0.string("_PID") == String(pid) }.count
        #expect(before < 200, "the daemon read to the end before it stopped")
        daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        let all = try waitForAlerts(field: "CORDON_RULE_ID", value: "catch-up-\(token)", count: 200, timeout: 120)
        usleep(500_000)
        let sequences = try alertEntries(field: "CORDON_RULE_ID", value: "catch-up-\(token)").compactMap { $0.string("CORDON_FIELD_CORDONTEST_CATCHUP_SEQ") }
        #expect(all.count >= 200 && sequences.count == 200 && Set(sequences).count == 200, "\(sequences.count) alerts, \(Set(sequences).count) distinct")
        #expect(daemon.stop() == 0)
    }

    @Test("Fleet: SIGKILL after alerting, a restart that checkpoints before it has caught up, another restart: no alert twice")
    func aHostRestartThatCheckpointsMidwayKeepsTheEarlierAlertsFindable() throws {
        // JournaldTests' aRestartThatCheckpointsMidwayKeepsTheEarlierAlertsFindable for a host loop:
        // A alerts on 12,000 entries and is killed; B finds A's alerts, saves as often as it may
        // (each save at most 5 % of the time) and is killed at entry 10,000; C, from B's last
        // checkpoint, must still find A's alerts for the entries after it.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let stall = "stall-" + uniqueToken()
        let machine = uniqueToken()
        let rules = try directory.write("rules/midway.yml", markerRule(identifier: "fleet-midway-\(token)", field: "CORDONTEST_FLEETMIDWAY", value: token))
        var bytes: [UInt8] = []
        let total = 12_001, stallIndex = 10_000
        for index in 0..<total {
            // One entry is the stall marker (no alert); the others alert.
            let fields: [(String, [UInt8])] = index == stallIndex
                ? [("MESSAGE", Array("fleet midway \(stall)".utf8))]
                : [("MESSAGE", Array("fleet midway entry \(index)".utf8)), ("CORDONTEST_FLEETMIDWAY", Array(token.utf8)),
                   ("CORDONTEST_FLEETMIDWAY_SEQ", Array("n\(index)".utf8))]
            ExportFormat.append(exportEntry(realtime: Self.fleetStart + UInt64(index) * 1_000, fields: fields, machine: machine), to: &bytes)
        }
        _ = try makeJournal(export: bytes, directory: directory.path + "/j")
        let common = ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state",
                      "--directory", directory.path + "/j", "--from-start"]
        func alerts() throws -> [JournalEntry] { try alertEntries(field: "CORDON_RULE_ID", value: "fleet-midway-\(token)") }

        let c = try Self.midwayRestarts(common, in: directory, stall: stall) { () throws in
            #expect(try waitForAlerts(field: "CORDON_RULE_ID", value: "fleet-midway-\(token)", count: total - 1, timeout: 60).count == total - 1)
        }
        usleep(3_000_000)  // C reads the entries after B's checkpoint: a duplicate, if one were coming
        #expect(c.stop() == 0)
        let sequences = try alerts().compactMap { $0.string("CORDON_FIELD_CORDONTEST_FLEETMIDWAY_SEQ") }
        #expect(sequences.count == total - 1, "\(sequences.count - Set(sequences).count) alerts twice")
        #expect(Set(sequences) == Set((0..<total).filter { $0 != stallIndex }.map { "n\($0)" }))
        // The case this is about: B saved a checkpoint part way (C did not start at the head).
        let suppressed = c.log.split(separator: " ").first { $0.hasPrefix("duplicates_suppressed=") }.flatMap { Int($0.dropFirst(22)) }
        #expect(suppressed.map { $0 > total - stallIndex && $0 < total - 1 } == true, "C suppressed \(suppressed.map(String.init) ?? "?"): \(c.log.suffix(1500))")
    }

    @Test("Fleet mode raises its open-file limit to the hard limit: each host's view opens every file of the directory")
    func raisesTheOpenFileLimit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let host = FleetRunHost(name: "fleet-limit-\(uniqueToken().prefix(8))")
        _ = try makeJournal(export: Self.fleetFailures(host, from: "203.0.113.9", at: [0]), directory: directory.path + "/remote", name: "remote-\(host.name)")
        let daemon = try DaemonProcess(arguments: ["--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "--state-dir", directory.path + "/state",
                                                   "--directory", directory.path + "/remote"],
                                       logPath: directory.path + "/daemon.log", launcher: ["/usr/bin/prlimit", "--nofile=256:8192"])
        defer { daemon.kill(SIGKILL); daemon.wait() }
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        let limits = try String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/limits", encoding: .utf8)
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? ""
        #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(2) == ["8192", "8192"], "\(line)")
        #expect(daemon.stop() == 0)
    }
}
