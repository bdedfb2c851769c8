import Foundation
import Glibc
import Journal
import Parse
import Testing

/// One alert of the fixture, as the test knows it (the journal entry is made from it).
struct FixtureAlert {
    var ruleID: String
    var title: String
    var level: String
    var host: String
    var trusted: Bool
    /// Seconds after `AlertsFixture.start`.
    var offset: UInt64
    var messageID = CordonMessageID.alert
    /// `Name` → value, as the rule matched them.
    var fields: [(String, String)] = []
    /// Which source entries (indices into `AlertsFixture.sources`) it names; nil: a cursor no journal has.
    var source: Int?
    var evidence: [Int] = []
    var group: String?

    static let levels = ["informational", "low", "medium", "high", "critical"]
    var severity: Int { Self.levels.firstIndex(of: level) ?? -1 }
}

/// Journal files for `cordon alerts`: source entries in `sources/`, and in `alerts/` alerts of
/// several rules, hosts and levels, trusted and not, a correlation with evidence, an action linked
/// to one alert, forged alerts and a forged action, plus a copy of the source file.
final class AlertsFixture: Sendable {
    /// 2025-11-20T10:00:00Z (from `date -d 2025-11-20T10:00:00Z +%s`).
    static let start: UInt64 = 1_763_632_800 * 1_000_000
    /// A cursor in the right form that no fixture journal has (a vacuumed entry).
    static let goneCursor = "s=0123456789abcdef0123456789abcdef;i=99;b=5a9e1d0c2b3f4a5e8d7c6b5a49382716;m=1;t=1;x=1"

    let directory: String
    var alertsDirectory: String { directory + "/alerts" }
    var sourcesDirectory: String { directory + "/sources" }
    var alertsFile: String { alertsDirectory + "/alerts.journal" }
    /// The source entries' cursors, in `sources` order.
    let sourceCursors: [String]

    /// The source entries: (seconds after start, host, identifier, pid, message).
    static let sources: [(UInt64, String, String, String, String)] = [
        (1, "web-1", "sshd", "811", "Failed password for root from 203.0.113.9 port 40001 ssh2"),
        (2, "web-1", "sshd", "811", "Failed password for root from 203.0.113.9 port 40002 ssh2"),
        (3, "web-1", "sshd", "812", "Failed password for root from 203.0.113.9 port 40003 ssh2"),
        (10, "db-1", "sudo", "977", "jdoe : TTY=pts/0 ; PWD=/home/jdoe ; USER=root ; COMMAND=/bin/bash"),
    ]

    /// The alerts Cordon wrote, oldest first.
    static let alerts: [FixtureAlert] = [
        FixtureAlert(ruleID: "ssh-password-failed", title: "SSH password authentication failed", level: "low", host: "web-1",
                     trusted: true, offset: 3600, fields: [("SourceIp", "203.0.113.9"), ("User", "root")], source: 0),
        FixtureAlert(ruleID: "ssh-brute-force", title: "SSH brute force from one source address", level: "high", host: "web-1",
                     trusted: true, offset: 7200, source: 2, evidence: [0, 1, 2], group: "SourceIp=203.0.113.9"),
        FixtureAlert(ruleID: "sudo-root-shell", title: "Sudo to a root shell", level: "critical", host: "db-1", trusted: true,
                     offset: 10_800, fields: [("User", "jdoe"), ("Command", "/bin/bash")], source: 3),
        FixtureAlert(ruleID: "ssh-password-failed", title: "SSH password authentication failed", level: "low", host: "db-1",
                     trusted: false, offset: 14_400, fields: [("SourceIp", "198.51.100.7")], source: nil),
        FixtureAlert(ruleID: "kernel-module-loaded", title: "Kernel module loaded", level: "medium", host: "web-2", trusted: true,
                     offset: 18_000, fields: [("Module", "rootkit")], source: nil),
        FixtureAlert(ruleID: "cordon-journal-gap", title: "Journal gap", level: "informational", host: "web-1", trusted: true,
                     offset: 21_600, messageID: CordonMessageID.tamperingSign, source: nil),
    ]

