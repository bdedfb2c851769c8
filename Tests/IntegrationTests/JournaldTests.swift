import Foundation
import Glibc
import Journal
import Parse
import Testing

/// Tests against the real systemd-journald of this machine. Serialized: they rotate and vacuum
/// the journal and count alerts, so they must not overlap.
@Suite(.serialized)
struct JournaldTests {
    static let alertID = CordonMessageID.alert
}

extension JournaldTests {
    @Test("An attack line written with logger becomes an alert entry within 1 s")
    func loggerLineBecomesAlert() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let daemon = try DaemonProcess(arguments: ["--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "--state-dir", directory.path + "/state"],
                                       logPath: directory.path + "/daemon.log")
        defer { _ = daemon.stop() }
        #expect(daemon.waitUntilStarted(), "daemon did not start: \(daemon.log)")

        let port = String(Int.random(in: 20000...60000))
        let message = "Failed password for root from 203.0.113.9 port \(port) ssh2"
        // As any local user would: root's own lines count as trusted (only root can send as uid 0).
        try runCommand(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "logger", "-t", "sshd", message])

        // Two rules see the forged line: the forgery rule, and the failed-password rule on the sshd
        // log source, which alerts without trust (journald saw logger, not sshd).
        let alerts = try waitForAlerts(field: "CORDON_FIELD_MESSAGE", value: message, count: 2, timeout: 10,
                                       pid: daemon.process.processIdentifier)
        try #require(alerts.count == 2, "expected two alerts for the logger line; daemon log: \(daemon.log)")
        let failed = try #require(alerts.first { $0.string("CORDON_RULE_ID") == Paths.perEntryFailedPassword })
        #expect(failed.string("CORDON_TRUSTED") == "0")
        let alert = try #require(alerts.first { $0.string("CORDON_RULE_ID") == "0deffd5a-dfdb-4d49-a5bf-2fd03ee4ad67" })
        #expect(alert.string("CORDON_RULE_ID") == "0deffd5a-dfdb-4d49-a5bf-2fd03ee4ad67")
        #expect(alert.string("CORDON_LEVEL") == "medium")
        #expect(alert.string("PRIORITY") == "4")
        #expect(alert.string("CORDON_FIELD_SYSLOG_IDENTIFIER") == "sshd")
        #expect(alert.string("CORDON_TAGS") == "attack.defense-evasion,attack.t1070")
        #expect(alert.string("CORDON_RULE_TITLE") == "sshd authentication message written by another process")
        #expect(alert.string("MESSAGE")?.hasPrefix("cordon: sshd authentication message written by another process [medium, untrusted source] on ") == true)
        #expect(alert.string("_TRANSPORT") == "journal")

        // The source cursor leads to the logger entry, and the alert came within a second of it.
        let cursor = try #require(alert.string("CORDON_SOURCE_CURSOR").flatMap(Cursor.init))
        let journal = try Journal(source: .local)
        try journal.seek(to: cursor)
        #expect(try journal.next())
        #expect(try journal.test(cursor: cursor))
        let source = try journal.entry()
        #expect(source.string("MESSAGE") == message)
        #expect(alert.string("CORDON_SOURCE_REALTIME") == String(source.realtime))
        #expect(alert.string("CORDON_HOST") == source.string("_HOSTNAME"))
        let latency = Int64(alert.realtime) - Int64(source.realtime)
        #expect(latency >= 0 && latency < 1_000_000, "alert latency \(latency) µs")

