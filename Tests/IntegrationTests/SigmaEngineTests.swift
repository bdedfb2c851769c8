import Foundation
import Glibc
import Journal
import Testing

/// A real OpenSSH server on loopback (port 2222 unless taken), for forgery tests.
///
/// sshd runs as the daemon it normally is (it forks and detaches) and is stopped through its
/// pid file. It is not a Foundation `Process`: sshd closes every inherited descriptor at start,
/// including the one Foundation watches for the child's exit, and Foundation then blocks in
/// `waitpid` for the still-running sshd, so no other child's exit is ever noticed.
struct RealSSHD {
    let port: Int
    let pidFile: String

    /// Starts `/usr/sbin/sshd` on 127.0.0.1; it logs to the journal through /dev/log.
    static func start() throws -> RealSSHD {
        _ = try runCommand(["ssh-keygen", "-A"])
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for port in [2222] + (0..<5).map({ _ in Int.random(in: 30000...40000) }) {
            let pidFile = "/run/sshd-cordon-test-\(port).pid"
            let result = try runCommand(["/usr/sbin/sshd", "-p", String(port), "-o", "ListenAddress=127.0.0.1",
                                         "-o", "PasswordAuthentication=yes", "-o", "PermitRootLogin=yes",
                                         "-o", "PidFile=" + pidFile])
            // sshd writes its pid file once it listens; it exits at once when the port is taken.
            for _ in 0..<50 where result.status == 0 {
                if FileManager.default.fileExists(atPath: pidFile) { return RealSSHD(port: port, pidFile: pidFile) }
                usleep(20_000)
            }
        }
        throw FixtureError(message: "sshd did not start on any port")
    }

    /// One failed password login as `user`; returns when sshd has answered.
    func failLogin(user: String) throws {
        _ = try runCommand(["sshpass", "-p", "wrong-password", "ssh", "-o", "StrictHostKeyChecking=no",
                            "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no",
                            "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1",
                            "-o", "ConnectTimeout=10", "-p", String(port), "\(user)@127.0.0.1", "true"])
    }

    /// Stops the listener (connections it forked end on their own).
    func stop() {
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            Glibc.kill(pid, SIGTERM)
        }
    }
}

extension JournaldTests {
    /// A rule on the `sshd` log source that matches this test's token in MESSAGE.
    static func sshdTokenRule(token: String) -> String {
        """
        title: Test sshd line with \(token)
        id: 7c1e2a40-\(token.prefix(4))-4d1e-9f00-\(token.prefix(12))
        level: high
        author: Cordon tests
        logsource:
            product: linux
            service: sshd
        detection:
            selection:
                MESSAGE|contains: 'invalid user \(token) from'
            condition: selection
        """
    }

    @Test("A real sshd failure alerts with CORDON_TRUSTED=1; the same text via logger -t sshd only with CORDON_TRUSTED=0")
    func forgedSSHDLineIsNotTrusted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = "u" + uniqueToken().prefix(12)
        let rule = try directory.write("sshd-token.yml", Self.sshdTokenRule(token: token))
        let sshd = try RealSSHD.start()
        defer { sshd.stop() }
        let daemon = try DaemonProcess(arguments: ["--rules", rule, "--rules", Paths.logSources,
                                                   "--state-dir", directory.path + "/state"],
                                       logPath: directory.path + "/daemon.log")
        defer { _ = daemon.stop() }
        try #require(daemon.waitUntilStarted(), "daemon did not start: \(daemon.log)")

        // The token's alerts so far, polled until `done` holds or the timeout passes.
        func tokenAlerts(until done: ([JournalEntry]) -> Bool, timeout: Double) throws -> [JournalEntry] {
            let deadline = Date().addingTimeInterval(timeout)
            var alerts: [JournalEntry] = []
            repeat {
                alerts = try alertEntries(field: "CORDON_RULE_AUTHOR", value: "Cordon tests")
                    .filter { $0.string("CORDON_FIELD_MESSAGE")?.contains(token) == true }
                if done(alerts) { break }
                usleep(100_000)
            } while Date() < deadline
            return alerts
        }

