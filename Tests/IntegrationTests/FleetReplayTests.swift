import Foundation
import Journal
import Testing

/// `cordon replay` over a collector's directory of three hosts' journals (`FleetFixture`): every
/// alert names the host whose entries raised it.
@Suite struct FleetReplayTests {
    static let failedPassword = Paths.perEntryFailedPassword
    static let rootLogin = "48743dcf-ffe6-427f-b837-d111081aab61"
    static let bruteForce = "3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14"

    @Test("replay of a fleet directory: each single-entry alert carries the CORDON_HOST and CORDON_MACHINE_ID of its source entry")
    func alertsNameTheirHost() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fleet = FleetFixture(token: String(uniqueToken().prefix(10)))
        let remote = directory.path + "/remote"
        let files = try fleet.write(to: remote)
        #expect(files.map { ($0 as NSString).lastPathComponent } == fleet.hosts.map { "remote-\($0.hostname).journal" })
        // The directory holds three machines.
        let journal = try Journal(source: .directory(remote))
        #expect(try journal.uniqueValues(of: "_MACHINE_ID").map { String(decoding: $0, as: UTF8.self) }.sorted()
            == fleet.hosts.map(\.machineID).sorted())

        let replay = try runCommand([Paths.cordon, "replay", "--rules", Paths.shippedRules, "--rules", Paths.perEntryRules, "-o", "json", remote])
        #expect(replay.status == 0, "\(replay.standardError)")
        let alerts = try parseJSONLines(replay.standardOutput)
        let machineOf = Dictionary(uniqueKeysWithValues: fleet.hosts.map { ($0.hostname, $0.machineID) })
        let single = alerts.filter { $0["CORDON_CORRELATION_TYPE"] == nil }
        #expect(!single.isEmpty)
        for alert in single {
            let host = try #require(alert["CORDON_HOST"])
            #expect(machineOf[host] != nil, "an alert on \(host)")
            #expect(alert["CORDON_MACHINE_ID"] == machineOf[host], "\(alert)")
            // The source entry is that host's.
            let cursor = try #require(alert["CORDON_SOURCE_CURSOR"].flatMap { Cursor($0) })
            try journal.seek(to: cursor)
            #expect(try journal.next())
            let entry = try journal.entry()
            #expect(entry.string("_HOSTNAME") == host)
            #expect(entry.string("_MACHINE_ID") == alert["CORDON_MACHINE_ID"])
            #expect(entry.bootID == alert["CORDON_SOURCE_BOOT_ID"])
        }
        func count(_ rule: String, on host: FleetHost) -> Int {
            single.filter { $0["CORDON_RULE_ID"] == rule && $0["CORDON_HOST"] == host.hostname }.count
        }
        #expect(count(Self.failedPassword, on: fleet.a) == 12)
        #expect(count(Self.failedPassword, on: fleet.b) == 4)
        #expect(count(Self.rootLogin, on: fleet.b) == 1)
        #expect(count(Self.rootLogin, on: fleet.a) == 0)
        #expect(single.filter { $0["CORDON_TRUSTED"] != "1" && $0["CORDON_RULE_ID"] == Self.failedPassword }.isEmpty)
        #expect(single.filter { $0["CORDON_HOST"] == fleet.c.hostname }.isEmpty, "\(single.filter { $0["CORDON_HOST"] == fleet.c.hostname })")

        // Correlation state is kept per host (FleetRunTests shows failures of two hosts are not
        // added up): the brute force is a's alone, and none is raised on b (4 failures) or c.
        let bruteForce = alerts.filter { $0["CORDON_RULE_ID"] == Self.bruteForce }
        #expect(bruteForce.count == 1, "\(bruteForce)")
        #expect(bruteForce.first?["CORDON_HOST"] == fleet.a.hostname)
        #expect(bruteForce.first?["CORDON_MACHINE_ID"] == fleet.a.machineID)
        #expect(alerts.filter { $0["CORDON_HOST"] == fleet.c.hostname }.isEmpty)
    }
}
