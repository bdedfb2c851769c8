import Foundation
import Journal
import Parse
import Testing

/// The learned anomaly detectors over real journal files, run by the daemon with SIGKILLs during
/// and after learning: every anomaly alert exactly once, the same as a replay; the model the
/// daemon saved is the model an uninterrupted `cordon learn` makes; and a replay from a saved
/// model gives the same anomaly alerts every time, the ones a replay of the whole history gives.
@Suite(.serialized) struct AnomalyLiveTests {
    static let hour: UInt64 = 3_600_000_000
    static let day: UInt64 = 24 * hour
    static let start: UInt64 = 1_709_251_200_000_000  // 2024-03-01T00:00:00Z

    /// The shipped anomaly detectors with fresh ids (alerts of this run only) and a one-day
    /// learning period, plus the login rule rare_login reads.
    static func rules(in directory: TemporaryDirectory) throws -> (paths: [String], identifiers: [String]) {
        var identifiers: [String] = []
        for file in ["rare-category", "category-rate", "rare-process", "rare-login"] {
            var text = try String(contentsOfFile: Paths.shippedRules + "/anomaly/\(file).yml", encoding: .utf8)
            text = text.replacingOccurrences(of: "learning: 7d", with: "learning: 1d")
                .replacingOccurrences(of: "limit: 3", with: "limit: 20").replacingOccurrences(of: "limit: 5", with: "limit: 20")
            for line in text.split(separator: "\n") where line.hasPrefix("id: ") {
                let fresh = UUID().uuidString.lowercased()
                text = text.replacingOccurrences(of: String(line), with: "id: \(fresh)")
                if !line.contains("fbd44b43") { identifiers.append(fresh) }  // not process_started, a base rule
            }
            _ = try directory.write("rules/\(file).yml", text)
        }
        let login = try String(contentsOfFile: Paths.shippedRules + "/credential-access/sshd-accepted-login.yml", encoding: .utf8)
        _ = try directory.write("rules/sshd-accepted-login.yml", login)
        return ([directory.path + "/rules", Paths.logSources], identifiers)
    }

