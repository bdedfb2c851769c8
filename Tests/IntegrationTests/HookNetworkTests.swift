import Foundation
import Glibc
import Testing

/// The nftables hooks against real traffic: a host, a management host and an attacker in network
/// namespaces (`TestNetwork`), the hooks run inside the host's namespace as the daemon runs them.
/// Serialized: each test builds its own network, and one at a time keeps the machine's load low.
/// Requires root, nft, ip and OpenBSD nc (CI runs as root).
@Suite(.serialized)
struct HookNetworkTests {
    static let management = "198.51.100.10,2001:db8::10"
    /// A table that is none of the hooks' business; it must come through every apply and release
    /// unchanged. Its `ct state` rule also turns connection tracking on in the namespace, as any
    /// stateful firewall does: without it, connections opened before a hook's ruleset are unknown to
    /// conntrack, and when a hook's rules start it, their next packet counts as `ct state new`, so a
    /// wrong `ct state new drop` or `ct state established accept` would go unnoticed.
    static let unrelatedTable = """
        table inet other {
            set watched {
                type ipv4_addr
                elements = { 203.0.113.7 }
            }
            chain input {
                type filter hook input priority 0; policy accept;
                ct state established,related accept
                ip saddr @watched drop
            }
        }
        """
}

// MARK: - isolate-nftables

extension HookNetworkTests {
    @Test("isolate-nftables keeps management reachable both ways (IPv4, IPv6), cuts everything else, and release restores the exact ruleset")
    func isolation() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try network.loadRuleset(Self.unrelatedTable)
        for ipv6 in [false, true] {
            try network.listen(in: .host, port: 7000, ipv6: ipv6)
            try network.listen(in: .admin, port: 7000, ipv6: ipv6)
            try network.listen(in: .attacker, port: 7000, ipv6: ipv6)
        }
        try network.spawn(in: .host, ["nc", "-4", "-dlk", TestNetwork.Node.host.ipv4, "7001"], output: scratch.path + "/from-admin")
        try network.spawn(in: .host, ["nc", "-4", "-dlk", TestNetwork.Node.host.ipv4, "7002"], output: scratch.path + "/from-attacker")
        try network.waitUntilListening(in: .host, port: 7001)
        try network.waitUntilListening(in: .host, port: 7002)
        for ipv6 in [false, true] {
            #expect(try network.canConnect(from: .admin, to: .host, port: 7000, ipv6: ipv6), "admin → host before, ipv6: \(ipv6)")
            #expect(try network.canConnect(from: .attacker, to: .host, port: 7000, ipv6: ipv6), "attacker → host before, ipv6: \(ipv6)")
            #expect(try network.canConnect(from: .host, to: .attacker, port: 7000, ipv6: ipv6), "host → attacker before, ipv6: \(ipv6)")
        }
        // Connections open before the isolation: the admin's must keep flowing, the attacker's must stop.
        try stream(in: network, from: .admin, port: 7001)
        try stream(in: network, from: .attacker, port: 7002)
        #expect(grows(scratch.path + "/from-admin"), "no data from the admin's stream before isolation")
        #expect(grows(scratch.path + "/from-attacker"), "no data from the attacker's stream before isolation")
        let before = try network.ruleset()

        let applied = try network.runHook("isolate-nftables", "apply", environment: ["CORDON_MANAGEMENT": Self.management])
        try #require(applied.status == 0, "apply: \(applied.standardError)")
        let isolated = try network.ruleset()
        #expect(isolated.contains("chain isolate_input"), "\(isolated)")
        #expect(isolated.contains("elements = { 198.51.100.10 }") && isolated.contains("elements = { 2001:db8::10 }"), "\(isolated)")
        #expect(isolated.contains(Self.unrelatedTable.split(separator: "\n")[0]))
        let again = try network.runHook("isolate-nftables", "apply", environment: ["CORDON_MANAGEMENT": Self.management])
        #expect(again.status == 0, "second apply: \(again.standardError)")
        #expect(try network.ruleset() == isolated, "a second apply changed the ruleset")

