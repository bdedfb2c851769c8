import Foundation
import Journal
import Testing

/// Correlation rules on the real journald: crashes neither lose nor repeat a correlation alert,
/// and replaying the journal afterwards gives the alerts the live run gave.
@Suite(.serialized) struct CorrelationLiveTests {
    static func rules(token: String, baseIdentifier: String, correlationIdentifier: String,
                      quickIdentifier: String) -> String {
        """
        title: Correlation test entry \(token)
        id: \(baseIdentifier)
        name: corr_base_\(token)
        level: low
        logsource:
            product: linux
        detection:
            selection:
                CORDONTEST_CORR: '\(token)'
            condition: selection
        ---
        title: Five entries of one group \(token)
        id: \(correlationIdentifier)
        level: high
        correlation:
            type: event_count
            rules: [corr_base_\(token)]
            group-by: [CORDONTEST_GROUP]
            timespan: 1h
            condition:
                gte: 5
        ---
        title: Three entries of one group within two seconds \(token)
        id: \(quickIdentifier)
        level: high
        correlation:
            type: event_count
            rules: [corr_base_\(token)]
            group-by: [CORDONTEST_GROUP]
            timespan: 2s
            condition:
                gte: 3
        """
    }

    @Test("20 SIGKILLs while brute-force-like sequences straddle the restarts: every correlation alert exactly once; replay gives the same set")
    func crashesNeitherLoseNorRepeatCorrelationAlerts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let base = UUID().uuidString.lowercased(), counted = UUID().uuidString.lowercased(), quick = UUID().uuidString.lowercased()
        let rules = try directory.write("rules/correlation.yml", Self.rules(token: token, baseIdentifier: base,
                                                                            correlationIdentifier: counted, quickIdentifier: quick))
        // Checkpoints (with the correlation state) every 50 ms, so most restarts resume from a saved
        // state rather than from the first entry.
        let configuration = try directory.write("cordon.yaml", "checkpoint: {interval_ms: 50, entries: 10000}\n")
        let arguments = ["--config", configuration, "--rules", rules, "--rules", Paths.logSources,
                         "--state-dir", directory.path + "/state"]
        // 40 groups of 5 entries over about 8 s. Slow groups get one entry per round, about 1.5 s
        // apart, so the 2-second rule never sees three of them; fast groups (every fourth) get
        // their five in a burst.
        let groups = 40

        var daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        #expect(daemon.waitUntilStarted(), "daemon did not start: \(daemon.log)")
        let finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            let journal = JournalWriter()
            // Fast groups: all five entries at once, at a random moment; the others round by round.
            for round in 0..<5 {
                for group in 0..<groups where group % 4 != 0 {
                    try? journal.send([JournalField("MESSAGE", "correlation test \(group)/\(round)"),
                                       JournalField("CORDONTEST_CORR", token), JournalField("CORDONTEST_GROUP", "g\(group)")])
                    usleep(UInt32.random(in: 40_000...60_000))
                }
                for group in stride(from: round * 2, to: groups, by: 10) where group % 4 == 0 {
                    for burst in 0..<5 {
                        try? journal.send([JournalField("MESSAGE", "correlation test \(group)/\(burst) burst"),
                                           JournalField("CORDONTEST_CORR", token), JournalField("CORDONTEST_GROUP", "g\(group)")])
                    }
                }
            }
            finished.signal()
        }
        writer.start()
        for _ in 0..<20 {
            usleep(UInt32.random(in: 100_000...400_000))
            daemon.kill(SIGKILL)
            _ = daemon.wait()
            daemon = try DaemonProcess(arguments: arguments, logPath: directory.path + "/daemon.log")
        }
        finished.wait()
        let fastGroups = (0..<groups).filter { $0 % 4 == 0 }
        _ = try waitForAlerts(field: "CORDON_RULE_ID", value: counted, count: groups, timeout: 60)
        _ = try waitForAlerts(field: "CORDON_RULE_ID", value: quick, count: fastGroups.count, timeout: 30)
        usleep(2_000_000)  // time for a duplicate, if one were coming
        #expect(daemon.stop() == 0, "daemon log: \(daemon.log.suffix(2000))")
        // The checkpoint carries the correlation state (version 2): restarts resume from it.
        let checkpoint = try #require(FileManager.default.contents(atPath: directory.path + "/state/checkpoint"))
        #expect(checkpoint.starts(with: Array("cordon-checkpoint 2\n".utf8)))

        let live = try alertEntries(field: "CORDON_RULE_ID", value: counted)
        let liveGroups = live.compactMap { $0.string("CORDON_FIELD_CORDONTEST_GROUP") }
        #expect(live.count == groups, "\(liveGroups.sorted())")
        #expect(Set(liveGroups) == Set((0..<groups).map { "g\($0)" }))
        let liveQuick = try alertEntries(field: "CORDON_RULE_ID", value: quick)
        #expect(Set(liveQuick.compactMap { $0.string("CORDON_FIELD_CORDONTEST_GROUP") }) == Set(fastGroups.map { "g\($0)" }))
        #expect(liveQuick.count == fastGroups.count)
        // generate: false: the base rule never alerted on its own.
        #expect(try alertEntries(field: "CORDON_RULE_ID", value: base).isEmpty)

        // Replay the journal files: the same correlation alerts, evidence and groups.
        let journalDirectories = ["/run/log/journal", "/var/log/journal"].filter {
            (try? FileManager.default.contentsOfDirectory(atPath: $0))?.isEmpty == false
        }
        let replay = try runCommand([Paths.cordon, "replay", "--rules", rules, "--rules", Paths.logSources, "-o", "json"]
                                    + journalDirectories)
        #expect(replay.status == 0, "\(replay.standardError)")
        let replayed = try parseJSONLines(replay.standardOutput).filter { [counted, quick].contains($0["CORDON_RULE_ID"] ?? "") }
        func signature(_ rule: String?, _ cursor: String?, _ group: String?) -> String { "\(rule ?? "")|\(cursor ?? "")|\(group ?? "")" }
        let liveSignatures = (live + liveQuick).map {
            signature($0.string("CORDON_RULE_ID"), $0.string("CORDON_SOURCE_CURSOR"), $0.string("CORDON_GROUP"))
        }
        let replaySignatures = replayed.map { signature($0["CORDON_RULE_ID"], $0["CORDON_SOURCE_CURSOR"], $0["CORDON_GROUP"]) }
        #expect(liveSignatures.sorted() == replaySignatures.sorted())
    }
}