    init() throws {
        directory = try TemporaryDirectory().path
        var bytes: [UInt8] = []
        for source in Self.sources {
            ExportFormat.append(exportEntry(realtime: Self.start + source.0 * 1_000_000, fields: [
                ("_HOSTNAME", Array(source.1.utf8)), ("SYSLOG_IDENTIFIER", Array(source.2.utf8)), ("_PID", Array(source.3.utf8)),
                ("_TRANSPORT", Array("syslog".utf8)), ("MESSAGE", Array(source.4.utf8)),
            ]), to: &bytes)
        }
        let sourceFile = try makeJournal(export: bytes, directory: directory + "/sources", name: "sources")
        let journal = try Journal(source: .files([sourceFile]))
        try journal.seekHead()
        var cursors: [String] = []
        while try journal.next() { cursors.append(try journal.cursor().rawValue) }
        guard cursors.count == Self.sources.count else { throw FixtureError(message: "source entries: \(cursors.count)") }
        sourceCursors = cursors
        try FileManager.default.createDirectory(atPath: directory + "/alerts", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sourceFile, toPath: directory + "/alerts/sources.journal")

        bytes = []
        for alert in Self.alerts { ExportFormat.append(entry(for: alert), to: &bytes) }
        // Forged alerts: over syslog, and from another user over the native protocol.
        var forged = Self.alerts[1]
        forged.level = "critical"
        forged.offset = 9000
        ExportFormat.append(entry(for: forged, transport: "syslog"), to: &bytes)
        forged.offset = 9100
        forged.host = "db-1"
        ExportFormat.append(entry(for: forged, userID: "1000"), to: &bytes)
        // The action the brute-force alert triggered, and a forged one claiming the sudo alert.
        ExportFormat.append(actionEntry(offset: 7201, alert: Self.alerts[1], name: "block-ssh-source", key: "203.0.113.9"), to: &bytes)
        ExportFormat.append(actionEntry(offset: 10_801, alert: Self.alerts[2], name: "wipe-disk", key: "db-1", userID: "1000"), to: &bytes)
        _ = try makeJournal(export: bytes, directory: directory + "/alerts", name: "alerts")
    }

    /// The alert's `CORDON_SOURCE_CURSOR`.
    func sourceCursor(of alert: FixtureAlert) -> String {
        alert.source.map { sourceCursors[$0] } ?? Self.goneCursor
    }

    /// The alert as the export entry Cordon's journal would hold.
    func entry(for alert: FixtureAlert, transport: String = "journal", userID: String = "0") -> [JournalField] {
        let facts = alert.fields.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
        let message = "cordon: \(alert.title) [\(alert.level)\(alert.trusted ? "" : ", untrusted source")] on \(alert.host)"
            + (facts.isEmpty ? "" : ": " + facts)
        var fields: [(String, String)] = [
            ("_TRANSPORT", transport), ("_UID", userID), ("_GID", userID), ("_HOSTNAME", "collector"), ("_PID", "4242"),
            ("MESSAGE_ID", alert.messageID), ("PRIORITY", "4"), ("SYSLOG_IDENTIFIER", "cordon"), ("MESSAGE", message),
            ("CORDON_RULE_ID", alert.ruleID), ("CORDON_RULE_TITLE", alert.title), ("CORDON_LEVEL", alert.level),
            ("CORDON_TAGS", "attack.t1110"), ("CORDON_TRUSTED", alert.trusted ? "1" : "0"), ("CORDON_HOST", alert.host),
            ("CORDON_SOURCE_CURSOR", sourceCursor(of: alert)),
            ("CORDON_SOURCE_REALTIME", String(Self.start + (alert.source.map { Self.sources[$0].0 } ?? 0) * 1_000_000)),
            ("CORDON_SOURCE_BOOT_ID", "5a9e1d0c2b3f4a5e8d7c6b5a49382716"),
        ]
        if let group = alert.group {
            fields += [("CORDON_CORRELATION_TYPE", "event_count"), ("CORDON_GROUP", group), ("CORDON_CORRELATION_VALUE", "3"),
                       ("CORDON_EVIDENCE", (alert.evidence.map { sourceCursors[$0] } + [Self.goneCursor]).joined(separator: " "))]
        }
        for (name, value) in alert.fields { fields.append((Escaping.fieldName(for: name), value)) }
        return exportEntry(realtime: Self.start + alert.offset * 1_000_000, fields: fields.map { ($0.0, Array($0.1.utf8)) })
    }