        for ipv6 in [false, true] {
            // Forget all neighbours before each direction: the host must resolve the admin's address
            // itself (IPv6: a neighbour solicitation to a multicast address) through the firewall.
            try network.flushNeighbours()
            #expect(try network.canConnect(from: .host, to: .admin, port: 7000, ipv6: ipv6), "host → admin isolated, ipv6: \(ipv6)")
            try network.flushNeighbours()
            #expect(try network.canConnect(from: .admin, to: .host, port: 7000, ipv6: ipv6), "admin → host isolated, ipv6: \(ipv6)")
            #expect(try !network.canConnect(from: .attacker, to: .host, port: 7000, ipv6: ipv6), "attacker → host isolated, ipv6: \(ipv6)")
            #expect(try !network.canConnect(from: .host, to: .attacker, port: 7000, ipv6: ipv6), "host → attacker isolated, ipv6: \(ipv6)")
        }
        #expect(grows(scratch.path + "/from-admin"), "the admin's open connection stopped under isolation")
        #expect(!grows(scratch.path + "/from-attacker", settle: 0.5), "the attacker's open connection still delivers under isolation")

        let released = try network.runHook("isolate-nftables", "release")
        #expect(released.status == 0, "release: \(released.standardError)")
        #expect(try network.ruleset() == before, "release did not restore the ruleset")
        let releasedAgain = try network.runHook("isolate-nftables", "release")
        #expect(releasedAgain.status == 0, "release when not applied: \(releasedAgain.standardError)")
        #expect(try network.ruleset() == before)
        for ipv6 in [false, true] {
            #expect(try network.canConnect(from: .attacker, to: .host, port: 7000, ipv6: ipv6), "attacker → host after release, ipv6: \(ipv6)")
            #expect(try network.canConnect(from: .host, to: .attacker, port: 7000, ipv6: ipv6), "host → attacker after release, ipv6: \(ipv6)")
        }
    }

    @Test("isolate-nftables release leaves block-source's set, chains and elements in table inet cordon")
    func isolationReleaseKeepsBlocks() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        try network.loadRuleset(Self.unrelatedTable)
        let blocked = try network.runHook("block-source", "apply", environment: ["CORDON_ADDRESS": "198.51.100.66", "CORDON_TTL": "600"])
        try #require(blocked.status == 0, "block apply: \(blocked.standardError)")
        let before = try network.ruleset(stateless: true)

        let applied = try network.runHook("isolate-nftables", "apply", environment: ["CORDON_MANAGEMENT": "198.51.100.0/24,2001:db8::/64"])
        try #require(applied.status == 0, "apply: \(applied.standardError)")
        let isolated = try network.ruleset()
        #expect(isolated.contains("elements = { 198.51.100.0/24 }") && isolated.contains("elements = { 2001:db8::/64 }"), "\(isolated)")
        let released = try network.runHook("isolate-nftables", "release")
        #expect(released.status == 0, "release: \(released.standardError)")
        #expect(try network.ruleset(stateless: true) == before, "isolate release touched block-source's objects")

        let unblocked = try network.runHook("block-source", "release", environment: ["CORDON_ADDRESS": "198.51.100.66"])
        #expect(unblocked.status == 0, "block release: \(unblocked.standardError)")
    }

    @Test("isolate-nftables allows DNS and NTP only to the given servers")
    func isolationAllowsDNSAndNTP() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        // The attacker plays resolver on tcp 53; the admin listens on 53 too but is not one.
        for node in [TestNetwork.Node.admin, .attacker] {
            try network.listen(in: node, port: 53)
            try network.listen(in: node, port: 53, ipv6: true)
        }
        try network.listen(in: .host, port: 7000)
        let applied = try network.runHook("isolate-nftables", "apply", environment: [
            "CORDON_MANAGEMENT": "198.51.100.10", "CORDON_ALLOW_DNS": "198.51.100.66,2001:db8::66", "CORDON_ALLOW_NTP": "198.51.100.66",
        ])
        try #require(applied.status == 0, "apply: \(applied.standardError)")
        let ruleset = try network.ruleset()
        #expect(ruleset.contains("ip daddr @dns4 meta l4proto { tcp, udp } th dport 53 accept"), "\(ruleset)")
        #expect(ruleset.contains("ip daddr @ntp4 udp dport 123 accept"), "\(ruleset)")
        #expect(try network.canConnect(from: .host, to: .attacker, port: 53), "host → resolver tcp 53 (IPv4)")
        #expect(try network.canConnect(from: .host, to: .attacker, port: 53, ipv6: true), "host → resolver tcp 53 (IPv6)")
        #expect(try !network.canConnect(from: .host, to: .admin, port: 53, ipv6: true), "host → admin's IPv6, which is not management here")
        #expect(try !network.canConnect(from: .attacker, to: .host, port: 7000), "the resolver may only answer, not connect")
        #expect(try network.runHook("isolate-nftables", "release").status == 0)
        #expect(try network.ruleset() == "")
    }
}

