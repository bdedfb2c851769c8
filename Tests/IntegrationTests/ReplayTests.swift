import Foundation
import Glibc
import Journal
import Parse
import Testing

/// A deterministic fixture journal: sshd failures from the real sshd binary, forged sshd lines,
/// benign noise and strange payloads, all on one made-up host.
struct Fixture {
    let host: String
    let entries: [[JournalField]]

    init(host: String, seed: UInt64 = 7) {
        self.host = host
        var generator = SeededGenerator(seed: seed)
        var entries: [[JournalField]] = []
        var time: UInt64 = 1_764_000_000_000_000
        func entry(_ fields: [(String, [UInt8])]) {
            time += UInt64.random(in: 1_000...2_000_000, using: &generator)
            entries.append(exportEntry(realtime: time, fields: [("_HOSTNAME", Array(host.utf8))] + fields))
        }
        func text(_ value: String) -> [UInt8] { Array(value.utf8) }
        for index in 0..<300 {
            switch index % 6 {
            case 0:
                entry([("_EXE", text("/usr/sbin/sshd")), ("_COMM", text("sshd")), ("_UID", text("0")), ("_TRANSPORT", text("syslog")),
                       ("SYSLOG_IDENTIFIER", text("sshd")),
                       ("MESSAGE", text("Failed password for invalid user admin from 198.51.100.\(index % 250) port \(40000 + index) ssh2"))])
            case 1:
                entry([("_COMM", text("logger")), ("_TRANSPORT", text("syslog")), ("SYSLOG_IDENTIFIER", text("sshd")),
                       ("MESSAGE", text("Failed password for root from 203.0.113.\(index % 250) port 22 ssh2"))])
            case 2:
                entry([("_SYSTEMD_UNIT", text("ssh.service")), ("_EXE", text("/usr/sbin/sshd")), ("_TRANSPORT", text("syslog")),
                       ("SYSLOG_IDENTIFIER", text("sshd")),
                       ("MESSAGE", text(index % 4 == 0 ? "Accepted publickey for root from 198.51.100.10 port 5000 ssh2"
                                                      : "Accepted publickey for deploy from 198.51.100.10 port 5000 ssh2"))])
            case 3:
                entry([("_EXE", text("/usr/bin/sudo")), ("_TRANSPORT", text("syslog")), ("SYSLOG_IDENTIFIER", text("sudo")),
                       ("MESSAGE", text("  jdoe : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/jdoe ; USER=root ; COMMAND=/bin/bash"))])
            case 4:
                // Strange payloads: NUL, invalid UTF-8, a newline that tries to forge a second line.
                let random = (0..<Int.random(in: 1...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                entry([("_EXE", text("/usr/sbin/sshd")), ("_UID", text("0")), ("_TRANSPORT", text("syslog")),
                       ("SYSLOG_IDENTIFIER", text("sshd")), ("MESSAGE", text("Failed password for ") + random + text("\nMESSAGE_ID=forged")), ("BLOB", random)])
            default:
                entry([("_SYSTEMD_UNIT", text("nginx.service")), ("_TRANSPORT", text("stdout")),
                       ("MESSAGE", text("GET /api/v1/patients/\(index) 200"))])
            }
        }
        // No MESSAGE at all, and a 1 MiB one.
        entry([("_EXE", text("/usr/sbin/sshd")), ("SYSLOG_IDENTIFIER", text("sshd"))])
        entry([("_EXE", text("/usr/sbin/sshd")), ("_UID", text("0")),
               ("MESSAGE", text("Failed password for ") + [UInt8](repeating: 0x41, count: 1 << 20))])
        self.entries = entries
    }

    var export: [UInt8] {
        var bytes: [UInt8] = []
        for fields in entries { ExportFormat.append(fields, to: &bytes) }
        return bytes
    }
}

/// SplitMix64: a fixed sequence from a seed, so fixtures are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}

/// An alert reduced to what must be equal between a replay and a live run (cursors differ:
/// they name the journal file).
func alertSignature(_ fields: [String: String]) -> String {
    // Cursors name a journal file: the same entries in another file have other cursors.
    fields.filter { $0.key != "CORDON_SOURCE_CURSOR" && $0.key != "CORDON_EVIDENCE" && !$0.key.hasPrefix("_") && !$0.key.hasPrefix("__") }
        .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "|")
}

func parseJSONLines(_ text: String) throws -> [[String: String]] {
    try text.split(separator: "\n").map {
        try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String])
    }
}

extension JournaldTests {
    @Test("replay of a journal-remote fixture gives the same alerts as a live run tailing the same entries")
    func replayEqualsLive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = Fixture(host: "replay-\(uniqueToken().prefix(12))")
        let replayFile = try makeJournal(export: fixture.export, directory: directory.path + "/replay")

