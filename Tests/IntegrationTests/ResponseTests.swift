import Foundation
import Glibc
import Journal
import Parse
import Testing

/// Response through the real daemon: dry-run by default, untrusted and allowlisted alerts never
/// acted on, exactly once across a SIGKILL, TTL releases after a restart, `cordon actions` and
/// `cordon release`. The hooks here are test hooks that record their runs; the shipped hooks are
/// tested against real nftables, systemd and HTTP in HookNetworkTests, HookHostTests and
/// ResponseEndToEndTests.
@Suite(.serialized) struct ResponseTests {
    /// `count` failed SSH passwords from `source`, one a second from `start`, as sshd logs them
    /// (trusted: `_EXE=/usr/sbin/sshd`, `_UID=0`), in export format.
    static func bruteForce(source: String, count: Int = 10, start: UInt64, host: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<count {
            let fields: [(String, [UInt8])] = [
                ("_HOSTNAME", Array(host.utf8)), ("_EXE", Array("/usr/sbin/sshd".utf8)), ("_COMM", Array("sshd".utf8)),
                ("_UID", Array("0".utf8)), ("_PID", Array("4242".utf8)), ("_TRANSPORT", Array("syslog".utf8)),
                ("SYSLOG_IDENTIFIER", Array("sshd".utf8)),
                ("MESSAGE", Array("Failed password for root from \(source) port \(40000 + index) ssh2".utf8)),
            ]
            ExportFormat.append(exportEntry(realtime: start + UInt64(index) * 1_000_000, fields: fields), to: &bytes)
        }
        return bytes
    }

    /// A test hook that appends `<verb> <action id> <key>` to `runs`, optionally waiting first.
    static func recordingHook(in directory: TemporaryDirectory, startedMarker: String? = nil, sleepSeconds: Int = 0) throws -> String {
        let hook = try directory.write("hook", """
            #!/bin/sh
            set -eu
            cat >/dev/null
            echo "start $1 $CORDON_ACTION_ID $CORDON_KEY" >> \(directory.path)/runs
            \(sleepSeconds > 0 ? "[ -e \(directory.path)/slept ] || { touch \(directory.path)/slept; sleep \(sleepSeconds); }" : "")
            echo "done $1 $CORDON_ACTION_ID $CORDON_KEY" >> \(directory.path)/runs
            """)
        chmod(hook, 0o755)
        return hook
    }

    static func config(hook: String, mode: String = "enforce", ttl: String = "1h", management: String = "198.51.100.10") -> String {
        """
        response:
          mode: \(mode)
          timeout: 30s
          allowlist:
            addresses: [\(management)]
          actions:
            - name: block-ssh-source
              hook: \(hook)
              when: {rules: [sshd_brute_force]}
              key: SourceIp
              ttl: \(ttl)
              settings:
                address: {field: SourceIp}
        """
    }

    /// A daemon replaying (then tailing) the journal files in `directory/journal` with the shipped rules.
    static func fixtureDaemon(_ directory: TemporaryDirectory, configuration: String, state: String = "state", log: String = "log",
                              launcher: [String] = []) throws -> DaemonProcess {
        try DaemonProcess(arguments: [
            "--config", configuration, "--rules", Paths.shippedRules, "--state-dir", directory.path + "/" + state,
            "--directory", directory.path + "/journal", "--from-start",
        ], logPath: directory.path + "/" + log, launcher: launcher)
    }