// MARK: - block-source

extension HookNetworkTests {
    @Test("block-source drops one address (IPv4 with a TTL, IPv6 without), not the admin; apply is idempotent; release restores")
    func blockSource() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        try network.loadRuleset(Self.unrelatedTable)
        try network.listen(in: .host, port: 7000)
        try network.listen(in: .host, port: 7000, ipv6: true)
        let initial = try network.ruleset()
        let settings = ["CORDON_ADDRESS": "198.51.100.66", "CORDON_TTL": "600", "CORDON_MANAGEMENT": Self.management]

        let applied = try network.runHook("block-source", "apply", environment: settings)
        try #require(applied.status == 0, "apply: \(applied.standardError)")
        #expect(try !network.canConnect(from: .attacker, to: .host, port: 7000), "attacker still connects over IPv4")
        #expect(try network.canConnect(from: .attacker, to: .host, port: 7000, ipv6: true), "IPv6 blocked by an IPv4 block")
        #expect(try network.canConnect(from: .admin, to: .host, port: 7000))
        #expect(try network.canConnect(from: .admin, to: .host, port: 7000, ipv6: true))
        let set = try network.run(in: .host, ["nft", "list", "set", "inet", "cordon", "blocked4"]).standardOutput
        #expect(set.contains("elements = { 198.51.100.66 timeout 10m expires "), "\(set)")
        let blocked = try network.ruleset(stateless: true)
        let again = try network.runHook("block-source", "apply", environment: settings)
        #expect(again.status == 0, "second apply: \(again.standardError)")
        #expect(try network.ruleset(stateless: true) == blocked, "a second apply changed the ruleset")

        let applied6 = try network.runHook("block-source", "apply", environment: ["CORDON_ADDRESS": "2001:DB8::66"])
        try #require(applied6.status == 0, "apply IPv6: \(applied6.standardError)")
        #expect(try !network.canConnect(from: .attacker, to: .host, port: 7000, ipv6: true), "attacker still connects over IPv6")
        #expect(try network.canConnect(from: .admin, to: .host, port: 7000, ipv6: true))
        let set6 = try network.run(in: .host, ["nft", "list", "set", "inet", "cordon", "blocked6"]).standardOutput
        #expect(set6.contains("elements = { 2001:db8::66 }"), "no TTL means no timeout: \(set6)")