    func actionEntry(offset: UInt64, alert: FixtureAlert, name: String, key: String, userID: String = "0") -> [JournalField] {
        let fields: [(String, String)] = [
            ("_TRANSPORT", "journal"), ("_UID", userID), ("MESSAGE_ID", CordonMessageID.actionApplied), ("PRIORITY", "4"),
            ("SYSLOG_IDENTIFIER", "cordon"), ("MESSAGE", "cordon: action \(name) applied"), ("CORDON_ACTION_NAME", name),
            ("CORDON_ACTION_RESULT", "applied"), ("CORDON_ACTION_KEY", key), ("CORDON_RULE_ID", alert.ruleID),
            ("CORDON_SOURCE_CURSOR", sourceCursor(of: alert)),
        ]
        return exportEntry(realtime: Self.start + offset * 1_000_000, fields: fields.map { ($0.0, Array($0.1.utf8)) })
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A class, so that each test's fixture is removed when the test ends.
@Suite final class AlertsCommandTests {
    let fixture: AlertsFixture
    /// The realtime of each fixture alert, which the listings are compared by.
    static func realtime(_ alert: FixtureAlert) -> String { String(AlertsFixture.start + alert.offset * 1_000_000) }

    init() throws {
        fixture = try AlertsFixture()
    }

    deinit {
        fixture.remove()
    }

    /// `cordon alerts --directory <alerts> ARGS` with `TZ` set.
    func alerts(_ arguments: [String], timeZone: String = "UTC", environment: [String] = []) throws -> CommandResult {
        try runCommand(["/usr/bin/env", "TZ=" + timeZone] + environment + [Paths.cordon, "alerts", "--directory", fixture.alertsDirectory]
            + arguments)
    }

    /// The listed alerts as (realtime, rule id) pairs, from `-o json`.
    func listed(_ arguments: [String], timeZone: String = "UTC") throws -> [String] {
        let result = try alerts(arguments + ["-o", "json"], timeZone: timeZone)
        #expect(result.status == 0, "\(arguments): \(result.standardError)")
        return try objects(result.standardOutput).map(Self.key)
    }

    /// realtime/rule id of a listed alert.
    static func key(_ object: [String: Any]) -> String {
        "\(object["__REALTIME_TIMESTAMP"] as? String ?? "")/\(object["CORDON_RULE_ID"] as? String ?? "")"
    }

    func expected(_ include: (FixtureAlert) -> Bool) -> [String] {
        AlertsFixture.alerts.filter(include).map { Self.realtime($0) + "/" + $0.ruleID }
    }

    func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func listsOnlyCordonsOwnAlertsAndSaysHowManyWereForged() throws {
        let result = try alerts(["-o", "json"])
        #expect(result.status == 0)
        let listed = try objects(result.standardOutput)
        #expect(listed.map(Self.key) == expected { _ in true })
        #expect(listed.allSatisfy { $0["_TRANSPORT"] as? String == "journal" && $0["_UID"] as? String == "0" })
        #expect(result.standardError.contains("cordon: 2 entries claimed to be Cordon alerts but were not written by Cordon (uid 0"))
        #expect(result.standardError.contains("cordon: 1 entry claimed to be Cordon action entries but were not written by Cordon"))
        #expect(!result.standardOutput.contains("wipe-disk"))

        // Another writer uid: only that user's native-protocol entries are Cordon's.
        let other = try alerts(["-o", "json", "--writer-uid", "1000"])
        #expect(other.status == 0)
        let otherListed = try objects(other.standardOutput)
        #expect(otherListed.count == 1)
        #expect(otherListed.first?["CORDON_HOST"] as? String == "db-1")
        #expect(otherListed.first?["_UID"] as? String == "1000")
        #expect(other.standardError.contains("\(AlertsFixture.alerts.count + 1) entries claimed to be Cordon alerts"))
    }

    @Test func sinceAndUntilTakeIsoRelativeAndLocalTimes() throws {
        let from = AlertsFixture.start + 5400 * 1_000_000, to = AlertsFixture.start + 12_600 * 1_000_000
        let between = expected { (from...to).contains(AlertsFixture.start + $0.offset * 1_000_000) }
        #expect(between.count == 2)
        #expect(try listed(["--since", "2025-11-20T11:30:00Z", "--until", "2025-11-20T13:30:00Z"]) == between)
        #expect(try listed(["--since", "2025-11-20T13:30:00+02:00", "--until", "2025-11-20 13:30"]) == between)
        // Local forms follow TZ: 13:30 two hours ahead of UTC is 11:30Z.
        #expect(try listed(["--since", "2025-11-20 13:30", "--until", "2025-11-20 15:30:00"], timeZone: "UTC-2") == between)
        // The fixture is in the past: since an hour ago nothing, until now everything.
        #expect(try listed(["--since", "-1h"]).isEmpty)
        #expect(try listed(["--until", "now"]) == expected { _ in true })
        #expect(try listed(["--since", "2025-11-20", "--until", "2 days ago"]) == expected { _ in true })
        // --since includes an alert at that very second.
        #expect(try listed(["--since", "2025-11-20T11:00:00Z", "--until", "2025-11-20T11:00:00Z"]) == expected { $0.offset == 3600 })
    }

    @Test func ruleMatchesIdsExactlyAndTitlesBySubstring() throws {
        #expect(try listed(["--rule", "ssh-password-failed"]) == expected { $0.ruleID == "ssh-password-failed" })
        #expect(try listed(["--rule", "ssh-password"]).isEmpty)  // an id is exact; no title has "ssh-password"
        #expect(try listed(["--rule", "brute FORCE"]) == expected { $0.title.lowercased().contains("brute force") })
        #expect(try listed(["--rule", "sudo-root-shell", "--rule", "kernel"])
            == expected { $0.ruleID == "sudo-root-shell" || $0.title.lowercased().contains("kernel") })
        #expect(try listed(["--rule", "ssh", "--host", "db-1"]) == expected { $0.title.contains("SSH") && $0.host == "db-1" })
    }

    @Test func levelHostTrustedAndLinesFilter() throws {
        for (index, level) in FixtureAlert.levels.enumerated() {
            #expect(try listed(["--level", level]) == expected { $0.severity >= index }, "--level \(level)")
        }
        #expect(try listed(["--host", "db-1"]) == expected { $0.host == "db-1" })
        #expect(try listed(["--host", "web-1", "--host", "web-2"]) == expected { $0.host.hasPrefix("web-") })
        #expect(try listed(["--trusted"]) == expected { $0.trusted })
        let all = expected { _ in true }
        #expect(try listed(["-n", "2"]) == Array(all.suffix(2)))
        #expect(try listed(["--lines", "2", "--reverse"]) == Array(all.suffix(2).reversed()))
        #expect(try listed(["-n", "0"]).isEmpty)
        let webLow = expected { $0.host == "web-1" && $0.severity >= 1 }
        #expect(try listed(["--host", "web-1", "--level", "low", "-n", "1"]) == Array(webLow.suffix(1)))
        #expect(try listed(["--level", "critical", "--host", "web-2"]).isEmpty)
        let bad = try alerts(["--level", "severe"])
        #expect(bad.status == 64)
    }

    @Test func shortOutputIsPlainAlignedAndComplete() throws {
        let result = try alerts([])
        #expect(result.status == 0)
        #expect(!result.standardOutput.utf8.contains(0x1b))
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == AlertsFixture.alerts.count)
        let json = try objects(try alerts(["-o", "json"]).standardOutput)
        var titleColumns: Set<Int> = [], actionColumns: Set<Int> = []
        for ((line, alert), object) in zip(zip(lines, AlertsFixture.alerts), json) {
            let time = LocalTimeText.utc(AlertsFixture.start + alert.offset * 1_000_000)
            #expect(line.hasPrefix(time + "  " + (object["id"] as? String ?? "?") + "  " + alert.host + " "), "\(line)")
            let title = try #require(line.range(of: alert.title))
            titleColumns.insert(line.distance(from: line.startIndex, to: title.lowerBound))
            #expect(line.contains(alert.level))
            #expect(line.contains("(untrusted)") == !alert.trusted)
            let facts = alert.group ?? alert.fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            if !facts.isEmpty { #expect(line.hasSuffix(facts), "\(line)") }
            let action = alert.ruleID == "ssh-brute-force" ? "block-ssh-source: applied" : "-"
            let actionRange = try #require(line.range(of: "  " + action + " ") ?? line.range(of: "  " + action, options: .backwards), "\(line)")
            actionColumns.insert(line.distance(from: line.startIndex, to: actionRange.lowerBound))
        }
        #expect(titleColumns.count == 1, "titles start in one column")
        #expect(actionColumns.count == 1, "actions start in one column")
        // Local time follows TZ.
        let ahead = try alerts(["-n", "1"], timeZone: "UTC-2")
        let last = try #require(AlertsFixture.alerts.last)
        #expect(ahead.standardOutput.hasPrefix(LocalTimeText.utc(AlertsFixture.start + (last.offset + 7200) * 1_000_000)))
        // No alert: no output, exit 0.
        let none = try alerts(["--host", "nowhere"])
        #expect(none.status == 0 && none.standardOutput.isEmpty)
    }

    @Test func jsonLinesCarryEveryFieldAndTheActions() throws {
        let result = try alerts(["-o", "json"])
        let listed = try objects(result.standardOutput)
        #expect(listed.count == AlertsFixture.alerts.count)
        for (object, alert) in zip(listed, AlertsFixture.alerts) {
            #expect((object["__CURSOR"] as? String)?.hasPrefix("s=") == true)
            #expect(object["__REALTIME_TIMESTAMP"] as? String == Self.realtime(alert))
            #expect(object["MESSAGE_ID"] as? String == alert.messageID)
            #expect(object["CORDON_LEVEL"] as? String == alert.level)
            #expect(object["CORDON_HOST"] as? String == alert.host)
            #expect(object["CORDON_SOURCE_CURSOR"] as? String == fixture.sourceCursor(of: alert))
            for (name, value) in alert.fields { #expect(object[Escaping.fieldName(for: name)] as? String == value) }
            #expect((object["id"] as? String)?.count == 12)
            let actions = try #require(object["actions"] as? [[String: String]])
            if alert.ruleID == "ssh-brute-force" {
                #expect(actions == [["name": "block-ssh-source", "result": "applied", "key": "203.0.113.9"]])
            } else {
                #expect(actions.isEmpty)
            }
        }
        // Short ids differ between alerts.
        #expect(Set(listed.compactMap { $0["id"] as? String }).count == listed.count)
    }

    @Test func jsonPrettyIsIndentedJSON() throws {
        let result = try alerts(["-o", "json-pretty"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("\n  \"CORDON_RULE_ID\": "))
        let texts = result.standardOutput.components(separatedBy: "\n}\n").filter { !$0.isEmpty }.map { $0 + "\n}" }
        #expect(texts.count == AlertsFixture.alerts.count)
        for (text, alert) in zip(texts, AlertsFixture.alerts) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(object["CORDON_RULE_ID"] as? String == alert.ruleID)
            #expect(object["actions"] is [Any])
        }
    }

    @Test func coloursByLevelOnATerminalOnly() throws {
        let escapes = ["critical": "\u{1B}[1;31m", "high": "\u{1B}[31m", "medium": "\u{1B}[33m", "low": "\u{1B}[36m",
                       "informational": "\u{1B}[2m"]
        let always = try alerts(["--color", "always"])
        let lines = always.standardOutput.split(separator: "\n")
        #expect(lines.count == AlertsFixture.alerts.count)
        for (line, alert) in zip(lines, AlertsFixture.alerts) {
            let escape = try #require(escapes[alert.level])
            #expect(line.contains(escape + alert.level + "\u{1B}[0m"), "\(line)")
            for (other, code) in escapes where other != alert.level { #expect(!line.contains(code + other)) }
        }
        #expect(!(try alerts(["--color", "never"]).standardOutput.utf8.contains(0x1b)))

        // A terminal (script gives the command a pty): coloured, unless NO_COLOR or TERM=dumb.
        func onTerminal(_ environment: String, _ arguments: String = "--level critical") throws -> String {
            let command = "env -u NO_COLOR -u COLUMNS TZ=UTC \(environment) \(Paths.cordon) alerts --directory \(fixture.alertsDirectory) \(arguments)"
            let result = try runCommand(["/usr/bin/script", "-qfec", command, "/dev/null"])
            #expect(result.status == 0, "\(result.standardOutput)")
            return result.standardOutput
        }
        let coloured = try onTerminal("TERM=xterm")
        #expect(coloured.contains("\u{1B}[1;31mcritical\u{1B}[0m"), "\(coloured)")
        #expect(!(try onTerminal("TERM=xterm NO_COLOR=1")).contains("\u{1B}["))
        #expect(!(try onTerminal("TERM=dumb")).contains("\u{1B}["))
        #expect(try onTerminal("TERM=xterm", "--host nowhere").contains("No alerts."))
    }

    @Test func evidenceByShortIdPrintsTheSourceEntries() throws {
        let json = try objects(try alerts(["-o", "json", "--rule", "ssh-brute-force"]).standardOutput)
        let identifier = try #require(json.first?["id"] as? String)
        let result = try alerts(["--evidence", identifier])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let alert = AlertsFixture.alerts[1]
        #expect(lines.count == 1 + alert.evidence.count)
        #expect(lines.first?.contains(identifier) == true && lines.first?.contains(alert.title) == true)
        for (line, index) in zip(lines.dropFirst(), alert.evidence) {
            let source = AlertsFixture.sources[index]
            let time = LocalTimeText.syslog(AlertsFixture.start + source.0 * 1_000_000)
            #expect(line == "\(time) \(source.1) \(source.2)[\(source.3)]: \(source.4)")
        }
        // The vacuumed cursor among the evidence is named, once.
        #expect(result.standardError.components(separatedBy: AlertsFixture.goneCursor).count == 2)
        #expect(result.standardError.contains("not in \(fixture.alertsDirectory)"))

        // As JSON: the alert, then the source entries with their fields.
        let asJSON = try objects(try alerts(["--evidence", identifier, "-o", "json"]).standardOutput)
        #expect(asJSON.map { $0["MESSAGE"] as? String ?? "" }.dropFirst() == alert.evidence.map { AlertsFixture.sources[$0].4 }[...])
        #expect(asJSON.first?["CORDON_RULE_ID"] as? String == alert.ruleID)
        #expect(asJSON.dropFirst().allSatisfy { ($0["__CURSOR"] as? String).map(fixture.sourceCursors.contains) == true })
    }

    @Test func evidenceByCursorAndFromAnotherJournal() throws {
        let json = try objects(try alerts(["-o", "json", "--rule", "sudo-root-shell"]).standardOutput)
        let cursor = try #require(json.first?["__CURSOR"] as? String)
        let identifier = try #require(json.first?["id"] as? String)
        let source = AlertsFixture.sources[3]
        let byCursor = try alerts(["--evidence", cursor])
        #expect(byCursor.status == 0)
        #expect(byCursor.standardOutput.hasSuffix("\(source.1) \(source.2)[\(source.3)]: \(source.4)\n"))
        // Only the forged action claiming this alert is reported.
        #expect(byCursor.standardError == "cordon: 1 entry claimed to be Cordon action entries but were not written by Cordon "
            + "(uid 0, native journal protocol); ignored\n")

        // Alerts from the file alone: the sources are not there, unless --source-directory says where.
        let alone = try runCommand([Paths.cordon, "alerts", "--file", fixture.alertsFile, "--evidence", identifier])
        #expect(alone.status == 66)
        #expect(alone.standardError.contains("none of the 1 source entries is in \(fixture.alertsFile)"))
        let elsewhere = try runCommand([Paths.cordon, "alerts", "--file", fixture.alertsFile, "--evidence", identifier,
                                        "--source-directory", fixture.sourcesDirectory])
        #expect(elsewhere.status == 0)
        #expect(elsewhere.standardOutput.hasSuffix(": \(source.4)\n"))
        let sourceFile = fixture.sourcesDirectory + "/sources.journal"
        let fromFile = try runCommand([Paths.cordon, "alerts", "--file", fixture.alertsFile, "--evidence", identifier,
                                       "--source-file", sourceFile])
        #expect(fromFile.status == 0 && fromFile.standardOutput.hasSuffix(": \(source.4)\n"))

        // An alert whose only source is gone; an id no alert has; something that is no id.
        let gone = try objects(try alerts(["-o", "json", "--rule", "kernel-module-loaded"]).standardOutput)
        let goneResult = try alerts(["--evidence", try #require(gone.first?["id"] as? String)])
        #expect(goneResult.status == 66)
        #expect(goneResult.standardOutput.contains("Kernel module loaded"))
        #expect(goneResult.standardError.contains(AlertsFixture.goneCursor))
        let unknown = try alerts(["--evidence", "000000000000"])
        #expect(unknown.status == 66 && unknown.standardError.contains("no such alert"))
        let nonsense = try alerts(["--evidence", "yesterday"])
        #expect(nonsense.status == 64 && nonsense.standardError.contains("not an alert id"))
        // A forged alert is no alert to explain.
        let forgedCursor = try forgedAlertCursor()
        let forged = try alerts(["--evidence", forgedCursor])
        #expect(forged.status == 66)
    }

    /// The `__CURSOR` of a forged alert in the fixture (read directly).
    func forgedAlertCursor() throws -> String {
        let journal = try Journal(source: .files([fixture.alertsFile]))
        try journal.addMatch(field: "_TRANSPORT", value: "syslog")
        try journal.seekHead()
        guard try journal.next() else { throw FixtureError(message: "no forged alert") }
        return try journal.cursor().rawValue
    }

    @Test func fileOptionReadsThoseFiles() throws {
        let result = try runCommand(["/usr/bin/env", "TZ=UTC", Paths.cordon, "alerts", "--file", fixture.alertsFile, "-o", "json"])
        #expect(result.status == 0)
        #expect(try objects(result.standardOutput).map(Self.key) == expected { _ in true })
        // Two files: the alerts and the sources; the sources are no alerts.
        let both = try runCommand([Paths.cordon, "alerts", "--file", fixture.alertsFile,
                                   "--file", fixture.sourcesDirectory + "/sources.journal", "-o", "json"])
        #expect(try objects(both.standardOutput).count == AlertsFixture.alerts.count)
    }

    @Test func errorsAreOneLine() throws {
        let badSince = try alerts(["--since", "next tuesday"])
        #expect(badSince.status == 64)
        #expect(badSince.standardError.split(separator: "\n").count == 1)
        #expect(badSince.standardError.hasPrefix("cordon: --since 'next tuesday': not a time; use 'YYYY-MM-DD [HH:MM[:SS]]'"))
        let badUntil = try alerts(["--until", "2026-11-31x"])
        #expect(badUntil.status == 64 && badUntil.standardError.hasPrefix("cordon: --until '2026-11-31x'"))
        let missing = try runCommand([Paths.cordon, "alerts", "--directory", fixture.directory + "/absent"])
        #expect(missing.status == 66)
        #expect(missing.standardError == "cordon: \(fixture.directory)/absent: no such file or directory; check the path\n")
        let missingFile = try runCommand([Paths.cordon, "alerts", "--file", fixture.directory + "/absent.journal"])
        #expect(missingFile.status == 66)
        let both = try runCommand([Paths.cordon, "alerts", "--directory", fixture.alertsDirectory, "--file", fixture.alertsFile])
        #expect(both.status == 64)
    }

    @Test func followPrintsNewAlertsUntilSIGTERM() throws {
        let directory = fixture.directory + "/follow-" + uniqueToken()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.alertsFile, toPath: directory + "/alerts.journal")
        let follower = try OutputProcess([Paths.cordon, "alerts", "--directory", directory, "--follow", "-o", "json"])
        defer { follower.kill(SIGKILL) }
        // The last (up to 10) alerts first.
        #expect(follower.waitForOutput(timeout: 15) { $0.split(separator: "\n").count >= AlertsFixture.alerts.count })

        var later = AlertsFixture.alerts[2]
        later.ruleID = "follow-" + uniqueToken()
        later.offset = 30_000
        var bytes: [UInt8] = []
        ExportFormat.append(fixture.entry(for: later), to: &bytes)
        var forged = later
        forged.ruleID = "forged-" + uniqueToken()
        ExportFormat.append(fixture.entry(for: forged, userID: "1000"), to: &bytes)
        _ = try makeJournal(export: bytes, directory: directory, name: "later")
        #expect(follower.waitForOutput(timeout: 15) { $0.contains(later.ruleID) }, "\(follower.output)")

        follower.kill(SIGTERM)
        #expect(follower.wait() == 0)
        let lines = try objects(follower.output)
        #expect(lines.count == AlertsFixture.alerts.count + 1)
        #expect(lines.last?["CORDON_RULE_ID"] as? String == later.ruleID)
        #expect(!follower.output.contains(forged.ruleID))
    }
}

extension AlertsCommandTests {
    @Test func followInShortFormPrintsActionsThatComeLater() throws {
        let directory = fixture.directory + "/follow-short"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.alertsFile, toPath: directory + "/alerts.journal")
        let follower = try OutputProcess(["/usr/bin/env", "TZ=UTC", Paths.cordon, "alerts", "--directory", directory, "-f", "-n", "1"])
        defer { follower.kill(SIGKILL) }
        let newest = try #require(AlertsFixture.alerts.last)
        #expect(follower.waitForOutput(timeout: 15) { $0.contains(newest.title) })

        var later = AlertsFixture.alerts[1]
        later.title = "Brute force " + uniqueToken().prefix(8)
        later.offset = 30_000
        var bytes: [UInt8] = []
        ExportFormat.append(fixture.entry(for: later), to: &bytes)
        ExportFormat.append(fixture.actionEntry(offset: 30_001, alert: later, name: "block-ssh-source", key: "203.0.113.9"), to: &bytes)
        _ = try makeJournal(export: bytes, directory: directory, name: "later")
        #expect(follower.waitForOutput(timeout: 15) { $0.contains("action block-ssh-source") }, "\(follower.output)")
        follower.kill(SIGINT)
        #expect(follower.wait() == 0)

        let lines = follower.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        // Fixed widths: the later alert's columns line up with the first one's.
        let titleColumn = lines.map { line in [newest.title, later.title].compactMap { line.range(of: $0) }.first
            .map { line.distance(from: line.startIndex, to: $0.lowerBound) } }
        #expect(titleColumn.count == 3 && titleColumn[0] != nil && titleColumn[0] == titleColumn[1], "\(lines)")
        let identifier = try #require(lines.dropFirst().first?.split(separator: " ").dropFirst(2).first.map(String.init))
        let time = LocalTimeText.utc(AlertsFixture.start + 30_001 * 1_000_000)
        #expect(lines.last == "\(time)  \(identifier)  action block-ssh-source: applied (203.0.113.9)")
    }
}

extension AlertsCommandTests {
    @Test func localJournalByDefaultIgnoresAlertsForgedWithLogger() throws {
        // Anyone may send an entry with an alert's MESSAGE_ID; here, nobody over the native protocol.
        let token = "forged-" + uniqueToken()
        let fields = "MESSAGE_ID=\(CordonMessageID.alert)\nMESSAGE=cordon: forged\nCORDON_RULE_ID=\(token)\nCORDON_LEVEL=critical\n"
            + "CORDON_TRUSTED=1\nCORDON_HOST=web-1\n"
        let sent = try runCommand(["/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "/usr/bin/logger",
                                   "--journald"], input: Data(fields.utf8))
        #expect(sent.status == 0)
        let deadline = Date().addingTimeInterval(10)
        while try journalEntries(field: "CORDON_RULE_ID", value: token).isEmpty, Date() < deadline { usleep(50_000) }
        #expect(try journalEntries(field: "CORDON_RULE_ID", value: token).first?.string("_UID") == "65534")

        let result = try runCommand([Paths.cordon, "alerts", "--rule", token, "-o", "json"])
        #expect(result.status == 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "cordon: 1 entry claimed to be Cordon alerts but were not written by Cordon "
            + "(uid 0, native journal protocol); ignored\n")
        // Written by "Cordon" for a daemon that runs as that user, it would be one.
        let asNobody = try runCommand([Paths.cordon, "alerts", "--rule", token, "-o", "json", "--writer-uid", "65534"])
        #expect(try objects(asNobody.standardOutput).map { $0["CORDON_RULE_ID"] as? String } == [token])
    }
}

/// Times as `cordon alerts` prints them in TZ=UTC, made with Foundation (not the code under test).
enum LocalTimeText {
    static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    /// `2025-11-20 11:00:00`
    static func utc(_ microseconds: UInt64) -> String {
        formatter("yyyy-MM-dd HH:mm:ss").string(from: Date(timeIntervalSince1970: Double(microseconds / 1_000_000)))
    }

    /// `Nov 20 11:00:00`
    static func syslog(_ microseconds: UInt64) -> String {
        formatter("MMM dd HH:mm:ss").string(from: Date(timeIntervalSince1970: Double(microseconds / 1_000_000)))
    }
}

/// A process whose stdout is collected while it runs (for `--follow`).
final class OutputProcess: @unchecked Sendable {
    // @unchecked: `collected` is only touched under `lock`.
    private let process = Process()
    private let lock = NSLock()
    private var collected = Data()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.collected.append(data)
            self.lock.unlock()
        }
        try process.run()
    }

    var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Polls until `condition` holds for the output so far, or the timeout passes.
    func waitForOutput(timeout: Double, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(output) { return true }
            if !process.isRunning { return condition(output) }
            usleep(50_000)
        }
        return condition(output)
    }

    func kill(_ signal: Int32) {
        if process.isRunning { Glibc.kill(process.processIdentifier, signal) }
    }

    func wait() -> Int32 {
        process.waitUntilExit()
        usleep(100_000)  // let the last output arrive
        return process.terminationStatus
    }
}