    static func runs(_ directory: TemporaryDirectory) -> [String] {
        ((try? String(contentsOfFile: directory.path + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func theShippedConfigurationOnlySaysWhatWouldRun() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let host = "dryrun-" + uniqueToken()
        _ = try makeJournal(export: Self.bruteForce(source: "203.0.113.9", start: 1_800_000_000_000_000, host: host),
                            directory: directory.path + "/journal")
        let tablesBefore = try runCommand(["nft", "list", "tables"]).standardOutput
        // A private network namespace: were dry-run broken, nothing here could change the machine's network.
        let daemon = try Self.fixtureDaemon(directory, configuration: Paths.packageRoot + "/config/cordon.yaml",
                                            launcher: ["/usr/bin/unshare", "-n"])
        defer { _ = daemon.stop() }
        let wouldRun = try waitForEntries(CordonMessageID.actionWouldRun, "CORDON_HOST", host, count: 1)
        #expect(wouldRun.count == 1, "\(daemon.log)")
        let entry = try #require(wouldRun.first)
        #expect(entry.string("CORDON_ACTION_NAME") == "block-ssh-source")
        #expect(entry.string("CORDON_ACTION_KEY") == "203.0.113.9")
        #expect(entry.string("CORDON_ACTION_MODE") == "dry-run")
        #expect(entry.string("MESSAGE")?.contains("would run (dry-run, nothing changed): block-source apply for 203.0.113.9") == true)
        #expect(try alertEntries([("CORDON_HOST", host), ("CORDON_RULE_ID", "3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14")]).count == 1)
        #expect(try waitForEntries(CordonMessageID.actionApplied, "CORDON_HOST", host, count: 1, timeout: 1).isEmpty)
        #expect(try runCommand(["nft", "list", "tables"]).standardOutput == tablesBefore)
        let listing = try runCommand([Paths.cordon, "actions", "--state-dir", directory.path + "/state"])
        #expect(listing.standardOutput.contains("block-ssh-source  dry-run  would-run  203.0.113.9"), "\(listing.standardOutput)")
    }

    @Test func forgedAndAllowlistedSourcesAreNeverActedOn() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hook = try Self.recordingHook(in: directory)
        let configuration = try directory.write("cordon.yaml", Self.config(hook: hook))
        let host = "forgery-" + uniqueToken()
        // Trusted failures, but from the allowlisted management address.
        _ = try makeJournal(export: Self.bruteForce(source: "198.51.100.10", start: 1_800_000_000_000_000, host: host),
                            directory: directory.path + "/journal")
        let replayDaemon = try Self.fixtureDaemon(directory, configuration: configuration, state: "state-allowlist", log: "log-allowlist")
        let skipped = try waitForEntries(CordonMessageID.actionSkipped, "CORDON_HOST", host, count: 1)
        _ = replayDaemon.stop()
        #expect(skipped.first?.string("CORDON_ACTION_REASON") == "address 198.51.100.10 is in the allowlisted 198.51.100.10", "\(replayDaemon.log)")
        // Forged sshd lines on the live journal, from an unprivileged user: the management address and another.
        let live = try DaemonProcess(arguments: [
            "--config", configuration, "--rules", Paths.shippedRules, "--state-dir", directory.path + "/state-live",
        ], logPath: directory.path + "/log-live")
        defer { _ = live.stop() }
        #expect(live.waitUntilStarted())
        let started = UInt64(Date().timeIntervalSince1970 * 1_000_000) - 1_000_000
        // A fresh address each run: the brute-force rule stays quiet for a source that just fired.
        let forgedSource = "203.0.113.\(Int.random(in: 100...199))"
        for source in ["198.51.100.10", forgedSource] {
            for index in 0..<12 {
                try runCommand(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "logger", "-t", "sshd",
                                "Failed password for root from \(source) port \(50000 + index) ssh2"])
            }
        }
        // The forged brute force still raises an alert, untrusted; nothing is decided for it.
        var forged: [JournalEntry] = []
        let deadline = Date().addingTimeInterval(20)
        while forged.isEmpty && Date() < deadline {
            forged = try alertEntries(field: "CORDON_RULE_ID", value: "3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14").filter {
                $0.realtime >= started && $0.string("CORDON_FIELD_SOURCEIP") == forgedSource && $0.string("CORDON_TRUSTED") == "0"
            }
            usleep(100_000)
        }
        #expect(!forged.isEmpty, "\(live.log)")
        usleep(1_000_000)
        // (Other suites' real sshd brute forces may reach this daemon too: only the forged sources matter.)
        #expect(Self.runs(directory).filter { $0.hasSuffix(" " + forgedSource) || $0.hasSuffix(" 198.51.100.10") }.isEmpty)
        #expect(try journalEntries(field: "CORDON_ACTION_KEY", value: forgedSource).filter { $0.realtime >= started }.isEmpty)
        #expect(live.log.contains("An untrusted alert"), "\(live.log)")
    }

    @Test func aKilledDaemonCompletesTheActionExactlyOnceAndReleasesOnTime() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hook = try Self.recordingHook(in: directory, sleepSeconds: 30)
        let configuration = try directory.write("cordon.yaml", Self.config(hook: hook, ttl: "8s"))
        let host = "crash-" + uniqueToken()
        _ = try makeJournal(export: Self.bruteForce(source: "203.0.113.50", start: 1_800_000_000_000_000, host: host),
                            directory: directory.path + "/journal")
        let arguments = ["--config", configuration, "--rules", Paths.shippedRules, "--state-dir", directory.path + "/state",
                         "--directory", directory.path + "/journal", "--from-start"]
        let first = try DaemonProcess(arguments: arguments, logPath: directory.path + "/log")
        // Between intent and outcome: the hook has started and sleeps.
        let deadline = Date().addingTimeInterval(30)
        while Self.runs(directory).isEmpty && Date() < deadline { usleep(50_000) }
        #expect(Self.runs(directory).count == 1, "\(first.log)")
        first.kill(SIGKILL)
        first.wait()
        let listing = try runCommand([Paths.cordon, "actions", "--state-dir", directory.path + "/state", "-o", "json"])
        #expect(listing.standardOutput.contains("\"status\":\"applying\""), "\(listing.standardOutput)")
        let second = try DaemonProcess(arguments: arguments, logPath: directory.path + "/log")
        defer { _ = second.stop() }
        let applied = try waitForEntries(CordonMessageID.actionApplied, "CORDON_HOST", host, count: 1)
        #expect(applied.count == 1, "\(second.log)")
        let identifier = try #require(applied.first?.string("CORDON_ACTION_ID"))
        #expect(applied.first?.string("CORDON_ACTION_BY") == "restart")
        // The TTL release fires after the restart.
        let released = try waitForEntries(CordonMessageID.actionReleased, "CORDON_ACTION_ID", identifier, count: 1, timeout: 40)
        #expect(released.count == 1)
        #expect(released.first?.string("CORDON_ACTION_BY") == "ttl")
        usleep(500_000)
        // Every run used the same action id; apply completed once, release once.
        let runs = Self.runs(directory)
        #expect(runs.allSatisfy { $0.hasSuffix("\(identifier) 203.0.113.50") }, "\(runs)")
        #expect(runs.filter { $0.hasPrefix("done apply") }.count == 1, "\(runs)")
        #expect(runs.filter { $0.hasPrefix("done release") }.count == 1, "\(runs)")
        // A third start repeats nothing.
        _ = second.stop()
        let third = try DaemonProcess(arguments: arguments, logPath: directory.path + "/log")
        #expect(third.waitUntilStarted())
        usleep(1_500_000)
        _ = third.stop()
        #expect(Self.runs(directory) == runs)
        // At most one entry each (other suites rotate and vacuum the journal meanwhile, so one may be gone).
        let entries = try journalEntries(field: "CORDON_ACTION_ID", value: identifier)
        #expect(entries.filter { $0.string("CORDON_ACTION_RESULT") == "applied" }.count <= 1)
        #expect(entries.filter { $0.string("CORDON_ACTION_RESULT") == "released" }.count <= 1)
        #expect(entries.count <= 2)
    }

