import Foundation
import Journal
import Testing

/// Kernel audit records in the exact form journald stores them (Tests/Fixtures/audit/*.log,
/// turned into journal files by scripts/audit-export.py and systemd-journal-remote), assembled
/// into events that SigmaHQ's rules match.
@Suite(.serialized) struct AuditEventTests {
    /// Per fixture, the SigmaHQ rules (ids in ../shared/sigma/rules/rules/linux) its alerts
    /// come from, and how many alerts. Tests/Fixtures/audit/EXPECTED.md says which event or
    /// record each matches on.
    static let expected: [(fixture: String, rules: [String: Int])] = [
        // proc_creation_lnx_susp_pipe_shell (the `bash -c` event), proc_creation_lnx_curl_usage (curl)
        ("curl-pipe-sh", ["880973f3-9708-491c-a77b-2a35a1921158": 1, "ea34fb97-e2c4-4afb-810f-785e4459b194": 1]),
        // lnx_auditd_create_account: the useradd SYSCALL records (three events) and the ADD_USER record
        ("useradd", ["759d0d51-bc99-4b5e-9add-8f5b2c8e7512": 4]),
        // lnx_auditd_file_or_folder_permissions, lnx_auditd_susp_cmds (EXECVE record),
        // proc_creation_lnx_chmod_targeting_sensitive_directories (the process event)
        ("chmod-setuid", ["74c01ace-0152-4094-8ae2-6fd776dd43e5": 1, "1543ae20-cbdf-4ec1-8d12-7664d667a825": 1,
                          "6419afd1-3742-47a5-a7e6-b50386cd15f8": 1]),
        // proc_creation_lnx_bash_interactive_shell; net_connection_lnx_back_connect_shell_dev and
        // net_connection_lnx_susp_malware_callback_port on bash's connect to 203.0.113.5:4444
        ("dev-tcp-reverse-shell", ["6104e693-a7d6-4891-86cb-49a258523559": 1, "83dcd9f6-9ca8-4af7-a16e-a1c7a6b51871": 1,
                                   "dbfc7c98-04ab-4ab7-aa94-c74d22aa7376": 1]),
        // file_event_lnx_susp_cron_file_created: the temporary file and the renamed crontab
        ("crontab-e", ["6c4e2f43-d94d-4ead-b64d-97e53fa2bd05": 2]),
        // lnx_auditd_load_module_insmod: the execve and the finit_module events
        ("insmod", ["106d7cbd-80ff-4985-b682-a7043e5acb72": 2]),
        // lnx_auditd_hidden_binary_execution: the PATH record of /root/.ssh/ (a hidden directory)
        ("authorized-keys", ["9e1bef8d-0fff-46f6-8465-9aa54e128c1e": 1]),
        // lnx_auditd_user_discovery on both EXECVE records, lnx_auditd_system_info_discovery on uname's;
        // proc_creation_lnx_local_account (id), proc_creation_lnx_system_info_discovery (uname)
        ("interleaved", ["9a0d8ca0-2385-4020-b6c6-cb6153ca56f3": 2, "f34047d9-20d3-4e8b-8672-0a35cc50dc71": 1,
                         "b45e3d6f-42c6-47d8-a478-df6bd6cf534c": 1, "42df45e7-e6e9-43b5-8f26-bec5b39cc239": 1]),
        // The chmod event lost its SYSCALL record: the EXECVE record still matches
        // lnx_auditd_file_or_folder_permissions, and the process event takes its Image from the PATH
        // record (proc_creation_lnx_chmod_targeting_sensitive_directories); the wget event before it is whole.
        ("lost-record", ["74c01ace-0152-4094-8ae2-6fd776dd43e5": 1, "6419afd1-3742-47a5-a7e6-b50386cd15f8": 1,
                         "cf610c15-ed71-46e1-bdf8-2bd1a99de6c4": 1]),
        // lnx_auditd_web_rce: www-data (euid 33) runs a program with 10,000 arguments
        ("many-args", ["c0d3734d-330f-4a03-aae2-65dacc6a8222": 1]),
        // lnx_auditd_susp_exe_folders, proc_creation_lnx_susp_execution_tmp_folder ("/tmp/my prog")
        ("odd-args", ["a39d7fa7-3fbd-4dc2-97e1-d87f546b1bbc": 1, "312b42b1-bded-4441-8b58-163a3af58775": 1]),
        // the first pid 5000 (python3) starts id; the reused pid 5000 is nc
        ("pid-reuse", ["9a0d8ca0-2385-4020-b6c6-cb6153ca56f3": 1, "b45e3d6f-42c6-47d8-a478-df6bd6cf534c": 1,
                       "7f734ed0-4f47-46c0-837f-6ee62505abd9": 1, "3e102cd9-a70d-4a7a-9508-403963092f31": 1]),
    ]