extension CorrelationLiveTests {
    @Test("A flood of distinct source addresses stays within the group cap and writes one warning alert, not one per eviction")
    func stateCapWarnsOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 20,000 failed logins, each from its own address, over 2 s of entry time, plus the hidden brute force.
        let exportFile = directory.path + "/card.export"
        let generated = try runCommand(["/bin/sh", "-c", "python3 \"$0\" -n 20000 > \"$1\"",
                                        Paths.packageRoot + "/scripts/gen_cardinality.py", exportFile])
        try #require(generated.status == 0, "\(generated.standardError)")
        let journal = try makeJournal(export: Array(try Data(contentsOf: URL(fileURLWithPath: exportFile))),
                                      directory: directory.path + "/journal")
        let configuration = try directory.write("cordon.yaml", "correlation: {max_groups: 500}\n")
        let result = try runCommand([Paths.cordon, "replay", "--config", configuration, "--rules", Paths.shippedRules,
                                     "--stats", "-o", "json", journal])
        #expect(result.status == 0, "\(result.standardError)")
        let alerts = try parseJSONLines(result.standardOutput)
        let warnings = alerts.filter { $0["CORDON_CORRELATION_TYPE"] == "state_cap" }
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?["CORDON_GROUP"]?.contains("3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14") == true)
        #expect(result.standardError.contains("groups held"))
        // Both address-keyed rules hold at most 500 groups each.
        let held = result.standardError.split(separator: "\n").first { $0.contains("groups held") }
        let groups = held.flatMap { line in line.split(separator: " ").compactMap { Int($0) }.dropFirst().first }
        #expect((groups ?? Int.max) <= 1000, "\(held ?? "")")
    }
}

