import Foundation
import Journal

/// One host of the fleet fixture: its names, ids and journal entries (export format).
struct FleetHost {
    let hostname: String
    let machineID: String
    let bootID: String
    var entries: [[JournalField]] = []
}

/// The journals of three hosts, as `systemd-journal-remote --split-mode=host` writes them on a
/// collector: one file per host, `remote-<hostname>.journal`, in one directory.
///
/// - a: an SSH brute force, 12 failed passwords for root from 203.0.113.7 within two minutes;
/// - b: 4 failed passwords from the same 203.0.113.7, interleaved in time with a's (below the
///   brute-force threshold of 10 on its own: with per-host correlation state they must not add up
///   with a's to a brute force on b), then a root login from 198.51.100.20;
/// - c: benign only (a login by key of a named user, web server lines, a cron run).
///
/// Every sshd line comes as a trusted sshd sends it (the unit, the binary, uid 0, syslog). No two
/// hosts have an entry at the same realtime: `sd_journal_seek_cursor` over several files of other
/// seqnum and boot ids falls back to the realtime, and may land on the other host's entry.
struct FleetFixture {
    let a: FleetHost
    let b: FleetHost
    let c: FleetHost
    var hosts: [FleetHost] { [a, b, c] }

    /// The attacker's address in a's brute force and b's failures.
    static let attacker = "203.0.113.7"
    /// When the first entry is written (2026-11-26T10:00:00Z).
    static let start: UInt64 = 1_764_151_200_000_000

    /// - Parameter token: makes the host names unique in this journal (tests may write alerts to it).
    init(token: String) {
        var a = FleetHost(hostname: "fleet-a-\(token)", machineID: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
                          bootID: "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
        var b = FleetHost(hostname: "fleet-b-\(token)", machineID: "b2c3d4e5f60718293a4b5c6d7e8f90a1",
                          bootID: "1b2c3d4e5f60718293a4b5c6d7e8f90a")
        var c = FleetHost(hostname: "fleet-c-\(token)", machineID: "c3d4e5f60718293a4b5c6d7e8f90a1b2",
                          bootID: "2c3d4e5f60718293a4b5c6d7e8f90a1b")
        let second: UInt64 = 1_000_000
        for index in 0..<12 {
            Self.sshd(&a, at: Self.start + UInt64(index) * 10 * second, pid: 4100 + index,
                      "Failed password for root from \(Self.attacker) port \(51000 + index) ssh2")
        }
        for index in 0..<4 {
            Self.sshd(&b, at: Self.start + (15 + UInt64(index) * 20) * second, pid: 7300 + index,
                      "Failed password for root from \(Self.attacker) port \(52000 + index) ssh2")
        }
        Self.sshd(&b, at: Self.start + 200 * second, pid: 7310, "Accepted password for root from 198.51.100.20 port 40022 ssh2")
        Self.sshd(&c, at: Self.start + 5 * second, pid: 2200, "Accepted publickey for deploy from 198.51.100.10 port 50100 ssh2: ED25519 SHA256:Xm2pQ0")
        for index in 0..<5 {
            Self.append(&c, at: Self.start + (31 + UInt64(index) * 30) * second, [
                ("_SYSTEMD_UNIT", "nginx.service"), ("_EXE", "/usr/sbin/nginx"), ("_COMM", "nginx"), ("_UID", "33"),
                ("_TRANSPORT", "stdout"), ("SYSLOG_IDENTIFIER", "nginx"), ("PRIORITY", "6"),
                ("MESSAGE", "198.51.100.\(40 + index) - - \"GET /api/v1/status HTTP/1.1\" 200 17"),
            ])
        }
        Self.append(&c, at: Self.start + 62 * second, [
            ("_SYSTEMD_UNIT", "cron.service"), ("_EXE", "/usr/sbin/cron"), ("_COMM", "cron"), ("_UID", "0"),
            ("_TRANSPORT", "syslog"), ("SYSLOG_IDENTIFIER", "CRON"), ("SYSLOG_FACILITY", "9"), ("PRIORITY", "6"),
            ("MESSAGE", "(root) CMD (test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily)"),
        ])
        self.a = a
        self.b = b
        self.c = c
    }

    /// A line from a trusted sshd on `host`.
    private static func sshd(_ host: inout FleetHost, at realtime: UInt64, pid: Int, _ message: String) {
        append(&host, at: realtime, [
            ("_SYSTEMD_UNIT", "ssh.service"), ("_SYSTEMD_SLICE", "system.slice"), ("_SYSTEMD_CGROUP", "/system.slice/ssh.service"),
            ("_EXE", "/usr/sbin/sshd"), ("_COMM", "sshd"), ("_CMDLINE", "sshd: root [priv]"), ("_UID", "0"), ("_GID", "0"),
            ("_PID", String(pid)), ("_TRANSPORT", "syslog"), ("SYSLOG_IDENTIFIER", "sshd"), ("SYSLOG_PID", String(pid)),
            ("SYSLOG_FACILITY", "4"), ("PRIORITY", message.hasPrefix("Failed") ? "5" : "6"), ("MESSAGE", message),
        ])
    }

    /// An entry on `host` with its trusted host fields, as journal-upload sends it.
    private static func append(_ host: inout FleetHost, at realtime: UInt64, _ fields: [(String, String)]) {
        let hostFields = [("_HOSTNAME", host.hostname), ("_MACHINE_ID", host.machineID),
                          ("_SOURCE_REALTIME_TIMESTAMP", String(realtime - 120))]
        host.entries.append(exportEntry(realtime: realtime, fields: (hostFields + fields).map { ($0.0, Array($0.1.utf8)) },
                                        boot: host.bootID))
    }

    /// Writes one journal file per host into `directory`, named as `--split-mode=host` names them
    /// (`remote-<hostname>.journal`), through systemd-journal-remote.
    /// - Returns: the files, in the order of `hosts`.
    @discardableResult
    func write(to directory: String) throws -> [String] {
        try hosts.map { host in
            var bytes: [UInt8] = []
            for entry in host.entries { ExportFormat.append(entry, to: &bytes) }
            return try makeJournal(export: bytes, directory: directory, name: "remote-" + host.hostname)
        }
    }
}