        let replay = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "json", replayFile])
        #expect(replay.status == 0, "\(replay.standardError)")
        let replayed = try parseJSONLines(replay.standardOutput)
        // 50 trusted sshd failures, 50 forged, 25 root logins, 50 sudo, 50 strange sshd failures, the 1 MiB one.
        // The forged failures match too, untrusted: journald saw logger send them, not sshd.
        let failures = replayed.filter { $0["CORDON_RULE_ID"] == Paths.perEntryFailedPassword }
        #expect(failures.filter { $0["CORDON_TRUSTED"] == "1" }.count == 101)
        #expect(failures.filter { $0["CORDON_TRUSTED"] == "0" }.count == 50)
        #expect(replayed.filter { $0["CORDON_RULE_ID"] == "0deffd5a-dfdb-4d49-a5bf-2fd03ee4ad67" }.count == 50)
        #expect(replayed.filter { $0["CORDON_RULE_ID"] == "48743dcf-ffe6-427f-b837-d111081aab61" }.count == 25)
        #expect(replayed.filter { $0["CORDON_RULE_ID"] == Paths.perEntrySudoFailure }.count == 50)
        #expect(replayed.allSatisfy { $0["CORDON_HOST"] == fixture.host })
        // Escaping: no alert field carries a raw newline or control byte.
        for alert in replayed {
            for value in alert.values { #expect(!value.unicodeScalars.contains { $0.value < 0x20 }) }
        }

        // Live: tail an empty directory while systemd-journal-remote writes the same entries into it.
        let liveDirectory = directory.path + "/live"
        try FileManager.default.createDirectory(atPath: liveDirectory, withIntermediateDirectories: true)
        let daemon = try DaemonProcess(arguments: ["--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "--state-dir", directory.path + "/state",
                                                   "--directory", liveDirectory, "--from-start"],
                                       logPath: directory.path + "/daemon.log")
        defer { _ = daemon.stop() }
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        _ = try makeJournal(export: fixture.export, directory: liveDirectory, name: "live")
        let live = try waitForAlerts(field: "CORDON_HOST", value: fixture.host, count: replayed.count, timeout: 30)
        usleep(500_000)
        let liveFinal = try alertEntries(field: "CORDON_HOST", value: fixture.host)
        #expect(live.count == replayed.count)
        #expect(liveFinal.count == replayed.count)
        let liveSignatures = liveFinal.map { entry in
            alertSignature(Dictionary(entry.fields.map { ($0.nameString, String(decoding: $0.value, as: UTF8.self)) },
                                      uniquingKeysWith: { first, _ in first }))
        }
        #expect(liveSignatures.sorted() == replayed.map(alertSignature).sorted())
        #expect(daemon.stop() == 0)
    }

    @Test("replay reading ahead on a second thread gives the alerts of one thread, in the same order, across many batches")
    func readAheadEqualsOneThread() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Eight fixtures of about 300 entries: more entries than the reader's batches in flight.
        let export = (0..<8).flatMap { Fixture(host: "ahead-\($0)-\(uniqueToken().prefix(8))", seed: 20 + UInt64($0)).export }
        let file = try makeJournal(export: export, directory: directory.path + "/in")
        let arguments = [Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "json", "--stats", file]
        let ahead = try runCommand(arguments)
        let single = try runCommand(arguments + ["--single-thread"])
        #expect(ahead.status == 0, "\(ahead.standardError)")
        #expect(single.status == 0, "\(single.standardError)")
        let aheadAlerts = try parseJSONLines(ahead.standardOutput)
        #expect(aheadAlerts.count >= 8 * 100)
        #expect(ahead.standardOutput == single.standardOutput)
        // The same entries counted, the 1 MiB ones as truncated.
        func counters(_ text: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix("cordon: replayed") }.map { String($0.split(separator: ",").prefix(8).joined(separator: ",")) }
        }
        #expect(counters(ahead.standardError) != nil)
        #expect(counters(ahead.standardError) == counters(single.standardError))
    }

    @Test("replay -o export turns into a journal file with the same alerts as -o json")
    func exportOutputMakesAJournal() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = Fixture(host: "export-\(uniqueToken().prefix(12))", seed: 11)
        let file = try makeJournal(export: fixture.export, directory: directory.path + "/in")
        let json = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "json", file])
        let export = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "export", file])
        #expect(export.status == 0)
        let alertsFile = try makeJournal(export: Array(export.standardOutput.utf8), directory: directory.path + "/out", name: "alerts")
        let journal = try Journal(source: .files([alertsFile]))
        try journal.seekHead()
        var fromJournal: [String] = []
        while try journal.next() {
            let entry = try journal.entry()
            fromJournal.append(alertSignature(Dictionary(entry.fields.map { ($0.nameString, String(decoding: $0.value, as: UTF8.self)) },
                                                         uniquingKeysWith: { first, _ in first })))
        }
        let fromJSON = try parseJSONLines(json.standardOutput).map(alertSignature)
        #expect(!fromJSON.isEmpty)
        #expect(fromJournal == fromJSON)
    }

    @Test("the text output is one line per alert, with log content escaped")
    func textOutputIsOneLinePerAlert() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = Fixture(host: "text-\(uniqueToken().prefix(12))", seed: 5)
        let file = try makeJournal(export: fixture.export, directory: directory.path)
        let text = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, file])
        let json = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "json", file])
        let lines = text.standardOutput.split(separator: "\n")
        #expect(lines.count == json.standardOutput.split(separator: "\n").count)
        #expect(lines.allSatisfy { $0.contains(" cordon: ") && !$0.contains("\u{0}") })
        #expect(!text.standardOutput.contains("\nMESSAGE_ID=forged"))
    }

    @Test("replay writes to the journal only with --to-journal")
    func replayToJournal() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = Fixture(host: "tojournal-\(uniqueToken().prefix(12))", seed: 3)
        let file = try makeJournal(export: fixture.export, directory: directory.path)
        let plain = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "json", file])
        let printed = try parseJSONLines(plain.standardOutput)
        #expect(!printed.isEmpty)
        usleep(500_000)
        #expect(try alertEntries(field: "CORDON_HOST", value: fixture.host).isEmpty)

        let written = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "json", "--to-journal", file])
        #expect(written.status == 0, "\(written.standardError)")
        let entries = try waitForAlerts(field: "CORDON_HOST", value: fixture.host, count: printed.count, timeout: 10)
        #expect(entries.count == printed.count)
        let fromJournal = entries.map { entry in
            alertSignature(Dictionary(entry.fields.map { ($0.nameString, String(decoding: $0.value, as: UTF8.self)) },
                                      uniquingKeysWith: { first, _ in first }))
        }
        #expect(fromJournal.sorted() == printed.map(alertSignature).sorted())
    }
}