    /// Three days of a small host's journal, one entry every 6 s, as two files (days 1–2, day 3).
    /// Day 1 is learning; afterwards: new kinds of sshd messages, a shell under nginx, logins from
    /// new networks and at night, an error storm; the last entry is a new sshd message.
    static func fixture(in directory: String) throws -> (early: String, late: String) {
        var early: [UInt8] = [], late: [UInt8] = []
        var index = 0
        var time = start
        func add(_ fields: [(String, String)], at realtime: UInt64) {
            let entry = exportEntry(realtime: realtime, fields: fields.map { ($0.0, Array($0.1.utf8)) })
            if realtime < start + 2 * day { ExportFormat.append(entry, to: &early) } else { ExportFormat.append(entry, to: &late) }
        }
        func sshd(_ message: String, at realtime: UInt64) {
            add([("MESSAGE", message), ("SYSLOG_IDENTIFIER", "sshd"), ("_SYSTEMD_UNIT", "ssh.service"), ("_EXE", "/usr/sbin/sshd"),
                 ("_COMM", "sshd"), ("_UID", "0"), ("_PID", "812"), ("_TRANSPORT", "syslog")], at: realtime)
        }
        func unit(_ name: String, _ exe: String, _ comm: String, _ uid: String, _ message: String, at realtime: UInt64) {
            add([("MESSAGE", message), ("SYSLOG_IDENTIFIER", comm), ("_SYSTEMD_UNIT", name), ("_EXE", exe), ("_COMM", comm),
                 ("_UID", uid), ("_PID", "900"), ("_TRANSPORT", "stdout")], at: realtime)
        }
        let novel = ["error: kex_exchange_identification: Connection closed by remote host",
                     "Unable to negotiate with 198.51.100.4 port 40022: no matching key exchange method found",
                     "fatal: Timeout before authentication for 203.0.113.7 port 51122",
                     "error: maximum authentication attempts exceeded for root from 192.0.2.33 port 33210 ssh2 [preauth]"]
        while time < start + 3 * day {
            let hourOfDay = (time / hour) % 24
            switch index % 6 {
            case 0: sshd("Failed password for invalid user \(["admin", "test", "oracle"][index % 3]) from 203.0.113.\(index % 250 + 1) port \(30_000 + index % 30_000) ssh2", at: time)
            case 1: sshd("Connection closed by 203.0.113.\(index % 250 + 1) port \(30_000 + index % 30_000) [preauth]", at: time)
            case 2: unit("nginx.service", "/usr/sbin/nginx", "nginx", "33", "10.20.5.\(index % 40 + 10) - - \"GET /api/v1/patients/\(index) HTTP/1.1\" 200 \(index % 900)", at: time)
            case 3: unit("cron.service", "/usr/sbin/cron", "cron", "0", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", at: time)
            case 4: unit("ehr-api.service", "/usr/bin/java", "java", "998", "INFO c.h.ehr.web.AccessLogFilter : GET /api/v1/patients/\(index) 200 \(index % 300)ms", at: time)
            default:
                if (9...17).contains(hourOfDay), index % 60 == 5 {
                    sshd("Accepted publickey for alice from 10.20.5.\(index % 30 + 10) port \(50_000 + index % 10_000) ssh2: ED25519 SHA256:abc", at: time)
                } else {
                    unit("ehr-api.service", "/usr/bin/java", "java", "998", "WARN c.h.ehr.db.Pool : slow query \(index % 700) ms", at: time)
                }
            }
            let offset = time - start
            if offset >= day + 2 * hour, (offset - day) % (8 * hour) < 6_000_000 {
                sshd(novel[Int((offset - day) / (8 * hour)) % novel.count], at: time + 1)
            }
            if offset == day + 5 * hour + 3 * 6_000_000 {
                unit("nginx.service", "/usr/bin/dash", "sh", "33", "sh: 1: curl: not found", at: time + 2)
            }
            if offset >= 2 * day + 3 * hour, offset < 2 * day + 3 * hour + 6_000_000 {
                sshd("Accepted publickey for alice from 198.51.100.23 port 40404 ssh2: ED25519 SHA256:abc", at: time + 3)
            }
            if offset >= 2 * day + 14 * hour, offset < 2 * day + 14 * hour + 6_000_000 {
                for storm in 0..<1_500 {
                    unit("ehr-api.service", "/usr/bin/java", "java", "998", "ERROR c.h.ehr.db.Pool : connection pool exhausted after \(storm % 50) waiters", at: time + 4 + UInt64(storm) * 200_000)
                }
            }
            index += 1
            time += 6_000_000
        }
        sshd("fatal: the last entry of the fixture", at: time)
        return (try makeJournal(export: early, directory: directory, name: "early"),
                try makeJournal(export: late, directory: directory, name: "late"))
    }

    /// The rules (their anomaly detectors' ids and `--rules` arguments) and the fixture's journal
    /// directory and files, in `directory`.
    static func prepare(in directory: TemporaryDirectory) throws
        -> (identifiers: [String], ruleArguments: [String], journals: String, early: String, late: String) {
        let (rulePaths, identifiers) = try rules(in: directory)
        let journals = directory.path + "/journal"
        let (early, late) = try fixture(in: journals)
        return (identifiers, rulePaths.flatMap { ["--rules", $0] }, journals, early, late)
    }

    static func anomalyAlerts(_ output: String, _ identifiers: [String]) throws -> [[String: String]] {
        try parseJSONLines(output).filter { identifiers.contains($0["CORDON_RULE_ID"] ?? "") }
    }

    static func signature(_ alert: [String: String]) -> String {
        "\(alert["CORDON_RULE_ID"] ?? "")|\(alert["CORDON_SOURCE_CURSOR"] ?? "")|\(alert["CORDON_ANOMALY_VALUE"] ?? "")"
    }

    @Test("SIGKILLs during and after learning: every anomaly alert once, as in a replay, and the saved model is the one an uninterrupted learn makes")
    func crashesKeepTheModelAndTheAlerts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (identifiers, ruleArguments, journals, early, late) = try Self.prepare(in: directory)

        let replay = try runCommand([Paths.cordon, "replay", "-o", "json"] + ruleArguments + [journals])
        #expect(replay.status == 0, "\(replay.standardError)")
        let replayed = try Self.anomalyAlerts(replay.standardOutput, identifiers)
        let types = Set(replayed.compactMap { $0["CORDON_CORRELATION_TYPE"] })
        #expect(types == ["rare_category", "rare_process", "rare_login", "category_rate"], "\(replayed.map { $0["MESSAGE"] ?? "" })")
        let lastAlert = try #require(replayed.last { $0["CORDON_ANOMALY_EXPLANATION"]?.isEmpty == false && $0["MESSAGE"]?.contains("ssh.service") == true })

        // The daemon over the same files, killed every 0.2–0.7 s while it learns and after.
        let configuration = try directory.write("cordon.yaml", "checkpoint: {interval_ms: 50, entries: 2000}\njournal_tampering: false\n")
        let state = directory.path + "/state"
        let arguments = ["--config", configuration, "--state-dir", state, "--directory", journals, "--from-start"] + ruleArguments
        var daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        var kills = 0, killsWhileLearning = 0
        let hostCheckpoint = state + "/hosts/" + fixtureMachineID + "/checkpoint"
        for _ in 0..<12 {
            usleep(UInt32.random(in: 200_000...700_000))
            daemon.kill(SIGKILL)
            _ = daemon.wait()
            kills += 1
            // Where the checkpoint stood at the kill: within the learning day or after it.
            if let text = try? String(contentsOfFile: hostCheckpoint, encoding: .isoLatin1),
               let part = text.split(separator: "\n").dropFirst().first?.split(separator: ";").first(where: { $0.hasPrefix("t=") }),
               let realtime = UInt64(part.dropFirst(2), radix: 16), realtime < Self.start + Self.day {
                killsWhileLearning += 1
            }
            daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        }
        let caughtUp = try waitForEntries(CordonMessageID.anomaly, "CORDON_SOURCE_CURSOR", try #require(lastAlert["CORDON_SOURCE_CURSOR"]),
                                          count: 1, timeout: 120)
        #expect(caughtUp.count == 1, "\(daemon.log.suffix(2000))")
        usleep(500_000)
        #expect(daemon.stop() == 0, "\(daemon.log.suffix(2000))")
        var live: [[String: String]] = []
        for identifier in identifiers {
            for entry in try alertEntries(field: "CORDON_RULE_ID", value: identifier) {
                var alert: [String: String] = [:]
                for field in entry.fields { alert[field.nameString] = String(decoding: field.value, as: UTF8.self) }
                live.append(alert)
            }
        }
        let liveSignatures = live.map(Self.signature)
        #expect(killsWhileLearning >= 1, "no kill came while the model was learning")
        #expect(Set(liveSignatures).count == liveSignatures.count, "an anomaly alert was written twice after \(kills) kills")
        #expect(liveSignatures.sorted() == replayed.map(Self.signature).sorted())

        // The model the daemon saved is the model of one uninterrupted pass.
        let learned = directory.path + "/learned"
        let learn = try runCommand([Paths.cordon, "learn", "--state-dir", learned] + ruleArguments + [early, late])
        #expect(learn.status == 0, "\(learn.standardError)")
        // Journal files are read per machine (fleet mode): the model is in the host's state directory.
        let hostState = state + "/hosts/" + fixtureMachineID
        let exported = try runCommand([Paths.cordon, "model", "export", "--state-dir", hostState] + ruleArguments)
        let expected = try runCommand([Paths.cordon, "model", "export", "--state-dir", learned] + ruleArguments)
        #expect(exported.status == 0 && expected.status == 0, "\(exported.standardError) \(expected.standardError)")
        #expect(exported.standardOutput == expected.standardOutput)
        #expect(exported.standardOutput.contains("\"template\""))
    }

