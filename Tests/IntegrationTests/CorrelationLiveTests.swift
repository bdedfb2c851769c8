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
