import Foundation
import Journal
import Testing

/// SigmaHQ's rules, as `../shared/sigma` holds them beside the repository.
extension Paths {
    static let sigmaLinuxRules = packageRoot + "/../shared/sigma/rules/rules/linux"
    static let fixtures = packageRoot + "/Tests/Fixtures"
}

/// An alert as `cordon replay -o json` prints it, reduced to what these tests compare.
struct ReplayedAlert: Hashable {
    let ruleIdentifier: String
    let isTrusted: Bool
    let sourceRealtime: UInt64
    let logSource: String

    /// The alerts in `cordon replay -o json` output.
    static func parse(_ output: String) throws -> [ReplayedAlert] {
        try output.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return ReplayedAlert(ruleIdentifier: object["CORDON_RULE_ID"] as? String ?? "",
                                 isTrusted: object["CORDON_TRUSTED"] as? String == "1",
                                 sourceRealtime: UInt64(object["CORDON_SOURCE_REALTIME"] as? String ?? "") ?? 0,
                                 logSource: object["CORDON_LOGSOURCE"] as? String ?? "")
        }
    }
}

/// Sysmon for Linux events (its XML in MESSAGE, as it logs through syslog) turned into
/// process_creation, network_connection and file_event events that SigmaHQ's rules match.
@Suite(.serialized) struct SysmonEventTests {
    /// Per fixture in Tests/Fixtures/sysmon, the SigmaHQ rules it must match (ids from
    /// ../shared/sigma/rules/rules/linux; Tests/Fixtures/sysmon/EXPECTED.md names them).
    static let expected: [(file: String, rules: Set<String>)] = [
        // proc_creation_lnx_susp_pipe_shell.yml
        ("curl-pipe-sh-bash.xml", ["880973f3-9708-491c-a77b-2a35a1921158"]),
        // proc_creation_lnx_curl_usage.yml
        ("curl-pipe-sh-curl.xml", ["ea34fb97-e2c4-4afb-810f-785e4459b194"]),
        // no SigmaHQ process_creation rule covers the `sh` that reads the script
        ("curl-pipe-sh.xml", []),
        // proc_creation_lnx_chmod_targeting_sensitive_directories.yml
        ("chmod-setuid.xml", ["6419afd1-3742-47a5-a7e6-b50386cd15f8"]),
        // proc_creation_lnx_setgid_setuid.yml, proc_creation_lnx_susp_shell_script_exec_from_susp_location.yml
        ("chmod-setuid-bash.xml", ["c21c4eaa-ba2e-419a-92b2-8371703cbe21", "30bcce26-51c5-49f2-99c8-7b59e3af36c7"]),
        // proc_creation_lnx_bash_interactive_shell.yml
        ("dev-tcp-reverse-shell.xml", ["6104e693-a7d6-4891-86cb-49a258523559"]),
        // net_connection_lnx_back_connect_shell_dev.yml, net_connection_lnx_susp_malware_callback_port.yml
        ("dev-tcp-connect.xml", ["83dcd9f6-9ca8-4af7-a16e-a1c7a6b51871", "dbfc7c98-04ab-4ab7-aa94-c74d22aa7376"]),
        // file_event_lnx_susp_cron_file_created.yml
        ("crontab-file.xml", ["6c4e2f43-d94d-4ead-b64d-97e53fa2bd05"]),
        // SigmaHQ covers these only through auditd or syslog rules (see AuditEventTests)
        ("crontab-e.xml", []),
        ("useradd.xml", []),
        ("insmod.xml", []),
        ("authorized-keys.xml", []),
    ]

    /// Journald fields of an entry the Sysmon binary wrote, or of one `logger -t sysmon` forged.
    static func sender(forged: Bool) -> [(String, [UInt8])] {
        let fields = forged
            ? [("_EXE", "/usr/bin/logger"), ("_COMM", "logger"), ("_UID", "1000")]
            : [("_EXE", "/opt/sysmon/sysmon"), ("_COMM", "sysmon"), ("_UID", "0")]
        return ([("_TRANSPORT", "syslog"), ("SYSLOG_IDENTIFIER", "sysmon"), ("_HOSTNAME", "web01")] + fields)
            .map { ($0.0, Array($0.1.utf8)) }
    }