    @Test func withoutALedgerThereIsNothingToListOrRelease() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"
        #expect(try runCommand([Paths.cordon, "actions", "--state-dir", state]).standardOutput == "No actions.\n")
        #expect(try runCommand([Paths.cordon, "release", "--all", "--state-dir", state]).standardOutput == "Nothing to release.\n")
        #expect(try runCommand([Paths.cordon, "release", "0123", "--state-dir", state]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: state))
    }

    @Test func anOperatorReleasesByKeyAndTheDaemonDoesNotReleaseAgain() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hook = try Self.recordingHook(in: directory)
        let configuration = try directory.write("cordon.yaml", Self.config(hook: hook, ttl: "20s"))
        let host = "release-" + uniqueToken()
        _ = try makeJournal(export: Self.bruteForce(source: "203.0.113.60", start: 1_800_000_000_000_000, host: host),
                            directory: directory.path + "/journal")
        let daemon = try Self.fixtureDaemon(directory, configuration: configuration)
        defer { _ = daemon.stop() }
        let applied = try waitForEntries(CordonMessageID.actionApplied, "CORDON_HOST", host, count: 1)
        let identifier = try #require(applied.first?.string("CORDON_ACTION_ID"))
        let actions = try runCommand([Paths.cordon, "actions", "--state-dir", directory.path + "/state"])
        #expect(actions.standardOutput.contains(identifier + "  block-ssh-source  enforce  applied  203.0.113.60"), "\(actions.standardOutput)")
        let release = try runCommand([Paths.cordon, "release", "--config", configuration, "--state-dir", directory.path + "/state",
                                      "--key", "203.0.113.60"])
        #expect(release.status == 0, "\(release.standardError)")
        #expect(release.standardOutput.contains("released \(identifier) (block-ssh-source 203.0.113.60)"))
        let released = try waitForEntries(CordonMessageID.actionReleased, "CORDON_ACTION_ID", identifier, count: 1)
        #expect(released.first?.string("CORDON_ACTION_BY") == "operator")
        // Past the TTL (20 s: long enough that the listing and the release above come before it on a loaded machine).
        let pastTTL = Double(applied.first?.realtime ?? 0) / 1_000_000 + 22
        while Date().timeIntervalSince1970 < pastTTL { usleep(200_000) }
        #expect(Self.runs(directory).filter { $0.hasPrefix("done release") }.count == 1)
        #expect(try waitForEntries(CordonMessageID.actionReleased, "CORDON_ACTION_ID", identifier, count: 2, timeout: 0.5).count <= 1)
        let unknown = try runCommand([Paths.cordon, "release", "--state-dir", directory.path + "/state", "0123"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("no action 0123"))
    }
}