extension CorrelationLiveTests {
    @Test("Journal tampering signs alert: the clock set back, a boot without shutdown; a trusted shutdown record prevents it, a forged one does not")
    func journalTamperingSignsAlert() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bootA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", bootB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        let bootC = "cccccccccccccccccccccccccccccccc", bootD = "dddddddddddddddddddddddddddddddd"
        let start: UInt64 = 1_764_151_200_000_000, minute: UInt64 = 60_000_000
        var export: [UInt8] = []
        func add(_ realtime: UInt64, _ monotonic: UInt64, _ boot: String, _ fields: [(String, String)]) {
            let entry: [JournalField] = [JournalField("__REALTIME_TIMESTAMP", String(realtime)),
                                         JournalField("__MONOTONIC_TIMESTAMP", String(monotonic)), JournalField("_BOOT_ID", boot),
                                         JournalField("_HOSTNAME", "tamper01")]
                + fields.map { JournalField($0.0, $0.1) }
            ExportFormat.append(entry, to: &export)
        }
        let shutdown = [("MESSAGE_ID", "98268866d1d54a499c4e98921d93bc40"), ("MESSAGE", "System is powering down."),
                        ("_EXE", "/usr/lib/systemd/systemd-logind"), ("_UID", "0"), ("_PID", "400")]
        // Boot A: normal entries, then one 10 minutes in the past (the clock set back), then a clean shutdown.
        add(start, 1_000_000, bootA, [("MESSAGE", "a1")])
        add(start + minute, 61_000_000, bootA, [("MESSAGE", "a2")])
        add(start - 9 * minute, 62_000_000, bootA, [("MESSAGE", "a3, clock set back")])
        add(start - 8 * minute, 63_000_000, bootA, shutdown)
        // Boot B: no shutdown record (crash, power cut, or deleted entries).
        add(start + 20 * minute, 1_000_000, bootB, [("MESSAGE", "b1")])
        add(start + 21 * minute, 61_000_000, bootB, [("MESSAGE", "b2")] + shutdown.filter { $0.0 == "MESSAGE_ID" || $0.0 == "MESSAGE" }
            + [("_EXE", "/usr/bin/logger"), ("_UID", "1000"), ("_PID", "4242")])  // forged by a user: does not count
        // Boot C starts: boot B ended without a (trusted) shutdown record.
        add(start + 30 * minute, 1_000_000, bootC, [("MESSAGE", "c1")])
        add(start + 31 * minute, 2_000_000, bootC, shutdown)
        // Boot D after a clean shutdown of C: no sign.
        add(start + 40 * minute, 1_000_000, bootD, [("MESSAGE", "d1")])
        let journal = try makeJournal(export: export, directory: directory.path + "/journal")
        let configuration = try directory.write("cordon.yaml", "journal_tampering: true\n")
        let result = try runCommand([Paths.cordon, "replay", "--config", configuration, "--rules", Paths.shippedRules,
                                     "-o", "json", journal])
        #expect(result.status == 0, "\(result.standardError)")
        let alerts = try parseJSONLines(result.standardOutput)
        let types = alerts.compactMap { $0["CORDON_CORRELATION_TYPE"] }
        #expect(types == ["journal_clock_backwards", "journal_boot_without_shutdown"], "\(alerts)")
        let boot = alerts.first { $0["CORDON_CORRELATION_TYPE"] == "journal_boot_without_shutdown" }
        #expect(boot?["CORDON_FIELD_PREVIOUSBOOT"] == bootB)
        #expect(boot?["CORDON_RULE_ID"] == "cordon-journal-boot-without-shutdown")
        #expect(alerts.allSatisfy { $0["CORDON_TRUSTED"] == "1" })
        // Off unless configured.
        let off = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "-o", "json", journal])
        #expect(try parseJSONLines(off.standardOutput).isEmpty)
    }

    @Test("On a journal nothing writes to, a silence and a window judged at its close alert by themselves, once each")
    func timeAloneFiresOnAQuietJournal() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = uniqueToken()
        let rules = try directory.write("rules/quiet.yml", """
            title: Quiet journal test entry \(token)
            id: quiet-base-\(token)
            level: low
            logsource:
                product: linux
            detection:
                selection:
                    CORDONTEST_QUIET: '\(token)'
                condition: selection
            ---
            title: Quiet journal test silence \(token)
            id: quiet-silence-\(token)
            level: high
            detector:
                type: silence
                rules: [quiet-base-\(token)]
                group-by: [CORDONTEST_QUIET]
                timespan: 2s
            ---
            title: Quiet journal test few entries \(token)
            id: quiet-few-\(token)
            level: high
            correlation:
                type: event_count
                rules: [quiet-base-\(token)]
                group-by: [CORDONTEST_QUIET]
                timespan: 2s
                condition:
                    lt: 5
            """)
        // One entry, now; then nothing: only the clock can close the window and notice the silence
        // (the daemon sleeps until their deadline, as no tick wakes it any more).
        var bytes: [UInt8] = []
        let now = UInt64(Date().timeIntervalSince1970 * 1_000_000)
        ExportFormat.append(exportEntry(realtime: now, fields: [("MESSAGE", Array("quiet journal entry".utf8)),
                                                                ("CORDONTEST_QUIET", Array(token.utf8))]), to: &bytes)
        _ = try makeJournal(export: bytes, directory: directory.path + "/j")
        let daemon = try DaemonProcess(arguments: ["--rules", rules, "--rules", Paths.logSources, "--state-dir", directory.path + "/state",
                                                   "--directory", directory.path + "/j", "--from-start"],
                                       logPath: directory.path + "/daemon.log")
        #expect(daemon.waitUntilStarted(), "\(daemon.log)")
        for rule in ["quiet-silence-\(token)", "quiet-few-\(token)"] {
            let alerts = try waitForAlerts(field: "CORDON_RULE_ID", value: rule, count: 1, timeout: 60)
            #expect(alerts.count == 1, "\(rule): \(alerts.count) alerts; daemon log: \(daemon.log.suffix(2000))")
        }
        usleep(1_000_000)
        #expect(daemon.stop() == 0)
        for rule in ["quiet-silence-\(token)", "quiet-few-\(token)"] {
            #expect(try alertEntries(field: "CORDON_RULE_ID", value: rule).count == 1, "\(rule) alerted more than once")
        }
    }
}