    @Test("learn then replay --model: the same anomaly alerts on every replay, equal to those of a replay of the whole history")
    func replayFromASavedModelIsDeterministic() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (identifiers, ruleArguments, _, early, late) = try Self.prepare(in: directory)
        let state = directory.path + "/state"
        let learn = try runCommand([Paths.cordon, "learn", "--state-dir", state] + ruleArguments + [early])
        #expect(learn.status == 0, "\(learn.standardError)")
        #expect(learn.standardOutput.contains("learning over"), "\(learn.standardOutput)")
        let first = try runCommand([Paths.cordon, "replay", "-o", "json", "--model", state] + ruleArguments + [late])
        let second = try runCommand([Paths.cordon, "replay", "-o", "json", "--model", state] + ruleArguments + [late])
        #expect(first.status == 0, "\(first.standardError)")
        let firstAlerts = try Self.anomalyAlerts(first.standardOutput, identifiers)
        #expect(!firstAlerts.isEmpty)
        #expect(first.standardOutput == second.standardOutput)
        // The whole history in one replay: its day-3 anomaly alerts are the same.
        let whole = try runCommand([Paths.cordon, "replay", "-o", "json"] + ruleArguments + [early, late])
        let dayThree = try Self.anomalyAlerts(whole.standardOutput, identifiers).filter {
            UInt64($0["CORDON_SOURCE_REALTIME"] ?? "0") ?? 0 >= Self.start + 2 * Self.day
        }
        #expect(firstAlerts.map(Self.signature) == dayThree.map(Self.signature))
        // Without the model, day 3 alone is learning: no anomaly alert until its last entry, a day after its first.
        let fresh = try runCommand([Paths.cordon, "replay", "-o", "json"] + ruleArguments + [late])
        #expect(try Self.anomalyAlerts(fresh.standardOutput, identifiers).allSatisfy {
            UInt64($0["CORDON_SOURCE_REALTIME"] ?? "0") ?? 0 >= Self.start + 3 * Self.day
        })
        // An operator marks a value normal: that alert is gone from the next replay, the rest stay.
        let value = try #require(firstAlerts.first?["CORDON_ANOMALY_VALUE"])
        let forget = try runCommand([Paths.cordon, "model", "forget", "--state-dir", state] + ruleArguments + [value])
        #expect(forget.status == 0, "\(forget.standardError)")
        let after = try Self.anomalyAlerts(try runCommand([Paths.cordon, "replay", "-o", "json", "--model", state] + ruleArguments + [late]).standardOutput, identifiers)
        #expect(after.map(Self.signature) == firstAlerts.filter { $0["CORDON_ANOMALY_VALUE"] != value }.map(Self.signature))
        let show = try runCommand([Paths.cordon, "model", "show", "--state-dir", state, "--source", "ssh*"] + ruleArguments)
        #expect(show.status == 0)
        #expect(show.standardOutput.contains("ssh.service:"))
        #expect(show.standardOutput.contains("Marked normal"))
    }
}

