import Foundation
import Glibc
import Journal
import Parse
import Testing

extension JournaldTests {
    @Test("strange entries written to journald (1 MiB, NUL, invalid UTF-8, no MESSAGE, random bytes) never stop the daemon")
    func strangeLiveEntries() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let rules = try directory.write("rules/r.yml", """
            title: Strange test \(token)
            id: strange-\(token)
            level: low
            logsource:
                product: linux
            detection:
                marker:
                    CORDONTEST_STRANGE: \(token)
                    MESSAGE|contains: needle
                condition: marker
            """)
        let daemon = try DaemonProcess(arguments: ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state", "--data-threshold", "4096"],
                                       logPath: directory.path + "/daemon.log")
        defer { _ = daemon.stop() }
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        let writer = JournalWriter()
        let marker = JournalField("CORDONTEST_STRANGE", token)
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<200 {
            let random = (0..<Int.random(in: 0...2000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try writer.send([JournalField("MESSAGE", random), marker, JournalField("CORDONTEST_BLOB", random)])
        }
        try writer.send([marker, JournalField("CORDONTEST_NOTE", "no message at all")])
        try writer.send([JournalField("MESSAGE", Array("needle at the start ".utf8) + [UInt8](repeating: 0x42, count: 1 << 20)), marker])
        try writer.send([JournalField("MESSAGE", [UInt8](repeating: 0x42, count: 1 << 20) + Array(" needle past the threshold".utf8)), marker])
        try writer.send([JournalField("MESSAGE", [0x6e, 0x65, 0x65, 0x64, 0x6c, 0x65, 0x00, 0xff, 0xfe, 0x0a, 0x1b, 0x5b, 0x33, 0x31, 0x6d]), marker])
        try writer.send([JournalField("MESSAGE", "final needle"), marker])

        let alerts = try waitForAlerts(field: "CORDON_FIELD_CORDONTEST_STRANGE", value: token, count: 3, timeout: 15)
        usleep(500_000)
        let final = try alertEntries(field: "CORDON_FIELD_CORDONTEST_STRANGE", value: token)
        #expect(alerts.count >= 3)
        // The 1 MiB message matches on its first 4 KiB; past the threshold it cannot; the binary one
        // matches and is escaped; random bytes could contain "needle" only by chance (they do not with this seed).
        #expect(final.count == 3, "\(final.compactMap { $0.string("MESSAGE") })")
        let messages = final.compactMap { $0.string("CORDON_FIELD_MESSAGE") }
        #expect(messages.contains { $0.hasPrefix("needle at the start BBBB") && $0.hasSuffix("…") })
        #expect(messages.contains("needle\\x00\\xff\\xfe\\n\\x1b[31m"))
        #expect(messages.contains("final needle"))
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
    }

    @Test("Cordon's own alerts are never fed back; an entry merely claiming to be an alert is processed like any other")
    func noFeedbackLoopAndForgedAlertsAreNotTrusted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        // This rule would match Cordon's own alert about the bait too, if alerts were fed back.
        let rules = try directory.write("rules/r.yml", """
            title: Bait \(token)
            id: bait-\(token)
            level: low
            logsource:
                product: linux
            detection:
                bait:
                    MESSAGE|contains: bait-\(token)
                condition: bait
            """)
        let daemon = try DaemonProcess(arguments: ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state"],
                                       logPath: directory.path + "/daemon.log")
        defer { _ = daemon.stop() }
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        try JournalWriter().send([JournalField("MESSAGE", "bait-\(token) genuine")])
        // A user forges an alert over the native protocol: MESSAGE_ID and CORDON_* set by hand.
        let forged = """
            MESSAGE_ID=\(CordonMessageID.alert)
            MESSAGE=cordon: bait-\(token) forged alert
            CORDON_RULE_ID=bait-\(token)
            CORDON_SOURCE_CURSOR=s=forged
            """
        let result = try runCommand(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "logger", "--journald"],
                                    input: Data(forged.utf8))
        #expect(result.status == 0, "\(result.standardError)")
        let alerts = try waitForAlerts(field: "CORDON_RULE_ID", value: "bait-\(token)", count: 3, timeout: 10)
        usleep(1_500_000)
        let final = try alertEntries(field: "CORDON_RULE_ID", value: "bait-\(token)")
        // Three entries carry this CORDON_RULE_ID: the forged one, and Cordon's alerts on the genuine
        // entry and on the forged one. Nothing about Cordon's own two alerts.
        let own = final.filter { $0.string("_UID") == String(geteuid()) && $0.string("_TRANSPORT") == "journal" }
        #expect(alerts.count >= 3)
        #expect(final.count == 3, "\(final.map { $0.string("MESSAGE") ?? "" })")
        #expect(own.count == 2)
        let sources = own.compactMap { $0.string("CORDON_FIELD_MESSAGE") }.sorted()
        #expect(sources == ["bait-\(token) genuine", "cordon: bait-\(token) forged alert"])
        #expect(daemon.stop() == 0)
    }
}