    /// Writes the journal of one fixture into `directory` (binary-safe: the export holds raw bytes).
    static func makeAuditJournal(_ fixture: String, in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = "python3 \"$0\" \"$1\" | /lib/systemd/systemd-journal-remote --output=\"$2/fixture.journal\" -"
        let result = try runCommand(["/bin/sh", "-c", script, Paths.packageRoot + "/scripts/audit-export.py",
                                     Paths.fixtures + "/audit/" + fixture + ".log", directory])
        guard result.status == 0 else { throw FixtureError(message: result.standardError) }
    }

    /// Replays one fixture with the shipped mapping and SigmaHQ's Linux rules.
    static func replay(_ fixture: String, extraArguments: [String] = []) throws -> (alerts: [[String: Any]], stats: String) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try makeAuditJournal(fixture, in: directory.path + "/journal")
        let result = try runCommand([Paths.cordon, "replay", "--rules", Paths.logSources, "--rules", Paths.sigmaLinuxRules,
                                     "-o", "json", "--stats"] + extraArguments + [directory.path + "/journal"])
        guard result.status == 0 else { throw FixtureError(message: result.standardError) }
        let alerts = try result.standardOutput.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        return (alerts, result.standardError)
    }

    @Test("Each audit fixture raises exactly the SigmaHQ alerts named for it, all trusted", arguments: expected.map(\.fixture))
    func fixtureMatchesItsRules(fixture: String) throws {
        let (alerts, stats) = try Self.replay(fixture)
        var counts: [String: Int] = [:]
        for alert in alerts { counts[alert["CORDON_RULE_ID"] as? String ?? "", default: 0] += 1 }
        let expected = Self.expected.first { $0.fixture == fixture }!.rules
        #expect(counts == expected, "\(fixture): \(stats)")
        let untrusted = alerts.filter { $0["CORDON_TRUSTED"] as? String != "1" }
        #expect(untrusted.isEmpty, "\(fixture)")
        #expect(stats.contains("0 completed early"), "\(stats)")
    }

    @Test("A process event's alert carries its assembled Image and CommandLine, trusted, under the process_creation log source")
    func assembledFieldsReachTheAlert() throws {
        let (alerts, _) = try Self.replay("curl-pipe-sh")
        let curl = try #require(alerts.first { $0["CORDON_RULE_ID"] as? String == "ea34fb97-e2c4-4afb-810f-785e4459b194" })
        #expect(curl["CORDON_FIELD_IMAGE"] as? String == "/usr/bin/curl")
        #expect(curl["CORDON_TRUSTED"] as? String == "1")
        #expect(curl["CORDON_LOGSOURCE"] as? String == "category:process_creation product:linux")
        let pipe = try #require(alerts.first { $0["CORDON_RULE_ID"] as? String == "880973f3-9708-491c-a77b-2a35a1921158" })
        #expect((pipe["CORDON_FIELD_COMMANDLINE"] as? String)?.hasPrefix("bash -c curl -s http://198.51.100.7/") == true)
    }

    /// The audit fixtures' MESSAGE texts as `logger -t audit` would send them: syslog transport,
    /// SYSLOG_IDENTIFIER=audit, logger's own process fields.
    @Test("The same records sent with logger -t audit are never assembled and never trusted")
    func forgedRecordsAreNotAssembled() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.makeAuditJournal("dev-tcp-reverse-shell", in: directory.path + "/genuine")
        let journal = try Journal(source: .directory(directory.path + "/genuine"))
        var forgedExport: [UInt8] = []
        var realtime: UInt64 = 1_764_151_200_000_000
        try journal.seekHead()
        while try journal.next() {
            let entry = try journal.entry()
            realtime += 1000
            let message = try #require(entry.value(of: "MESSAGE"))
            ExportFormat.append(exportEntry(realtime: realtime, fields: [
                ("_TRANSPORT", Array("syslog".utf8)), ("SYSLOG_IDENTIFIER", Array("audit".utf8)),
                ("_COMM", Array("logger".utf8)), ("_EXE", Array("/usr/bin/logger".utf8)), ("_UID", Array("65534".utf8)),
                ("_HOSTNAME", Array("deb12".utf8)), ("MESSAGE", Array(message)),
            ]), to: &forgedExport)
        }
        let forged = try makeJournal(export: forgedExport, directory: directory.path + "/forged")
        let result = try runCommand([Paths.cordon, "replay", "--rules", Paths.logSources, "--rules", Paths.sigmaLinuxRules,
                                     "-o", "json", "--stats", forged])
        #expect(result.status == 0, "\(result.standardError)")
        let alerts = try result.standardOutput.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(alerts.allSatisfy { $0["CORDON_TRUSTED"] as? String == "0" })
        // No assembled event at all: keyword rules on MESSAGE may still see the text, untrusted.
        #expect(alerts.allSatisfy { ($0["CORDON_LOGSOURCE"] as? String) == "product:linux" }, "\(alerts)")
        #expect(!result.standardError.contains("assembled"), "\(result.standardError)")
    }
}