        let released = try network.runHook("block-source", "release", environment: ["CORDON_ADDRESS": "198.51.100.66"])
        #expect(released.status == 0, "release: \(released.standardError)")
        #expect(try network.canConnect(from: .attacker, to: .host, port: 7000), "attacker still blocked after release")
        #expect(try network.ruleset(stateless: true).contains("2001:db8::66"), "releasing the IPv4 block dropped the IPv6 one")
        let released6 = try network.runHook("block-source", "release", environment: ["CORDON_ADDRESS": "2001:db8::66"])
        #expect(released6.status == 0, "release IPv6: \(released6.standardError)")
        #expect(try network.canConnect(from: .attacker, to: .host, port: 7000, ipv6: true))
        let notApplied = try network.runHook("block-source", "release", environment: ["CORDON_ADDRESS": "198.51.100.66"])
        #expect(notApplied.status == 0, "release when not applied: \(notApplied.standardError)")

        // Release removes the elements only; the unrelated table is as it was.
        let after = try network.ruleset()
        #expect(!after.contains("198.51.100.66") && !after.contains("2001:db8::66"), "\(after)")
        #expect(after.hasPrefix(initial), "the unrelated table changed:\n\(after)")
    }

    @Test("block-source release when nothing was ever applied succeeds and creates nothing")
    func blockSourceReleaseOnEmptyRuleset() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        let released = try network.runHook("block-source", "release", environment: ["CORDON_ADDRESS": "198.51.100.66"])
        #expect(released.status == 0, "release: \(released.standardError)")
        #expect(try network.ruleset() == "")
    }

    @Test("block-source cuts a TCP connection that was open before the block; after release it resumes")
    func blockSourceCutsOpenConnection() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try network.loadRuleset(Self.unrelatedTable)
        let received = scratch.path + "/received"
        try network.spawn(in: .host, ["nc", "-4", "-dl", TestNetwork.Node.host.ipv4, "7002"], output: received)
        try network.waitUntilListening(in: .host, port: 7002)
        try stream(in: network, from: .attacker, port: 7002)
        #expect(grows(received), "no data from the attacker before the block")

        let applied = try network.runHook("block-source", "apply", environment: ["CORDON_ADDRESS": "198.51.100.66", "CORDON_TTL": "600"])
        try #require(applied.status == 0, "apply: \(applied.standardError)")
        #expect(!grows(received, settle: 0.5), "the open connection still delivers after the block")

        let released = try network.runHook("block-source", "release", environment: ["CORDON_ADDRESS": "198.51.100.66"])
        #expect(released.status == 0, "release: \(released.standardError)")
        // The block dropped packets (no reset): TCP retransmits, and the stream resumes.
        #expect(grows(received, within: 15), "the connection did not resume after release")
    }

    @Test("block-source refuses (exit 2) to block an address inside CORDON_MANAGEMENT, and changes nothing")
    func blockSourceRefusesManagement() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        try network.loadRuleset(Self.unrelatedTable)
        let before = try network.ruleset()
        for (address, management) in [("198.51.100.10", Self.management), ("2001:db8::10", Self.management),
                                       ("198.51.100.77", "198.51.100.64/28"), ("2001:DB8::ABCD", "2001:db8::/64")] {
            let result = try network.runHook("block-source", "apply", environment: ["CORDON_ADDRESS": address, "CORDON_MANAGEMENT": management])
            #expect(result.status == 2, "\(address) in \(management): \(result.standardError)")
            #expect(result.standardError.contains("CORDON_MANAGEMENT"), "\(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        }
        #expect(try network.ruleset() == before)
        let outside = try network.runHook("block-source", "apply", environment: ["CORDON_ADDRESS": "198.51.100.80", "CORDON_MANAGEMENT": "198.51.100.64/28"])
        #expect(outside.status == 0, "198.51.100.80 is outside 198.51.100.64/28: \(outside.standardError)")
    }
}

// MARK: - Injection

/// One hostile setting: which hook and variable get it, and the value (`@MARKER@` stands for a file
/// that must never come to exist).
struct HostileSetting: Sendable, CustomTestStringConvertible {
    let hook: String
    let variable: String
    let value: String
    var others: [String: String] = [:]

