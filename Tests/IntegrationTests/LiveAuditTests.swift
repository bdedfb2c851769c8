import Foundation
import Journal
import Testing

/// Whether this machine lets a test turn kernel auditing on (root with CAP_AUDIT_CONTROL and
/// auditctl installed; containers often cannot).
enum LiveAudit {
    static let isPossible: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/auditctl") else { return false }
        return (try? runCommand(["/usr/sbin/auditctl", "-s"]).status) == 0
    }()

    /// `enabled` from `auditctl -s`, to restore afterwards.
    static func enabledFlag() throws -> String {
        let status = try runCommand(["/usr/sbin/auditctl", "-s"]).standardOutput
        return status.split(separator: "\n").first { $0.hasPrefix("enabled ") }.map { String($0.dropFirst(8)) } ?? "0"
    }
}

/// Real kernel audit records, read by the real journald, assembled by the real daemon.
@Suite(.serialized, .enabled(if: LiveAudit.isPossible, "auditctl cannot control kernel auditing here"))
struct LiveAuditTests {
    static func rule(identifier: String, token: String) -> String {
        """
        title: Live audit exec \(token)
        id: \(identifier)
        status: test
        author: Cordon tests
        level: high
        logsource:
            product: linux
            category: process_creation
        detection:
            selection:
                CommandLine: '/usr/bin/true \(token)'
                Image: /usr/bin/true
                User: nobody
                ParentImage: /usr/bin/dash
            condition: selection
        """
    }

    @Test("An exec audited by the kernel alerts as a trusted process_creation event; logger -t audit and -t sysmon copies do not")
    func realExecIsAssembledAndForgeriesAreNot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = "t" + uniqueToken().prefix(12)
        let identifier = UUID().uuidString.lowercased()
        let rule = try directory.write("live-audit.yml", Self.rule(identifier: identifier, token: String(token)))
        let key = "cordon-live-\(token)"

        let wasEnabled = try LiveAudit.enabledFlag()
        try #require(try runCommand(["/usr/sbin/auditctl", "-w", "/usr/bin/true", "-p", "x", "-k", key]).status == 0)
        defer {
            _ = try? runCommand(["/usr/sbin/auditctl", "-W", "/usr/bin/true", "-p", "x", "-k", key])
            _ = try? runCommand(["/usr/sbin/auditctl", "-e", wasEnabled])
        }
        try #require(try runCommand(["/usr/sbin/auditctl", "-e", "1"]).status == 0)

        let daemon = try DaemonProcess(arguments: ["--rules", rule, "--rules", Paths.logSources,
                                                   "--state-dir", directory.path + "/state"],
                                       logPath: directory.path + "/daemon.log")
        defer { _ = daemon.stop() }
        try #require(daemon.waitUntilStarted(), "daemon did not start: \(daemon.log)")

        // The real thing: nobody runs /usr/bin/true from a shell that is still there when Cordon asks /proc.
        try runCommand(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/bin/sh", "-c",
                        "/usr/bin/true \(token); sleep 2"])
        let alerts = try waitForAlerts(field: "CORDON_RULE_ID", value: identifier, count: 1, timeout: 15)
        let records = try journalEntries(field: "_AUDIT_FIELD_KEY", value: "\"\(key)\"")
        try #require(alerts.count == 1, "no alert; \(records.count) audit records with the key; daemon log: \(daemon.log)")
        let alert = alerts[0]
        #expect(alert.string("CORDON_TRUSTED") == "1")
        #expect(alert.string("CORDON_LOGSOURCE") == "category:process_creation product:linux")
        #expect(alert.string("CORDON_FIELD_COMMANDLINE") == "/usr/bin/true \(token)")
        #expect(alert.string("CORDON_FIELD_PARENTIMAGE") == "/usr/bin/dash")
        // The evidence is the event's SYSCALL record, written by the kernel.
        let cursor = try #require(alert.string("CORDON_SOURCE_CURSOR").flatMap(Cursor.init))
        let journal = try Journal(source: .local)
        try journal.seek(to: cursor)
        #expect(try journal.next())
        let source = try journal.entry()
        #expect(source.string("_TRANSPORT") == "audit")
        #expect(source.string("_AUDIT_TYPE_NAME") == "SYSCALL")

        // The forgeries: the same facts from logger, as any local user could write them.
        let forged = "f" + uniqueToken().prefix(12)
        let sysmonXML = """
            <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID>\
            <Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>\
            <TimeCreated SystemTime="2026-11-26T10:00:00.000000000Z"/><EventRecordID>1</EventRecordID><Correlation/>\
            <Execution ProcessID="1" ThreadID="1"/><Channel>Linux-Sysmon/Operational</Channel><Computer>x</Computer>\
            <Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="ProcessId">4242</Data>\
            <Data Name="Image">/usr/bin/true</Data><Data Name="CommandLine">/usr/bin/true \(token)</Data>\
            <Data Name="User">nobody</Data><Data Name="ParentImage">/usr/bin/dash</Data><Data Name="Marker">\(forged)</Data>\
            </EventData></Event>
            """
        let auditText = "EXECVE argc=2 a0=\"/usr/bin/true\" a1=\"\(token)\" marker=\(forged)"
        for (tag, text) in [("sysmon", sysmonXML), ("audit", auditText)] {
            try runCommand(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "logger", "-t", tag, text])
        }
        // The Sysmon copy is still read (an operator sees the attempt), but untrusted; the audit copy is no event.
        let all = try waitForAlerts(field: "CORDON_RULE_ID", value: identifier, count: 2, timeout: 10)
        let copies = all.filter { $0.string("CORDON_SOURCE_CURSOR") != alert.string("CORDON_SOURCE_CURSOR") }
        #expect(copies.count == 1, "\(copies.map { $0.string("MESSAGE") ?? "" })")
        #expect(copies.allSatisfy { $0.string("CORDON_TRUSTED") == "0" })
        #expect(all.filter { $0.string("CORDON_TRUSTED") == "1" }.count == 1)
        #expect(daemon.stop() == 0)
    }
}