/// An audit event whose records straddle a crash is assembled whole after the restart.
@Suite(.serialized) struct AuditRestartTests {
    @Test("SIGKILL while an audit event is half read: after the restart it is read again whole, and nothing alerts twice")
    func eventInFlightSurvivesSIGKILL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let host = "restart-" + uniqueToken().prefix(12)
        // The fixture's entries as journald would store them, on a host of this test's own.
        let exportFile = directory.path + "/fixture.export"
        let exported = try runCommand(["/bin/sh", "-c", "python3 \"$0\" --hostname \"$1\" \"$2\" > \"$3\"",
                                       Paths.packageRoot + "/scripts/audit-export.py", String(host),
                                       Paths.fixtures + "/audit/curl-pipe-sh.log", exportFile])
        try #require(exported.status == 0, "\(exported.standardError)")
        let export = try String(contentsOfFile: exportFile, encoding: .utf8)
        var entries = export.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        // Split the curl exec event (audit serial 4233) after its SYSCALL and EXECVE records.
        let first = try #require(entries.firstIndex { $0.contains("\n_AUDIT_ID=4233\n") })
        #expect(entries[first].contains("_AUDIT_TYPE_NAME=SYSCALL"))
        let split = first + 2
        let before = entries[..<split].joined(separator: "\n\n") + "\n\n"
        let after = entries[split...].joined(separator: "\n\n") + "\n\n"
        entries.removeAll()

        let rules = Paths.packageRoot + "/../shared/sigma/rules/rules/linux/process_creation/"
        // Checkpoints every 100 ms; events never completed for idleness, so the crash finds one in flight.
        let configuration = try directory.write("cordon.yaml", "checkpoint: {interval_ms: 100, entries: 10000}\nassembly: {idle_ms: 600000}\n")
        let live = directory.path + "/live"
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
        let arguments = ["--config", configuration, "--rules", Paths.logSources,
                         "--rules", rules + "proc_creation_lnx_curl_usage.yml", "--rules", rules + "proc_creation_lnx_susp_pipe_shell.yml",
                         "--state-dir", directory.path + "/state", "--directory", live, "--from-start"]
        let daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        defer { _ = daemon.stop() }
        try #require(daemon.waitUntilStarted(), "\(daemon.log)")
        _ = try makeJournal(export: Array(before.utf8), directory: live, name: "a")

        // The `bash -c` event is whole in the first part: its alert comes; curl's event waits for its records.
        let firstAlerts = try waitForAlerts(field: "CORDON_HOST", value: String(host), count: 1, timeout: 20)
        try #require(firstAlerts.count == 1, "\(daemon.log)")
        #expect(firstAlerts[0].string("CORDON_RULE_ID") == "880973f3-9708-491c-a77b-2a35a1921158")
        // `run` on journal files keeps a checkpoint per host (machine id).
        let checkpointPath = directory.path + "/state/hosts/4f1c2a9be0d34c6a9d8e7f6a5b4c3d21/checkpoint"
        let deadline = Date().addingTimeInterval(10)
        var checkpoint = ""
        repeat {
            checkpoint = (try? String(contentsOfFile: checkpointPath, encoding: .utf8)) ?? ""
            if checkpoint.contains("\nat ") { break }
            usleep(20_000)
        } while Date() < deadline
        #expect(checkpoint.contains("\nat "), "the checkpoint does not point at the event in flight: \(checkpoint)")
        daemon.kill(SIGKILL)
        _ = daemon.wait()

        // The rest of the event arrives while Cordon is down; the restart reads the event again from its SYSCALL record.
        _ = try makeJournal(export: Array(after.utf8), directory: live, name: "b")
        let restarted = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon2.log")
        defer { _ = restarted.stop() }
        try #require(restarted.waitUntilStarted(), "\(restarted.log)")
        _ = try waitForAlerts(field: "CORDON_HOST", value: String(host), count: 2, timeout: 20)
        usleep(1_000_000)
        let alerts = try alertEntries(field: "CORDON_HOST", value: String(host))
        let alerted = alerts.map { $0.string("CORDON_RULE_ID") ?? "" }.sorted()
        #expect(alerted == ["880973f3-9708-491c-a77b-2a35a1921158", "ea34fb97-e2c4-4afb-810f-785e4459b194"], "\(restarted.log)")
        // Image comes from the SYSCALL record, read before the crash and again after it.
        let curl = alerts.first { $0.string("CORDON_RULE_ID") == "ea34fb97-e2c4-4afb-810f-785e4459b194" }
        #expect(curl?.string("CORDON_FIELD_IMAGE") == "/usr/bin/curl")
        // The alert's evidence is the event's first record: the SYSCALL record from before the crash.
        let cursor = try #require(curl?.string("CORDON_SOURCE_CURSOR").flatMap(Cursor.init))
        let journal = try Journal(source: .directory(live))
        try journal.seek(to: cursor)
        #expect(try journal.next())
        #expect(try journal.entry().string("_AUDIT_TYPE_NAME") == "SYSCALL")
        #expect(restarted.stop() == 0)
    }
}