        // What an operator types shows the same alert with its fields.
        let shown = try runCommand(["journalctl", "MESSAGE_ID=\(Self.alertID)", "CORDON_SOURCE_CURSOR=\(cursor.rawValue)", "-o", "json"])
        #expect(shown.standardOutput.contains("\"CORDON_RULE_ID\":\"0deffd5a-dfdb-4d49-a5bf-2fd03ee4ad67\""))
        #expect(shown.standardOutput.contains("\"CORDON_SOURCE_CURSOR\":\"\(cursor.rawValue)\""))
        #expect(daemon.stop() == 0)
    }

    @Test("SIGKILL at random points 20 times while 1,000 matching entries arrive: exactly 1,000 alerts")
    func crashesNeitherLoseNorRepeatAlerts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let rules = try directory.write("rules/crash.yml", markerRule(identifier: "crash-\(token)", field: "CORDONTEST_CRASH", value: token))
        let arguments = ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state"]
        let total = 1000

        let first = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        #expect(first.waitUntilStarted(), "daemon did not start: \(first.log)")

        let finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            let journal = JournalWriter()
            for index in 0..<total {
                try? journal.send([JournalField("MESSAGE", "crash test entry \(index)"),
                                   JournalField("CORDONTEST_CRASH", token), JournalField("CORDONTEST_CRASH_SEQ", "n\(index)")])
                usleep(UInt32.random(in: 2_000...12_000))
            }
            finished.signal()
        }
        writer.start()

        var daemon = first
        for _ in 0..<20 {
            usleep(UInt32.random(in: 30_000...500_000))
            daemon.kill(SIGKILL)
            #expect(daemon.wait() == 9 || daemon.process.terminationReason == .uncaughtSignal)
            daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        }
        finished.wait()
        let alerts = try waitForAlerts(field: "CORDON_FIELD_CORDONTEST_CRASH", value: token, count: total, timeout: 60)
        // Give a duplicate, if any were coming, time to show up before counting.
        usleep(1_500_000)
        #expect(daemon.stop() == 0, "daemon log: \(daemon.log.suffix(2000))")
        let final = try alertEntries(field: "CORDON_FIELD_CORDONTEST_CRASH", value: token)
        let cursors = Set(final.compactMap { $0.string("CORDON_SOURCE_CURSOR") })
        let indexes = Set(final.compactMap { $0.string("CORDON_FIELD_CORDONTEST_CRASH_SEQ") }.compactMap { Int($0.dropFirst()) })
        #expect(alerts.count >= total)
        #expect(final.count == total, "alerts: \(final.count), distinct sources: \(cursors.count)")
        #expect(cursors.count == total)
        #expect(indexes == Set(0..<total))
    }

    /// The three processes of a midway restart: A runs `alertAll` (which writes or waits for its
    /// alerts) and is killed before any checkpoint after them; B, started 11 s later (its saves
    /// must come after A's alerts plus the restart search's 10 s slack), saves as often as it may
    /// and is killed where it stalls on purpose (at an entry whose MESSAGE holds `stall`). Returns
    /// C, started from B's checkpoint.
    static func midwayRestarts(_ common: [String], in directory: TemporaryDirectory, stall: String,
                               alertAll: () throws -> Void) throws -> DaemonProcess {
        // No checkpoint while entries flow (A, C); B saves after every entry.
        let rare = try directory.write("rare.yaml", "checkpoint:\n  interval_ms: 3600000\n  entries: 1000000\n")
        let often = try directory.write("often.yaml", "checkpoint:\n  interval_ms: 3600000\n  entries: 1\n")
        let a = try DaemonProcess(arguments: common + ["--config", rare], logPath: directory.path + "/a.log")
        #expect(a.waitUntilStarted(), "A did not start: \(a.log)")
        try alertAll()
        a.kill(SIGKILL)
        a.wait()
        sleep(11)

        let b = try DaemonProcess(arguments: common + ["--config", often], logPath: directory.path + "/b.log",
                                  environment: ["CORDON_FAULT_STALL": stall])
        let deadline = Date().addingTimeInterval(30)
        while !b.log.contains("the detection loop stalls now"), b.process.isRunning, Date() < deadline { usleep(50_000) }
        #expect(b.log.contains("the detection loop stalls now"), "B did not reach the stall: \(b.log.suffix(2000))")
        b.kill(SIGKILL)
        b.wait()

        let c = try DaemonProcess(arguments: common + ["--config", rare], logPath: directory.path + "/c.log")
        #expect(c.waitUntilStarted(), "C did not start: \(c.log)")
        return c
    }

    @Test("SIGKILL after alerting, a restart that checkpoints before it has caught up, another restart: no alert twice")
    func aRestartThatCheckpointsMidwayKeepsTheEarlierAlertsFindable() throws {
        // Found by make chaos. A writes alerts for 40 entries and is killed before any checkpoint
        // after them. B starts from the old checkpoint, finds A's alerts and suppresses them, saves a
        // checkpoint part way and is killed (it stalls at entry 20 on purpose). C starts from B's
        // checkpoint: it must still find A's alerts for the entries after it, not write them again.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let stall = "stall-" + uniqueToken()
        let rules = try directory.write("rules/midway.yml", markerRule(identifier: "midway-\(token)", field: "CORDONTEST_MIDWAY", value: token))
        let common = ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state"]
        let journal = JournalWriter()
        func write(_ index: Int, _ extra: String = "") throws {
            try journal.send([JournalField("MESSAGE", "midway test entry \(index)\(extra)"),
                              JournalField("CORDONTEST_MIDWAY", token), JournalField("CORDONTEST_MIDWAY_SEQ", "n\(index)")])
        }

        let c = try Self.midwayRestarts(common, in: directory, stall: stall) { () throws in
            for index in 0..<40 { try write(index, index == 20 ? " " + stall : "") }
            #expect(try waitForAlerts(field: "CORDON_FIELD_CORDONTEST_MIDWAY", value: token, count: 40, timeout: 30).count == 40)
        }
        try write(40)
        _ = try waitForAlerts(field: "CORDON_FIELD_CORDONTEST_MIDWAY", value: token, count: 41, timeout: 30)
        usleep(1_500_000)  // a duplicate, if one were coming
        #expect(c.stop() == 0)
        let alerts = try alertEntries(field: "CORDON_FIELD_CORDONTEST_MIDWAY", value: token)
        let indexes = alerts.compactMap { $0.string("CORDON_FIELD_CORDONTEST_MIDWAY_SEQ") }.compactMap { Int($0.dropFirst()) }
        #expect(indexes.count == 41, "alerts per entry: \(Dictionary(grouping: indexes) { $0 }.filter { $0.value.count > 1 }.keys.sorted())")
        #expect(Set(indexes) == Set(0...40))
    }

    @Test("Rotation and vacuum while tailing, and a restart across a vacuum: no entry missed or repeated")
    func rotationAndVacuum() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let rules = try directory.write("rules/rotate.yml", markerRule(identifier: "rotate-\(token)", field: "CORDONTEST_ROTATE", value: token))
        let arguments = ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state"]
        var daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        #expect(daemon.waitUntilStarted(), "daemon did not start: \(daemon.log)")

        var written = 0
        func writeBatch(_ count: Int) throws {
            for _ in 0..<count {
                try JournalWriter().send([JournalField("MESSAGE", "rotation test \(written)"), JournalField("CORDONTEST_ROTATE", token),
                                          JournalField("CORDONTEST_ROTATE_SEQ", "n\(written)")])
                written += 1
            }
        }
        func waitForCatchUp() throws {
            let deadline = Date().addingTimeInterval(30)
            while try alertEntries([("CORDON_FIELD_CORDONTEST_ROTATE", token), ("CORDON_FIELD_CORDONTEST_ROTATE_SEQ", "n\(written - 1)")]).isEmpty {
                guard Date() < deadline else { Issue.record("daemon did not catch up: \(daemon.log)"); return }
                usleep(20_000)
            }
        }
        for round in 0..<4 {
            try writeBatch(150)
            try runCommand(["journalctl", "--rotate"])
            try writeBatch(150)
            // Vacuum deletes archived files; wait until what they hold is processed, as a
            // journal a daemon has fallen behind on would lose entries no matter who reads it.
            try waitForCatchUp()
            try runCommand(["journalctl", "--rotate"])
            try runCommand(["journalctl", "--vacuum-files=1"])
            try writeBatch(100)
            if round == 2 {
                // Stop, rotate and vacuum away the file that holds the saved cursor, write, restart.
                #expect(daemon.stop() == 0)
                try runCommand(["journalctl", "--rotate"])
                try writeBatch(100)
                try runCommand(["journalctl", "--rotate"])
                try runCommand(["journalctl", "--vacuum-files=1"])
                try writeBatch(100)
                daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
                #expect(daemon.waitUntilStarted())
            }
        }
        try waitForCatchUp()
        usleep(1_000_000)
        #expect(daemon.stop() == 0)
        // The journal may have vacuumed old alerts too: count what the surviving entries prove.
        let sources = try journalEntries(field: "CORDONTEST_ROTATE", value: token)
        let alerts = try alertEntries(field: "CORDON_FIELD_CORDONTEST_ROTATE", value: token)
        let alerted = Set(alerts.compactMap { $0.string("CORDON_SOURCE_CURSOR") })
        #expect(alerted.count == alerts.count, "an entry was alerted twice")
        for source in sources {
            #expect(source.cursor.map { alerted.contains($0.rawValue) } == true, "no alert for \(source.string("MESSAGE") ?? "?")")
        }
        #expect(alerts.count >= sources.count)
    }

    @Test("Rotations while entries flow in bursts and pauses (the fast polling and the plain wait): every entry alerted once")
    func rotationsWhileEntriesFlow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let rules = try directory.write("rules/flow.yml", markerRule(identifier: "flow-\(token)", field: "CORDONTEST_FLOW", value: token))
        let daemon = try DaemonProcess(arguments: ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state"],
                                       logPath: directory.path + "/daemon.log")
        #expect(daemon.waitUntilStarted(), "daemon did not start: \(daemon.log)")

        // Bursts of 100 entries, each followed by a pause longer than the daemon's fast polling
        // lasts (it falls back to journald's notification), with rotations at random moments.
        let total = 1_000
        let finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            let journal = JournalWriter()
            for index in 0..<total {
                try? journal.send([JournalField("MESSAGE", "flow test entry \(index)"), JournalField("CORDONTEST_FLOW", token),
                                   JournalField("CORDONTEST_FLOW_SEQ", "n\(index)")])
                usleep(index % 100 == 99 ? 500_000 : 1_000)
            }
            finished.signal()
        }
        writer.start()
        var rotations = 0
        while finished.wait(timeout: .now() + .milliseconds(Int.random(in: 300...900))) == .timedOut {
            try runCommand(["journalctl", "--rotate"])
            rotations += 1
        }
        #expect(rotations >= 3)
        _ = try waitForAlerts(field: "CORDON_FIELD_CORDONTEST_FLOW", value: token, count: total, timeout: 60)
        // Give a duplicate, if any were coming, time to show up before counting.
        usleep(1_500_000)
        #expect(daemon.stop() == 0, "daemon log: \(daemon.log.suffix(2000))")
        let alerts = try alertEntries(field: "CORDON_FIELD_CORDONTEST_FLOW", value: token)
        let indexes = alerts.compactMap { $0.string("CORDON_FIELD_CORDONTEST_FLOW_SEQ") }.compactMap { Int($0.dropFirst()) }
        #expect(alerts.count == total, "alerts: \(alerts.count) after \(rotations) rotations")
        #expect(Set(indexes) == Set(0..<total))
    }
}
