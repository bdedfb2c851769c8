import Foundation
import Journal
import Testing
@testable import Daemon

/// The filters of `cordon alerts` as sd-journal matches: reading with the matches alone gives
/// exactly the entries the filter accepts, so nothing the filter wants is skipped unread.
@Suite struct AlertQueryTests {
    /// `CordonMessageID.alert` and `.tamperingSign` (fixed forever; DaemonTests does not link Parse).
    static let alertID = "fd6124ceebc04ab88e3c90e4716a16b1"
    static let tamperingID = "29478e7a3a054ce39312c24915419051"
    static let startedID = "b1ff8caa526343b3990ec5a5a631d34f"

    /// A journal file of alerts with every combination of a few levels, hosts, rules and trust,
    /// plus entries that are no alerts, and alerts from other users.
    static func makeJournal() throws -> (directory: String, file: String) {
        let directory = NSTemporaryDirectory() + "cordon-alert-query-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes: [UInt8] = []
        var time: UInt64 = 1_764_000_000_000_000
        func append(_ fields: [(String, String)]) {
            time += 1_000_000
            ExportFormat.append([JournalField("__REALTIME_TIMESTAMP", String(time)), JournalField("__MONOTONIC_TIMESTAMP", "1000"),
                                 JournalField("_BOOT_ID", "00112233445566778899aabbccddeeff")]
                                + fields.map { JournalField($0.0, $0.1) }, to: &bytes)
        }
        let rules = [("ssh-brute-force", "SSH brute force from one source"), ("sudo-root", "Sudo to a root shell"),
                     ("kernel-module", "Kernel module loaded")]
        var index = 0
        for level in ["informational", "low", "medium", "high", "critical"] {
            for host in ["web-1", "db-1"] {
                for trusted in ["1", "0"] {
                    let rule = rules[index % rules.count]
                    index += 1
                    append([("MESSAGE", "alert \(index)"), ("MESSAGE_ID", index % 4 == 0 ? tamperingID : alertID),
                            ("_TRANSPORT", "journal"), ("_UID", index % 7 == 0 ? "1000" : "0"), ("CORDON_RULE_ID", rule.0),
                            ("CORDON_RULE_TITLE", rule.1), ("CORDON_LEVEL", level), ("CORDON_HOST", host), ("CORDON_TRUSTED", trusted),
                            ("CORDON_SOURCE_CURSOR", "s=0;i=\(index)")])
                }
            }
        }
        append([("MESSAGE", "not an alert"), ("MESSAGE_ID", startedID), ("_TRANSPORT", "journal"), ("_UID", "0"),
                ("CORDON_LEVEL", "critical"), ("CORDON_HOST", "web-1"), ("CORDON_RULE_ID", "sudo-root")])
        append([("MESSAGE", "plain"), ("CORDON_LEVEL", "high"), ("CORDON_RULE_TITLE", "Sudo to a root shell")])
        let file = directory + "/fixture.journal"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/lib/systemd/systemd-journal-remote")
        process.arguments = ["--output=" + file, "-"]
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return (directory, file)
    }

    static func filter(rules: [String] = [], level: String? = nil, hosts: [String] = [], trusted: Bool = false) -> AlertFilter {
        var filter = AlertFilter()
        filter.rules = rules
        filter.minimumLevel = level.flatMap { .init(rawValue: $0) }
        filter.hosts = hosts
        filter.trustedOnly = trusted
        return filter
    }

    static let filters: [AlertFilter] = [
        filter(), filter(level: "high"), filter(level: "informational"), filter(hosts: ["db-1"]), filter(hosts: ["web-1", "db-1"]),
        filter(trusted: true), filter(rules: ["sudo-root"]), filter(rules: ["ROOT SHELL"]), filter(rules: ["ssh-brute-force", "kernel"]),
        filter(rules: ["sudo", "nothing-like-it"], level: "medium", hosts: ["web-1"], trusted: true), filter(rules: ["no such rule"]),
    ]

    @Test(arguments: filters.indices)
    func matchesReachExactlyWhatTheFilterAccepts(_ index: Int) throws {
        let filter = Self.filters[index]
        let (directory, file) = try Self.makeJournal()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let all = try Journal(source: .files([file]))
        try all.seekHead()
        var wanted: [String] = []
        while try all.next() {
            let entry = try all.entry()
            guard [Self.alertID, Self.tamperingID].contains(entry.string("MESSAGE_ID") ?? ""), filter.accepts(entry) else { continue }
            wanted.append(entry.string("MESSAGE") ?? "")
        }

        let journal = try Journal(source: .files([file]))
        _ = try AlertQuery(journal: journal, filter: filter, writerUserID: 0)  // adds the matches
        try journal.seekHead()
        var reached: [String] = []
        while try journal.next() { reached.append(try journal.entry().string("MESSAGE") ?? "") }
        #expect(reached == wanted)
    }

    @Test func readKeepsCordonsOwnAndCountsTheRest() throws {
        let (directory, file) = try Self.makeJournal()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let query = try AlertQuery(journal: try Journal(source: .files([file])), filter: Self.filter(level: "medium"),
                                   writerUserID: 0)
        let alerts = try query.read(limit: nil)
        #expect(alerts.allSatisfy { $0.string("_UID") == "0" && ["medium", "high", "critical"].contains($0.string("CORDON_LEVEL")) })
        #expect(alerts.count + query.forgedAlerts == 12)
        #expect(query.forgedAlerts == 1)  // of alerts 9 to 20 (medium and up), 14 comes from uid 1000
        // The last two, oldest first, read from the tail.
        let last = try AlertQuery(journal: try Journal(source: .files([file])), filter: Self.filter(level: "medium"), writerUserID: 0)
        #expect(try last.read(limit: 2).map { $0.string("MESSAGE") } == alerts.suffix(2).map { $0.string("MESSAGE") })
        #expect(AlertIdentifier.short(for: alerts[0]) != AlertIdentifier.short(for: alerts[1]))
        #expect(AlertIdentifier.isShortIdentifier(AlertIdentifier.short(for: alerts[0])))
    }

    @Test func keyFieldsUseTheMessageSpelling() {
        let entry = JournalEntry([
            "MESSAGE": "cordon: SSH brute force [high] on web-1: SourceIp=203.0.113.9, User=root",
            "CORDON_FIELD_USER": "root", "CORDON_FIELD_SOURCEIP": "203.0.113.9", "CORDON_FIELD_EXTRA": "x",
        ])
        #expect(KeyFields.text(of: entry) == "SourceIp=203.0.113.9 User=root EXTRA=x")
        let correlation = JournalEntry(["CORDON_GROUP": "SourceIp=203.0.113.9", "CORDON_FIELD_USER": "root"])
        #expect(KeyFields.text(of: correlation) == "SourceIp=203.0.113.9")
    }

    @Test func followKeepsOnlyTheLatestAlertsForActions() {
        var links = RecentLinks()
        let alerts = (0..<(RecentLinks.capacity + 100)).map { index in
            ReviewedAlert(entry: JournalEntry(["CORDON_SOURCE_CURSOR": "s=0;i=\(index)", "CORDON_RULE_ID": "rule"]))
        }
        for alert in alerts { links.insert(alert) }
        links.insert(alerts[alerts.count - 1])  // again: no second place
        #expect(links.identifiers.count <= RecentLinks.capacity)
        #expect(links.identifiers.count > RecentLinks.capacity / 2)
        for alert in alerts.suffix(RecentLinks.capacity / 2) { #expect(links.identifiers[alert.link] == alert.identifier) }
        #expect(links.identifiers[alerts[0].link] == nil)
    }
}