    /// Replays every fixture, genuine and forged, through the shipped mapping and SigmaHQ's rules.
    static func replayFixtures() throws -> (alerts: [ReplayedAlert], times: [String: (genuine: UInt64, forged: UInt64)]) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var export: [UInt8] = []
        var times: [String: (genuine: UInt64, forged: UInt64)] = [:]
        var realtime: UInt64 = 1_764_151_200_000_000
        for (file, _) in expected {
            var message = try Array(Data(contentsOf: URL(fileURLWithPath: Paths.fixtures + "/sysmon/" + file)))
            while message.last == UInt8(ascii: "\n") { message.removeLast() }
            let genuine = realtime + 1_000_000, forged = realtime + 2_000_000
            realtime = forged
            times[file] = (genuine, forged)
            for (time, isForged) in [(genuine, false), (forged, true)] {
                ExportFormat.append(exportEntry(realtime: time, fields: sender(forged: isForged) + [("MESSAGE", message)]), to: &export)
            }
        }
        let journal = try makeJournal(export: export, directory: directory.path + "/journal")
        let result = try runCommand([Paths.cordon, "replay", "--rules", Paths.logSources, "--rules", Paths.sigmaLinuxRules,
                                     "-o", "json", "--stats", journal])
        guard result.status == 0 else { throw FixtureError(message: result.standardError) }
        return (try ReplayedAlert.parse(result.standardOutput), times)
    }

    @Test("Sysmon events from the Sysmon binary match the SigmaHQ rules named for them, trusted")
    func genuineEventsMatchTheirRules() throws {
        let (alerts, times) = try Self.replayFixtures()
        for (file, rules) in Self.expected {
            let time = times[file]!.genuine
            // Category rules only: product-linux keyword rules also search the raw MESSAGE.
            let matched = alerts.filter { $0.sourceRealtime == time && $0.logSource.contains("category:") }
            let identifiers = Set(matched.map { $0.ruleIdentifier })
            let allTrusted = matched.allSatisfy { $0.isTrusted }
            #expect(identifiers == rules, "\(file)")
            #expect(allTrusted, "\(file)")
        }
    }

    @Test("The same XML sent with logger -t sysmon gives no trusted event")
    func forgedEventsAreNeverTrusted() throws {
        let (alerts, times) = try Self.replayFixtures()
        for (file, rules) in Self.expected {
            let forged = alerts.filter { $0.sourceRealtime == times[file]!.forged }
            let noneTrusted = forged.allSatisfy { !$0.isTrusted }
            let identifiers = Set(forged.filter { $0.logSource.contains("category:") }.map { $0.ruleIdentifier })
            #expect(noneTrusted, "\(file)")
            // Still visible to the rules, so an operator sees the attempt, but flagged untrusted.
            #expect(identifiers == rules, "\(file)")
        }
    }
}

@Suite struct SigmaCompatibilityTests {
    @Test("Every active SigmaHQ Linux rule loads and at least 90% are evaluated, process_creation ones on assembled events")
    func sigmaHQLinuxRulesAreEvaluable() throws {
        let sigma = Paths.packageRoot + "/../shared/sigma/rules/"
        let result = try runCommand([Paths.cordon, "check", "--summary", Paths.logSources, sigma + "rules",
                                     sigma + "rules-threat-hunting", sigma + "rules-emerging-threats"])
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        func count(_ label: String) -> Int? {
            lines.first { $0.contains(label) }.flatMap { line in
                line.split(separator: " ").compactMap { Int($0) }.first
            }
        }
        let total = try #require(count("rule files:"), "\(result.standardOutput)")
        let evaluated = try #require(count("evaluated on the journal:"))
        #expect(total >= 240)
        #expect(Double(evaluated) >= 0.9 * Double(total), "\(result.standardOutput)")
        #expect(count("on process_creation events") ?? 0 >= 140, "\(result.standardOutput)")
        #expect(count("on assembled audit records") ?? 0 >= 50)
        #expect(count("log source not mapped:") == 0)
    }
}