        // The real thing: sshd itself logs "Failed password for invalid user <token> from 127.0.0.1 port N ssh2".
        try sshd.failLogin(user: token)
        let real = try tokenAlerts(until: { $0.contains { $0.string("CORDON_FIELD_MESSAGE")?.hasPrefix("Failed password") == true } },
                                   timeout: 15)
        let failed = try #require(real.first { $0.string("CORDON_FIELD_MESSAGE")?.hasPrefix("Failed password") == true },
                                  "no alert for the real sshd failure; daemon log: \(daemon.log)")
        for alert in real {
            #expect(alert.string("CORDON_TRUSTED") == "1", "real sshd line not trusted: \(alert.string("MESSAGE") ?? "")")
            #expect(alert.string("CORDON_LOGSOURCE") == "product:linux service:sshd")
        }
        // The source entry really is sshd's, as journald saw it.
        let cursor = try #require(failed.string("CORDON_SOURCE_CURSOR").flatMap(Cursor.init))
        let journal = try Journal(source: .local)
        try journal.seek(to: cursor)
        #expect(try journal.next())
        let source = try journal.entry()
        #expect(source.string("_UID") == "0")
        #expect(["/usr/sbin/sshd", nil].contains(source.string("_EXE")))

        // The forgery: the same text from logger, as any local user could write it.
        let forgedText = try #require(source.string("MESSAGE"))
        try runCommand(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "logger", "-t", "sshd", forgedText])
        let all = try tokenAlerts(until: { $0.contains { $0.string("CORDON_TRUSTED") == "0" } }, timeout: 10)
        let forged = all.filter { $0.string("CORDON_TRUSTED") == "0" }
        try #require(forged.count == 1, "expected one untrusted alert for the forged line; daemon log: \(daemon.log)")
        #expect(forged[0].string("CORDON_FIELD_MESSAGE") == forgedText)
        #expect(forged[0].string("MESSAGE")?.contains("untrusted source") == true)
        // Every other alert for the token is the real sshd's, trusted.
        #expect(all.filter { $0.string("CORDON_TRUSTED") == "1" }.count == all.count - 1)
        #expect(daemon.stop() == 0)
    }
}

@Suite struct RegexLimitTests {
    @Test("A catastrophic pattern on a 100 KB line finishes, counts the limit hit and logs it")
    func catastrophicPatternIsBounded() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rule = try directory.write("redos.yml", """
            title: Catastrophic backtracking
            id: 3f0c9a51-6d2e-4b7a-9c1d-2e8f7a6b5c4d
            level: low
            logsource:
                product: linux
            detection:
                selection:
                    MESSAGE|re: '(a+)+$'
                condition: selection
            """)
        let line = [UInt8](repeating: UInt8(ascii: "a"), count: 100_000) + Array("!".utf8)
        var export: [UInt8] = []
        for index in 0..<3 {
            ExportFormat.append(exportEntry(realtime: 1_764_000_000_000_000 + UInt64(index),
                                            fields: [("MESSAGE", index == 1 ? Array("short aaa".utf8) : line),
                                                     ("_HOSTNAME", Array("host".utf8))]), to: &export)
        }
        let file = try makeJournal(export: export, directory: directory.path + "/journal")
        let started = ContinuousClock.now
        let result = try runCommand([Paths.cordon, "replay", "--rules", rule, "--rules", Paths.logSources, "--data-threshold", "262144",
                                    "--stats", "-o", "json", file])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("2 regex limit hits"), "\(result.standardError)")
        #expect(result.standardError.contains("match limit"), "no warning logged: \(result.standardError)")
        // "short aaa" ends in a's: the one real match.
        #expect(result.standardOutput.split(separator: "\n").count == 1)
        // Bounded: the limit stops each attempt in milliseconds; without it this takes far longer than a minute.
        #expect(elapsed < .seconds(60))
    }
}
