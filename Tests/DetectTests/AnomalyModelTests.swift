import Journal
import Rules
import Testing
@testable import Detect

/// The learned anomaly detectors on entries built in memory: learning in entry time, what each
/// detector reports after it, hourly limits, operator marks, trust, and snapshots that continue
/// exactly where an uninterrupted model would.
@Suite("Anomaly model")
struct AnomalyModelTests {
    static let hour: UInt64 = 3_600_000_000
    static let day: UInt64 = 24 * hour
    /// 2024-03-01T00:00:00Z.
    static let start: UInt64 = 1_709_251_200_000_000

    static func detector(_ kind: CorrelationRule.Kind, references: [String] = [], settings: [String: Double] = [:],
                         names: [String: [String]] = [:], level: Level = .medium) -> CorrelationRule {
        var rule = CorrelationRule(identifier: "anomaly-\(kind.rawValue)", title: "Anomaly \(kind.rawValue)", level: level, kind: kind,
                                   ruleReferences: references, groupBy: [], timespan: 0, condition: CorrelationRule.Condition(),
                                   location: SourceLocation(file: "anomaly.yml", line: 1))
        rule.resolvedReferences = references
        rule.settings = ["learning": Double(2 * day)].merging(settings) { _, new in new }
        rule.names = names
        return rule
    }

    /// An sshd entry from ssh.service.
    static func sshd(_ message: String, at realtime: UInt64) -> JournalEntry {
        JournalEntry(fields: [("MESSAGE", Array(message.utf8)), ("_SYSTEMD_UNIT", Array("ssh.service".utf8)),
                              ("_EXE", Array("/usr/sbin/sshd".utf8)), ("_COMM", Array("sshd".utf8)), ("_UID", Array("0".utf8)),
                              ("_TRANSPORT", Array("syslog".utf8))], realtime: realtime, cursor: nil)
    }

    static func entry(_ message: String, unit: String? = nil, exe: String, comm: String, uid: String, at realtime: UInt64) -> JournalEntry {
        var fields: [(name: String, value: [UInt8])] = [("MESSAGE", Array(message.utf8)), ("_EXE", Array(exe.utf8)),
                                                         ("_COMM", Array(comm.utf8)), ("_UID", Array(uid.utf8)),
                                                         ("_TRANSPORT", Array("stdout".utf8))]
        if let unit { fields.append(("_SYSTEMD_UNIT", Array(unit.utf8))) }
        return JournalEntry(fields: fields, realtime: realtime, cursor: nil)
    }

    static func observe(_ model: AnomalyModel, _ entry: JournalEntry) -> [AnomalyFinding] {
        var findings: [AnomalyFinding] = []
        model.observe(entry, into: &findings)
        return findings
    }

    /// Two days of ordinary sshd traffic, an entry every 10 minutes.
    static func learnSSHD(_ model: AnomalyModel) -> [AnomalyFinding] {
        var findings: [AnomalyFinding] = []
        var time = start
        var index = 0
        while time < start + 2 * day {
            let message = index % 2 == 0
                ? "Failed password for root from 203.0.113.\(index % 200 + 1) port \(40_000 + index) ssh2"
                : "Accepted publickey for alice from 192.0.2.\(index % 50 + 1) port \(50_000 + index) ssh2"
            findings += observe(model, sshd(message, at: time))
            time += 600_000_000
            index += 1
        }
        return findings
    }

    @Test("rare_category: nothing while learning; afterwards a new kind of sshd message alerts once, known kinds never")
    func rareCategory() {
        let model = AnomalyModel(detectors: [Self.detector(.rareCategory)])
        #expect(Self.learnSSHD(model).isEmpty)
        let later = Self.start + 3 * Self.day
        #expect(Self.observe(model, Self.sshd("Failed password for root from 198.51.100.7 port 41234 ssh2", at: later)).isEmpty)
        let novel = "error: kex_exchange_identification: Connection closed by remote host"
        let findings = Self.observe(model, Self.sshd(novel, at: later + 1))
        #expect(findings.count == 1)
        let finding = findings.first
        #expect(finding?.rule.kind == .rareCategory)
        #expect(finding?.source == "ssh.service")
        #expect(finding?.template?.contains("kex_exchange_identification") == true)
        #expect(finding?.value == finding?.category)
        #expect(finding?.isTrusted == true)
        #expect(finding?.explanation.contains("unlike any during learning") == true)
        // Seen once: known from now on.
        #expect(Self.observe(model, Self.sshd(novel, at: later + 2)).isEmpty)
    }