/// Hostile log content through the whole path: sshd lines (trusted, as sshd writes them) whose
/// user names hold shell syntax, newlines and NUL reach hooks only as escaped data, and the real
/// block-source refuses a value that is not an address, with a clear error in the journal.
@Suite(.serialized) struct ResponseInjectionTests {
    @Test func hostileUserNamesReachHooksOnlyAsData() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let marker = directory.path + "/pwned"
        let names: [[UInt8]] = [
            Array("$(touch \(marker))".utf8), Array("`touch \(marker)`".utf8), Array("a;touch \(marker)|b".utf8),
            Array("x\ntouch \(marker)".utf8), Array("nul\u{0}$(touch \(marker))".utf8),
            Array(("$(touch " + marker + ")" + String(repeating: "A", count: 20_000)).utf8),
        ]
        let host = "inject-" + uniqueToken()
        var export: [UInt8] = []
        for (index, name) in names.enumerated() {
            let fields: [(String, [UInt8])] = [
                ("_HOSTNAME", Array(host.utf8)), ("_EXE", Array("/usr/sbin/sshd".utf8)), ("_UID", Array("0".utf8)),
                ("_TRANSPORT", Array("syslog".utf8)), ("SYSLOG_IDENTIFIER", Array("sshd".utf8)),
                ("MESSAGE", Array("Failed password for invalid user ".utf8) + name + Array(" from 203.0.113.70 port \(41000 + index) ssh2".utf8)),
            ]
            ExportFormat.append(exportEntry(realtime: 1_800_000_000_000_000 + UInt64(index) * 60_000_000, fields: fields), to: &export)
        }
        _ = try makeJournal(export: export, directory: directory.path + "/journal")
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Paths.logSources, toPath: rules + "/logsources.yml")
        let ruleIdentifier = "0b7e5d43-2f61-4c88-9a1e-6d3c2b1a0f99"
        _ = try directory.write("rules/hostile-user.yml", """
            title: SSH failure for a user name with shell syntax
            id: \(ruleIdentifier)
            level: high
            logsource: {product: linux, service: sshd}
            detection:
                sel:
                    MESSAGE|startswith: 'Failed password for '
                    User|contains: ['$', '`', ';', '|', "\\n"]
                condition: sel
            """)
        let record = try directory.write("record", """
            #!/bin/sh
            set -eu
            printf '%s' "$CORDON_USER" > \(directory.path)/user-$CORDON_ACTION_ID
            cat > \(directory.path)/stdin-$CORDON_ACTION_ID
            """)
        chmod(record, 0o755)
        let configuration = try directory.write("cordon.yaml", """
            response:
              mode: enforce
              budget: 100
              hooks_directory: \(Paths.packageRoot)/hooks
              actions:
                - name: record
                  hook: \(record)
                  when: {rules: [\(ruleIdentifier)]}
                  key: User
                  settings: {user: {field: User}}
                - name: block
                  hook: block-source
                  when: {rules: [\(ruleIdentifier)]}
                  key: User
                  settings: {address: {field: User}}
            """)
        // A private network namespace: block-source runs for real but could change nothing here.
        let daemon = try DaemonProcess(arguments: [
            "--config", configuration, "--rules", rules, "--state-dir", directory.path + "/state",
            "--directory", directory.path + "/journal", "--from-start",
        ], logPath: directory.path + "/log", launcher: ["/usr/bin/unshare", "-n"])
        defer { _ = daemon.stop() }
        let failed = try waitForEntries(CordonMessageID.actionFailed, "CORDON_HOST", host, count: names.count, timeout: 60)
        let applied = try waitForEntries(CordonMessageID.actionApplied, "CORDON_HOST", host, count: names.count, timeout: 30)
        #expect(failed.count == names.count, "\(daemon.log)")
        #expect(applied.count == names.count)
        #expect(!FileManager.default.fileExists(atPath: marker))
        for entry in failed {
            #expect(entry.string("CORDON_ACTION_NAME") == "block")
            #expect(entry.string("CORDON_ACTION_EXIT") == "exited 2")
            #expect(entry.string("CORDON_ACTION_STDERR")?.contains("CORDON_ADDRESS") == true, "\(entry.string("CORDON_ACTION_STDERR") ?? "")")
        }
        // Each name arrived as the escaped text of the log line: control bytes as \n, \x00; nothing ran.
        let received = Set(applied.compactMap { $0.string("CORDON_ACTION_ID") }.compactMap {
            try? String(contentsOfFile: directory.path + "/user-" + $0, encoding: .utf8)
        })
        #expect(received.contains("$(touch \(marker))"))
        #expect(received.contains("`touch \(marker)`"))
        #expect(received.contains("a;touch \(marker)|b"))
        #expect(received.contains("x\\ntouch \(marker)"))
        #expect(received.contains("nul\\x00$(touch \(marker))"))
        #expect(received.contains { $0.hasPrefix("$(touch \(marker))AAAA") && $0.count <= 1100 })
    }
}