    var testDescription: String {
        let shown = value.count > 40 ? "\(value.prefix(20).debugDescription)… (\(value.utf8.count) bytes)" : value.debugDescription
        return "\(hook) \(variable)=\(shown)"
    }

    static let addressValues = [
        "$(touch @MARKER@)", "`touch @MARKER@`", "1.2.3.4; flush ruleset", "1.2.3.4 }", "1.2.3.4 } ; flush ruleset ; add table x {",
        "1.2.3.4\nflush ruleset", "1.2.3.4\n", String(repeating: "1.2.3.4;", count: 12800), String(repeating: "1", count: 102_400),
        "::1;", "256.1.1.1",
        "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4/32", "", " 1.2.3.4", "-1.2.3.4", "--help", "2001:db8::66%eth0", "2001:db8:::66",
        "1:2:3:4:5:6:7:8:9", "12345::1", "::ffff:1.2.3.4", "１.2.3.4", "1.2.3.4'", "\"1.2.3.4\"", "*", "1.2.3.4 || touch @MARKER@",
    ]

    static let all: [HostileSetting] =
        addressValues.map { HostileSetting(hook: "block-source", variable: "CORDON_ADDRESS", value: $0) }
        + ["600; flush ruleset", "$(touch @MARKER@)", "-1", "1e3", "0x10", "010", "999999999", "600 ", "600\n"].map {
            HostileSetting(hook: "block-source", variable: "CORDON_TTL", value: $0, others: ["CORDON_ADDRESS": "198.51.100.66"])
        }
        + ["198.51.100.10;flush ruleset", "198.51.100.0/24 }", "$(touch @MARKER@)", "198.51.100.0/33"].map {
            HostileSetting(hook: "block-source", variable: "CORDON_MANAGEMENT", value: $0, others: ["CORDON_ADDRESS": "198.51.100.66"])
        }
        + (addressValues.filter { $0 != "1.2.3.4/32" } + ["198.51.100.10,$(touch @MARKER@)", "198.51.100.10,", ",", "198.51.100.10,,2001:db8::10",
                            "198.51.100.10 2001:db8::10", "198.51.100.0/33", "2001:db8::/129", "198.51.100.0/024", "198.51.100.0/",
                            "198.51.100.0/24/8", "/24", "2001:db8::/64;flush ruleset"]).map {
            HostileSetting(hook: "isolate-nftables", variable: "CORDON_MANAGEMENT", value: $0)
        }
        + ["1.1.1.1;flush ruleset", "$(touch @MARKER@)", "9.9.9.9/32", "9.9.9.9 }"].flatMap { value in
            ["CORDON_ALLOW_DNS", "CORDON_ALLOW_NTP"].map {
                HostileSetting(hook: "isolate-nftables", variable: $0, value: value, others: ["CORDON_MANAGEMENT": "198.51.100.10"])
            }
        }
}

extension HookNetworkTests {
    /// Alert JSON whose fields are full of shell and nft metacharacters; hooks must treat it as data.
    static func hostileAlert(marker: String) -> Data {
        let text = "$(touch \(marker)) `touch \(marker)`; touch \(marker) | touch \(marker) & > \(marker) } ; flush ruleset"
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return Data("{\"MESSAGE\":\"\(escaped)\",\"CORDON_FIELD_ADDRESS\":\"\(escaped)\",\"CORDON_RULE_ID\":\"'; flush ruleset; '\"}\n".utf8)
    }

    @Test("Hostile settings are refused with exit 2 and one line naming the variable; nothing runs, the ruleset is unchanged",
          arguments: HostileSetting.all)
    func hostileSetting(_ setting: HostileSetting) throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let marker = scratch.path + "/marker"
        try network.loadRuleset(Self.unrelatedTable)
        let before = try network.ruleset()