    @Test("rare_category watches only its sources; a local user's source is kept apart and untrusted")
    func rareCategorySources() {
        let model = AnomalyModel(detectors: [Self.detector(.rareCategory, names: ["sources": ["ssh.service", "user:*"]])])
        _ = Self.learnSSHD(model)
        let later = Self.start + 3 * Self.day
        // nginx is not watched.
        let web = Self.entry("upstream timed out while reading response header", unit: "nginx.service", exe: "/usr/sbin/nginx",
                             comm: "nginx", uid: "33", at: later)
        #expect(Self.observe(model, web).isEmpty)
        // A user's own binary called sshd, writing in a session: source user:sshd, untrusted.
        let forged = Self.entry("error: kex_exchange_identification: forged", unit: "session-4.scope", exe: "/home/mallory/sshd",
                                comm: "sshd", uid: "1000", at: later + 1)
        let findings = Self.observe(model, forged)
        #expect(findings.map(\.source) == ["user:sshd"])
        #expect(findings.first?.isTrusted == false)
        // The real sshd's identical message is still new for ssh.service: the forgery taught nothing.
        let real = Self.observe(model, Self.sshd("error: kex_exchange_identification: forged", at: later + 2))
        #expect(real.map(\.source) == ["ssh.service"])
    }

    @Test("category_rate: a storm of one category alerts once per window; its learned daily peak does not")
    func categoryRate() {
        let rule = Self.detector(.categoryRate, settings: ["window": 600_000_000, "factor": 5, "floor": 50])
        let model = AnomalyModel(detectors: [rule])
        let message = "ERROR c.h.ehr.db.Pool : connection pool exhausted after 30000 ms"
        func app(_ time: UInt64) -> JournalEntry {
            Self.entry(message, unit: "ehr-api.service", exe: "/usr/bin/java", comm: "java", uid: "998", at: time)
        }
        var findings: [AnomalyFinding] = []
        // Learning: 2 a window, and a nightly batch of 100 in the window at 02:00.
        for window in 0..<(2 * 144) {
            let time = Self.start + UInt64(window) * 600_000_000
            let count = window % 144 == 12 ? 100 : 2
            for index in 0..<count { findings += Self.observe(model, app(time + UInt64(index) * 1_000)) }
        }
        #expect(findings.isEmpty)
        // Day 3: the nightly batch again: within the learned peak, no alert.
        let dayThree = Self.start + 2 * Self.day
        for window in 0..<144 {
            let time = dayThree + UInt64(window) * 600_000_000
            let count = window == 12 ? 100 : 2
            for index in 0..<count { findings += Self.observe(model, app(time + UInt64(index) * 1_000)) }
        }
        #expect(findings.isEmpty)
        // Day 4: 2,000 in one window: one alert, with the count and the baseline.
        let storm = Self.start + 3 * Self.day + 6 * Self.hour
        for index in 0..<2_000 { findings += Self.observe(model, app(storm + UInt64(index) * 100_000)) }
        #expect(findings.count == 1)
        #expect(findings.first?.count == 501)  // fires as the count passes 5 × the peak of 100
        #expect(findings.first?.baseline?.contains("highest during learning 100") == true)
        #expect(findings.first?.source == "ehr-api.service")
    }