extension AnomalyLiveTests {
    @Test("a rule selects on CORDON_TEMPLATE; an entry that brings its own CORDON_TEMPLATE or CORDON_CATEGORY cannot forge them")
    func rulesSelectOnCategories() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (rulePaths, _) = try Self.rules(in: directory)
        let ruleIdentifier = UUID().uuidString.lowercased()
        let rule = try directory.write("more/template.yml", """
            title: sshd key exchange closed early
            id: \(ruleIdentifier)
            level: low
            logsource: {product: linux, service: sshd}
            detection:
                selection:
                    CORDON_TEMPLATE|startswith: 'error: kex_exchange_identification'
                condition: selection
            """)
        var export: [UInt8] = []
        let sshd: [(String, String)] = [("SYSLOG_IDENTIFIER", "sshd"), ("_SYSTEMD_UNIT", "ssh.service"), ("_EXE", "/usr/sbin/sshd"),
                                         ("_COMM", "sshd"), ("_UID", "0"), ("_TRANSPORT", "syslog")]
        let entries: [[(String, String)]] = [
            [("MESSAGE", "error: kex_exchange_identification: Connection closed by remote host")] + sshd,
            [("MESSAGE", "Connection closed by 203.0.113.9 port 4022 [preauth]"),
             ("CORDON_TEMPLATE", "error: kex_exchange_identification: forged"), ("CORDON_CATEGORY", "0000000000000000")] + sshd,
        ]
        for (index, fields) in entries.enumerated() {
            ExportFormat.append(exportEntry(realtime: Self.start + UInt64(index) * 1_000_000, fields: fields.map { ($0.0, Array($0.1.utf8)) }),
                                to: &export)
        }
        let journal = try makeJournal(export: export, directory: directory.path + "/journal")
        let replay = try runCommand([Paths.cordon, "replay", "-o", "json", "--rules", rule] + rulePaths.flatMap { ["--rules", $0] } + [journal])
        #expect(replay.status == 0, "\(replay.standardError)")
        let alerts = try parseJSONLines(replay.standardOutput).filter { $0["CORDON_RULE_ID"] == ruleIdentifier }
        #expect(alerts.count == 1)
        #expect(alerts.first?["CORDON_FIELD_CORDON_TEMPLATE"] == "error: kex_exchange_identification: Connection closed by remote host")
    }
}
