import Foundation
import Glibc
import Journal
import Parse
import Testing

/// The flagship: a real sshd in the `host` namespace, Cordon tailing the real journald, a brute
/// force from `attacker` → the correlation alert → `block-source` in enforce mode → the attacker can
/// no longer connect while `admin` can → the TTL releases it. Real nftables, real sshd, real journald.
@Suite(.serialized) struct ResponseEndToEndTests {
    static let sshOptions = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no",
                             "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=5"]

    @Test func aBruteForceGetsTheAttackerBlockedAndTheTTLReleasesIt() throws {
        let network = try TestNetwork()
        defer { network.teardown() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try runCommand(["ssh-keygen", "-A"])
        mkdir("/run/sshd", 0o755)
        // sshd daemonizes (without -D): it closes every inherited descriptor at start, which
        // Foundation's Process takes for an exit and then blocks reaping it. Teardown kills it.
        let sshd = try network.run(in: .host, ["/usr/sbin/sshd", "-o", "ListenAddress=198.51.100.1", "-o", "PasswordAuthentication=yes",
                                               "-o", "PermitRootLogin=yes", "-o", "MaxStartups=100", "-o", "PidFile=" + directory.path + "/sshd.pid"])
        #expect(sshd.status == 0, "\(sshd.standardError)")
        try network.waitUntilListening(in: .host, port: 22)
        let configuration = try directory.write("cordon.yaml", """
            response:
              mode: enforce
              hooks_directory: \(Paths.packageRoot)/hooks
              allowlist:
                addresses: [198.51.100.10, "2001:db8::10"]
              actions:
                - name: block-ssh-source
                  hook: block-source
                  when: {rules: [sshd_brute_force]}
                  key: SourceIp
                  ttl: 90s
                  settings:
                    address: {field: SourceIp}
                    management: [198.51.100.10, "2001:db8::10"]
            """)
        // Cordon runs in the host's namespace, as it would on the host: its hook changes the host's firewall.
        let daemon = try DaemonProcess(arguments: ["--config", configuration, "--rules", Paths.shippedRules,
                                                   "--state-dir", directory.path + "/state"],
                                       logPath: directory.path + "/log", launcher: ["/usr/sbin/ip", "netns", "exec", network.namespace(.host)])
        defer { _ = daemon.stop() }
        #expect(daemon.waitUntilStarted())
        #expect(try network.canConnect(from: .attacker, to: .host, port: 22))
        #expect(try network.canConnect(from: .admin, to: .host, port: 22))

        let started = UInt64(Date().timeIntervalSince1970 * 1_000_000)
        // The brute force: a dozen wrong passwords at once (each costs sshd's PAM delay).
        let attempts = try (0..<12).map { _ in
            try network.spawn(in: .attacker, ["sshpass", "-p", "wrong-password", "ssh"] + Self.sshOptions + ["root@198.51.100.1", "true"])
        }
        let applied = try waitForEntries(CordonMessageID.actionApplied, "CORDON_ACTION_KEY", "198.51.100.66", count: 1,
                                                       timeout: 60, since: started, pid: daemon.process.processIdentifier)
        // Attempts still in flight hang on the dropped connection: end them (the checks below must
        // run well within the TTL, also on a loaded machine).
        for attempt in attempts where attempt.isRunning { attempt.terminate() }
        #expect(applied.count == 1, "\(daemon.log)")
        let identifier = try #require(applied.first?.string("CORDON_ACTION_ID"))
        #expect(applied.first?.string("CORDON_ACTION_NAME") == "block-ssh-source")
        #expect(applied.first?.string("CORDON_ACTION_EXPIRES") != nil)
        let appliedAt = applied.first?.realtime ?? 0
        // How long after the block the checks below ran: they must end well within the 90 s TTL
        // (on a loaded 2-CPU machine the whole test suite runs beside them).
        func sinceApplied() -> String { "\(Int((UInt64(Date().timeIntervalSince1970 * 1_000_000) &- appliedAt) / 1_000_000)) s after the block" }

        // The alert behind it: the trusted correlation, from the attacker's real address.
        let sourceCursor = try #require(applied.first?.string("CORDON_SOURCE_CURSOR"))
        // (Other suites may run a daemon on the same journal meanwhile: this daemon's alert only.)
        let alerts = try alertEntries([("CORDON_RULE_ID", "3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14"), ("CORDON_SOURCE_CURSOR", sourceCursor),
                                       ("_PID", String(daemon.process.processIdentifier))])
        #expect(alerts.count == 1)
        #expect(alerts.first?.string("CORDON_TRUSTED") == "1")
        #expect(alerts.first?.string("CORDON_FIELD_SOURCEIP") == "198.51.100.66")

        // Cordoned off: the attacker cannot connect, the management host can.
        #expect(try network.ruleset().contains("198.51.100.66"), "\(sinceApplied())")
        let listing = try runCommand([Paths.cordon, "actions", "--state-dir", directory.path + "/state"])
        #expect(listing.standardOutput.contains("\(identifier)  block-ssh-source  enforce  applied  198.51.100.66"),
                "\(sinceApplied()): \(listing.standardOutput)")
        #expect(try !network.canConnect(from: .attacker, to: .host, port: 22), "\(sinceApplied())")
        #expect(try network.canConnect(from: .admin, to: .host, port: 22), "\(sinceApplied())")

        // The TTL releases it, not before: the attacker's address is no longer dropped.
        let released = try waitForEntries(CordonMessageID.actionReleased, "CORDON_ACTION_ID", identifier, count: 1, timeout: 150)
        #expect(released.first?.string("CORDON_ACTION_BY") == "ttl", "\(daemon.log)")
        #expect((released.first?.realtime ?? 0) &- appliedAt >= 89_000_000, "released \(((released.first?.realtime ?? 0) &- appliedAt) / 1000) ms after the block")
        #expect(try !network.ruleset().contains("198.51.100.66"))
        #expect(try network.canConnect(from: .attacker, to: .host, port: 22))
    }
}