    @Test("rare_process: a program new to a unit alerts, raised to high under a network service")
    func rareProcess() {
        let model = AnomalyModel(detectors: [Self.detector(.rareProcess, names: ["network_units": ["nginx.service"]])])
        var time = Self.start
        while time < Self.start + 2 * Self.day {
            #expect(Self.observe(model, Self.entry("GET / 200", unit: "nginx.service", exe: "/usr/sbin/nginx", comm: "nginx", uid: "33", at: time)).isEmpty)
            #expect(Self.observe(model, Self.entry("backup done", unit: "backup.service", exe: "/usr/bin/dash", comm: "sh", uid: "0", at: time + 1)).isEmpty)
            time += Self.hour
        }
        // dash is known under backup.service, not under nginx.service.
        #expect(Self.observe(model, Self.entry("backup done", unit: "backup.service", exe: "/usr/bin/dash", comm: "sh", uid: "0", at: time)).isEmpty)
        let shell = Self.observe(model, Self.entry("sh: 1: curl: not found", unit: "nginx.service", exe: "/usr/bin/dash", comm: "sh",
                                                   uid: "33", at: time + 1))
        #expect(shell.map(\.value) == ["nginx.service: /usr/bin/dash"])
        #expect(shell.first?.level == .high)
        #expect(shell.first?.explanation.contains("under a network service") == true)
        #expect(Self.observe(model, Self.entry("uid=33(www-data)", unit: "nginx.service", exe: "/usr/bin/dash", comm: "sh", uid: "33", at: time + 2)).isEmpty)
        // From audit process events of a watched rule: a new executable as root.
        let events = AnomalyModel(detectors: [Self.detector(.rareProcess, references: ["process_started"])])
        var found: [AnomalyFinding] = []
        for day in 0..<3 {
            events.observe(ruleIdentifier: "process_started", fields: ["Image": Array("/usr/bin/ls".utf8), "User": Array("root".utf8)],
                           realtime: Self.start + UInt64(day) * Self.day, isTrusted: true, cursor: "s=a;i=\(day)", into: &found)
        }
        #expect(found.isEmpty)
        events.observe(ruleIdentifier: "process_started",
                       fields: ["Image": Array("/tmp/.x".utf8), "User": Array("root".utf8), "ParentImage": Array("/usr/sbin/nginx".utf8)],
                       realtime: Self.start + 3 * Self.day, isTrusted: true, cursor: "s=a;i=9", into: &found)
        #expect(found.map(\.value) == ["process: /tmp/.x"])
        #expect(found.first?.level == .high)
        #expect(found.first?.cursor == "s=a;i=9")
    }

    @Test("rare_login: a new network and a new hour for a user alert; the usual ones and untrusted matches do not")
    func rareLogin() {
        let model = AnomalyModel(detectors: [Self.detector(.rareLogin, references: ["accepted"])])
        func login(_ user: String, _ address: String, at realtime: UInt64, trusted: Bool = true) -> [AnomalyFinding] {
            var findings: [AnomalyFinding] = []
            model.observe(ruleIdentifier: "accepted", fields: ["User": Array(user.utf8), "SourceIp": Array(address.utf8)],
                          realtime: realtime, isTrusted: trusted, cursor: "s=a;i=\(realtime)", into: &findings)
            return findings
        }
        // Learning: alice from 10.20.5.0/24 at 09:00–17:00.
        for day in 0..<2 {
            for hour in 9...17 {
                #expect(login("alice", "10.20.5.\(hour)", at: Self.start + UInt64(day) * Self.day + UInt64(hour) * Self.hour).isEmpty)
            }
        }
        let dayThree = Self.start + 2 * Self.day
        #expect(login("alice", "10.20.5.200", at: dayThree + 10 * Self.hour).isEmpty)
        #expect(login("alice", "10.20.5.200", at: dayThree + 18 * Self.hour).isEmpty)  // next to 17:00
        let network = login("alice", "198.51.100.9", at: dayThree + 11 * Self.hour)
        #expect(network.map(\.value) == ["alice from 198.51.100.0/24"])
        #expect(network.first?.baseline?.contains("10.20.5.0/24") == true)
        // (Learning began at the first login, 09:00 on day 1: day 3 before 09:00 is still learning.)
        let night = login("alice", "10.20.5.3", at: dayThree + Self.day + 3 * Self.hour)
        #expect(night.map(\.value) == ["alice at 03:00"])
        // A forged (untrusted) login neither alerts nor teaches.
        #expect(login("alice", "203.0.113.5", at: dayThree + 12 * Self.hour, trusted: false).isEmpty)
        #expect(login("alice", "203.0.113.5", at: dayThree + 12 * Self.hour + 1).map(\.value) == ["alice from 203.0.113.0/24"])
        #expect(model.statistics.untrustedIgnored == 1)
    }