        var environment = setting.others
        environment[setting.variable] = setting.value.replacingOccurrences(of: "@MARKER@", with: marker)
        let result = try network.runHook(setting.hook, "apply", environment: environment, input: Self.hostileAlert(marker: marker))
        #expect(result.status == 2, "exit \(result.status); stderr: \(result.standardError)")
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1 && result.standardError.hasSuffix("\n"), "want one stderr line, got: \(result.standardError.debugDescription)")
        #expect(lines.first?.contains(setting.variable) == true, "stderr does not name \(setting.variable): \(result.standardError)")
        #expect(result.standardError.utf8.count < 300, "stderr echoes too much: \(result.standardError.utf8.count) bytes")
        #expect(!FileManager.default.fileExists(atPath: marker), "the marker file exists: something ran")
        #expect(try network.ruleset() == before, "the ruleset changed")
    }

    @Test("Hostile alert JSON on stdin is only data: a valid apply succeeds and runs nothing from it")
    func hostileAlertIsData() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let marker = scratch.path + "/marker"
        let alert = Self.hostileAlert(marker: marker)
        let block = try network.runHook("block-source", "apply", environment: ["CORDON_ADDRESS": "198.51.100.66"], input: alert)
        #expect(block.status == 0, "\(block.standardError)")
        let isolate = try network.runHook("isolate-nftables", "apply", environment: ["CORDON_MANAGEMENT": "198.51.100.10"], input: alert)
        #expect(isolate.status == 0, "\(isolate.standardError)")
        for (hook, environment) in [("isolate-nftables", [String: String]()), ("block-source", ["CORDON_ADDRESS": "198.51.100.66"])] {
            let released = try network.runHook(hook, "release", environment: environment, input: alert)
            #expect(released.status == 0, "\(hook) release: \(released.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: marker), "the marker file exists: something ran")
        let ruleset = try network.ruleset()
        #expect(!ruleset.contains("isolate_") && !ruleset.contains("198.51.100.66"), "\(ruleset)")
    }

    @Test("Bad arguments are refused with exit 2")
    func badArguments() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        for hook in ["isolate-nftables", "block-source"] {
            for arguments in [[], ["apply", "release"], ["flush"], ["apply; flush ruleset"]] {
                let result = try network.run(in: .host, ["/usr/bin/env", "-i", "PATH=" + TestNetwork.hookPath, "CORDON_ADDRESS=198.51.100.66",
                                                         "CORDON_MANAGEMENT=198.51.100.10", Paths.hooks + "/" + hook] + arguments,
                                             input: Data("{}".utf8))
                #expect(result.status == 2, "\(hook) \(arguments): \(result.standardError)")
            }
            let mismatched = try network.runHook(hook, "apply", environment: ["CORDON_VERB": "release", "CORDON_ADDRESS": "198.51.100.66",
                                                                              "CORDON_MANAGEMENT": "198.51.100.10"])
            #expect(mismatched.status == 2, "\(hook) with CORDON_VERB=release: \(mismatched.standardError)")
        }
        #expect(try network.ruleset() == "")
    }
}

// MARK: - Helpers

extension HookNetworkTests {
    /// Starts a never-ending stream of short lines from `source` to the host's IPv4 address and `port`.
    func stream(in network: TestNetwork, from source: TestNetwork.Node, port: Int) throws {
        try network.spawn(in: source, ["sh", "-c", "while :; do echo tick; sleep 0.1; done | nc -4 \"$0\" \"$1\"",
                                       TestNetwork.Node.host.ipv4, String(port)])
    }

    /// Whether the file grows within `within` seconds, measured from its size after `settle` seconds
    /// (time for data already on its way to land).
    func grows(_ path: String, within: Double = 2, settle: Double = 0) -> Bool {
        func size() -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        if settle > 0 { usleep(UInt32(settle * 1_000_000)) }
        let start = size()
        let deadline = Date().addingTimeInterval(within)
        while Date() < deadline {
            usleep(50_000)
            if size() > start { return true }
        }
        return false
    }
}