    @Test("limit: past the hourly limit findings are counted as suppressed, and the next alert says how many")
    func limit() {
        let model = AnomalyModel(detectors: [Self.detector(.rareCategory, settings: ["limit": 2])])
        _ = Self.learnSSHD(model)
        let later = Self.start + 3 * Self.day
        var findings: [AnomalyFinding] = []
        let shapes = ["alpha", "bravo charlie", "delta echo foxtrot", "golf hotel india juliet", "kilo lima mike november oscar"]
        for (index, shape) in shapes.enumerated() {
            findings += Self.observe(model, Self.sshd("fatal: \(shape)", at: later + UInt64(index)))
        }
        #expect(findings.count == 2)
        #expect(model.statistics.suppressed == 3)
        let nextHour = Self.observe(model, Self.sshd("warning: papa quebec romeo sierra tango uniform", at: later + Self.hour))
        #expect(nextHour.count == 1)
        #expect(nextHour.first?.explanation.contains("3 more such alerts") == true)
    }

    @Test("values marked normal by an operator are not reported")
    func markedNormal() {
        let model = AnomalyModel(detectors: [Self.detector(.rareLogin, references: ["accepted"])])
        var findings: [AnomalyFinding] = []
        model.observe(ruleIdentifier: "accepted", fields: ["User": Array("bob".utf8), "SourceIp": Array("10.0.0.1".utf8)],
                      realtime: Self.start + 10 * Self.hour, isTrusted: true, cursor: "s=a;i=1", into: &findings)
        model.normal = ["bob from 192.0.2.0/24"]
        model.observe(ruleIdentifier: "accepted", fields: ["User": Array("bob".utf8), "SourceIp": Array("192.0.2.8".utf8)],
                      realtime: Self.start + 3 * Self.day + 10 * Self.hour, isTrusted: true, cursor: "s=a;i=2", into: &findings)
        #expect(findings.isEmpty)
    }

    @Test("a snapshot taken mid-stream continues exactly as the uninterrupted model")
    func snapshotContinues() throws {
        let rules = [Self.detector(.rareCategory), Self.detector(.categoryRate, settings: ["floor": 5, "factor": 3]),
                     Self.detector(.rareProcess), Self.detector(.rareLogin, references: ["accepted"])]
        var entries: [JournalEntry] = []
        for index in 0..<3_000 {
            let time = Self.start + UInt64(index) * 100_000_000  // 100 s apart: ~3.5 days
            switch index % 4 {
            case 0: entries.append(Self.sshd("Failed password for root from 203.0.113.\(index % 250) port \(index) ssh2", at: time))
            case 1: entries.append(Self.entry("job \(index % 7) done", unit: "cron.service", exe: "/usr/sbin/cron", comm: "cron", uid: "0", at: time))
            case 2 where index > 2_400: entries.append(Self.sshd("fatal: shape \(String(repeating: "x ", count: index % 9)) end", at: time))
            default: entries.append(Self.entry("tick", unit: "timer\(index % 3).service", exe: "/usr/bin/true", comm: "true", uid: "0", at: time))
            }
        }
        func run(_ model: AnomalyModel, _ slice: ArraySlice<JournalEntry>) -> [String] {
            slice.flatMap { entry in Self.observe(model, entry).map { "\($0.rule.kind.rawValue) \($0.value) \($0.realtime)" } }
        }
        let whole = AnomalyModel(detectors: rules)
        let expected = run(whole, entries[...])
        #expect(!expected.isEmpty)
        let first = AnomalyModel(detectors: rules)
        var resumed = run(first, entries[..<1_700])
        let restored = try AnomalyModel(detectors: rules, restoring: first.snapshot())
        resumed += run(restored, entries[1_700...])
        #expect(resumed == expected)
        #expect(restored.snapshot() == whole.snapshot())
    }

    @Test("a corrupt or foreign snapshot is refused, never trusted")
    func corruptSnapshot() {
        let rules = [Self.detector(.rareCategory)]
        let model = AnomalyModel(detectors: rules)
        _ = Self.learnSSHD(model)
        let bytes = model.snapshot()
        #expect(throws: StateDecodingError.self) { try AnomalyModel(detectors: rules, restoring: Array(bytes.prefix(bytes.count / 2))) }
        #expect(throws: StateDecodingError.self) { try AnomalyModel(detectors: rules, restoring: Array("cordon-correlation v3\n".utf8)) }
        #expect(throws: StateDecodingError.self) { try AnomalyModel(detectors: rules, restoring: bytes + [0]) }
    }
}
