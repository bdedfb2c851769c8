import Journal
import Testing
@testable import Parse

@Suite struct AuditParserTests {
    /// An audit entry as journald writes it: `MESSAGE="<TYPE> <body>"` and `_AUDIT_TYPE_NAME`.
    static func record(_ type: String, _ body: String) -> JournalEntry {
        JournalEntry(fields: [
            (name: "_TRANSPORT", value: Array("audit".utf8)),
            (name: "_AUDIT_TYPE_NAME", value: Array(type.utf8)),
            (name: "_AUDIT_ID", value: Array("4242".utf8)),
            (name: "MESSAGE", value: Array("\(type) \(body)".utf8)),
        ], cursor: Cursor("s=test;i=1")!)
    }

    static func hex(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(text.utf8.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    @Test func readsSyscallRecord() {
        let fields = parsedFields(AuditParser(), Self.record("SYSCALL", """
            arch=c000003e syscall=319 success=yes exit=3 a0=7ffd1 a1=1 a2=0 a3=4 items=0 ppid=1234 pid=1235 \
            auid=1000 uid=1000 gid=1000 euid=0 suid=0 fsuid=0 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 \
            comm="ecasound" exe="/usr/bin/ecasound" subj=unconfined key="memfd"
            """))
        #expect(fields["type"] == "SYSCALL")
        #expect(fields["SYSCALL"] == "memfd_create")
        #expect(fields["syscall"] == "319")
        #expect(fields["arch"] == "c000003e")
        #expect(fields["a0"] == "7ffd1")
        #expect(fields["a3"] == "4")
        #expect(fields["exe"] == "/usr/bin/ecasound")
        #expect(fields["comm"] == "ecasound")
        #expect(fields["euid"] == "0")
        #expect(fields["auid"] == "1000")
        #expect(fields["success"] == "yes")
        #expect(fields["exit"] == "3")
        #expect(fields["key"] == "memfd")
        #expect(fields["tty"] == "pts0")
        #expect(fields["subj"] == "unconfined")
    }

    @Test(arguments: [
        ("c000003e", "59", "execve"), ("c000003e", "322", "execveat"), ("c000003e", "133", "mknod"),
        ("c000003e", "99", "sysinfo"), ("c000003e", "103", "syslog"), ("C000003E", "0", "read"),
        ("c00000b7", "221", "execve"), ("c00000b7", "279", "memfd_create"), ("c00000b7", "63", "read"),
        ("40000003", "11", "execve"), ("40000003", "356", "memfd_create"),
    ])
    func namesSyscalls(architecture: String, number: String, name: String) {
        let fields = parsedFields(AuditParser(), Self.record("SYSCALL", "arch=\(architecture) syscall=\(number) success=yes"))
        #expect(fields["SYSCALL"] == name)
    }

    @Test(arguments: [
        "arch=c000003e syscall=100000 success=yes", "arch=c000003e syscall=400 success=yes", "arch=c000003e syscall=-1",
        "arch=c000003e syscall=12345678901234567890", "arch=deadbeef syscall=59", "syscall=59", "arch=c000003e",
    ])
    func leavesUnknownSyscallsUnnamed(_ body: String) {
        let fields = parsedFields(AuditParser(), Self.record("SYSCALL", body))
        #expect(fields["SYSCALL"] == nil)
        #expect(fields["type"] == "SYSCALL")
    }

    @Test func decodesExecveArguments() {
        let fields = parsedFields(AuditParser(), Self.record("EXECVE", "argc=4 a0=\"ls\" a1=\"-la\" a2=\(Self.hex("/tmp/x y")) a3=\(Self.hex("say \"hi\""))"))
        #expect(fields == ["type": "EXECVE", "argc": "4", "a0": "ls", "a1": "-la", "a2": "/tmp/x y", "a3": "say \"hi\""])
    }

    @Test func keepsQuotedHexLookalikes() {
        // A quoted value is the argument itself, even when it looks like hex.
        let fields = parsedFields(AuditParser(), Self.record("EXECVE", "argc=2 a0=\"echo\" a1=\"2F746D70\""))
        #expect(fields["a1"] == "2F746D70")
    }

    @Test func joinsSplitExecveArgument() {
        let fields = allFields(AuditParser(), Self.record("EXECVE", "argc=3 a0=\"cat\" a1_len=8 a1[0]=2F746D70 a1[1]=2F782079 a2=\"-n\""))
        #expect(fields.map(\.name) == ["type", "argc", "a0", "a1_len", "a1", "a2"])
        #expect(fields.first { $0.name == "a1" }?.value == "/tmp/x y")
        #expect(fields.first { $0.name == "a2" }?.value == "-n")
    }

    @Test func joinsSplitArgumentAtRecordEnd() {
        let fields = parsedFields(AuditParser(), Self.record("EXECVE", "argc=2 a0=\"cat\" a1_len=6 a1[0]=\"abc\" a1[1]=\"def\""))
        #expect(fields["a1"] == "abcdef")
    }

    @Test func decodesProcessTitle() {
        let title = Self.hex("/bin/sh") + "00" + Self.hex("-c") + "00" + Self.hex("echo hi") + "0000"
        #expect(parsedFields(AuditParser(), Self.record("PROCTITLE", "proctitle=\(title)"))["proctitle"] == "/bin/sh -c echo hi")
        #expect(parsedFields(AuditParser(), Self.record("PROCTITLE", "proctitle=\"bash\""))["proctitle"] == "bash")
        #expect(parsedFields(AuditParser(), Self.record("PROCTITLE", "proctitle=00"))["proctitle"] == " ")
    }

    @Test func readsPathRecord() {
        let fields = parsedFields(AuditParser(), Self.record("PATH", """
            item=0 name="/etc/systemd/system/evil.service" inode=1234 dev=08:01 mode=0100644 ouid=0 ogid=0 \
            rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0
            """))
        #expect(fields["name"] == "/etc/systemd/system/evil.service")
        #expect(fields["nametype"] == "CREATE")
        #expect(fields["mode"] == "0100644")
        #expect(fields["dev"] == "08:01")
    }

    @Test func decodesHexNamesAndDropsNull() {
        let fields = parsedFields(AuditParser(), Self.record("PATH", "item=0 name=\(Self.hex("/tmp/a b")) nametype=NORMAL"))
        #expect(fields["name"] == "/tmp/a b")
        let null = parsedFields(AuditParser(), Self.record("PATH", "item=1 name=(null) inode=5 nametype=PARENT"))
        #expect(null["name"] == nil)
        #expect(null["nametype"] == "PARENT")
    }

    @Test func readsCurrentDirectory() {
        #expect(parsedFields(AuditParser(), Self.record("CWD", "cwd=\"/root\""))["cwd"] == "/root")
        #expect(parsedFields(AuditParser(), Self.record("CWD", "cwd=\(Self.hex("/home/a b"))"))["cwd"] == "/home/a b")
    }

    @Test func readsRuleKeys() {
        #expect(parsedFields(AuditParser(), Self.record("SYSCALL", "arch=c000003e syscall=59 key=(null)"))["key"] == nil)
        #expect(parsedFields(AuditParser(), Self.record("SYSCALL", "arch=c000003e syscall=59 key=\"susp_activity\""))["key"] == "susp_activity")
        let keys = allFields(AuditParser(), Self.record("SYSCALL", "syscall=59 key=\(Self.hex("network_connect_4"))01\(Self.hex("other"))"))
        #expect(keys.filter { $0.name == "key" }.map(\.value) == ["network_connect_4", "other"])
    }

    @Test func readsUserspaceMessage() {
        let fields = parsedFields(AuditParser(), Self.record("USER_CMD", """
            pid=1234 uid=1000 auid=1000 ses=1 subj=unconfined msg='cwd="/home/alice" cmd=\(Self.hex("ls -la")) \
            exe="/usr/bin/sudo" terminal=pts/0 res=success'
            """))
        #expect(fields == [
            "type": "USER_CMD", "pid": "1234", "uid": "1000", "auid": "1000", "ses": "1", "subj": "unconfined",
            "cwd": "/home/alice", "cmd": "ls -la", "exe": "/usr/bin/sudo", "terminal": "pts/0", "res": "success",
        ])
    }

    @Test func readsServiceStop() {
        let fields = parsedFields(AuditParser(), Self.record("SERVICE_STOP", """
            pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='unit=firewalld comm="systemd" \
            exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success'
            """))
        #expect(fields["type"] == "SERVICE_STOP")
        #expect(fields["unit"] == "firewalld")
        #expect(fields["comm"] == "systemd")
        #expect(fields["hostname"] == "?")
        #expect(fields["res"] == "success")
    }

    @Test func readsAuthenticationRecord() {
        let fields = parsedFields(AuditParser(), Self.record("USER_AUTH", """
            pid=999 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='op=PAM:authentication grantors=? \
            acct=\(Self.hex("bad user")) exe="/usr/sbin/sshd" hostname=1.2.3.4 addr=1.2.3.4 terminal=ssh res=failed'
            """))
        #expect(fields["op"] == "PAM:authentication")
        #expect(fields["acct"] == "bad user")
        #expect(fields["addr"] == "1.2.3.4")
        #expect(fields["res"] == "failed")
    }

    @Test func kernelFieldsComeBeforeUserspaceOnes() {
        // A program may write any key inside msg='…'; lookups return the kernel's value.
        let fields = parsedFields(AuditParser(), Self.record("USER_ACCT", "pid=5 uid=1000 auid=1000 msg='op=x uid=0 auid=0 type=SYSCALL res=success'"))
        #expect(fields["uid"] == "1000")
        #expect(fields["auid"] == "1000")
        #expect(fields["type"] == "USER_ACCT")
        #expect(fields["op"] == "x")
    }

    @Test func toleratesUnterminatedQuotes() {
        let fields = parsedFields(AuditParser(), Self.record("USER_CMD", "pid=1 msg='op=x exe=\"/bin/unterminated"))
        #expect(fields["exe"] == "/bin/unterminated")
        #expect(fields["op"] == "x")
        #expect(parsedFields(AuditParser(), Self.record("CWD", "cwd=\""))["cwd"] == "")
    }

    @Test func skipsItemsThatAreNotKeyValuePairs() {
        let fields = parsedFields(AuditParser(), Self.record("AVC", "avc:  denied  { read } for  pid=7 comm=\"cat\" name=\"shadow\" tclass=file permissive=0"))
        #expect(fields == ["type": "AVC", "pid": "7", "comm": "cat", "name": "shadow", "tclass": "file", "permissive": "0"])
    }

    @Test func needsTheAuditTypeName() {
        let entry = JournalEntry(["MESSAGE": "SYSCALL arch=c000003e syscall=59"])
        #expect(parsedFields(AuditParser(), entry).isEmpty)
        #expect(parsedFields(AuditParser(), Self.record("EOE", "")) == ["type": "EOE"])
    }
}

extension AuditParserTests {
    @Test func keepsEmptyArguments() {
        // An empty argument is an argument; unlike message parsers, audit keeps empty values.
        #expect(parsedFields(AuditParser(), Self.record("EXECVE", "argc=2 a0=\"echo\" a1=\"\""))["a1"] == "")
    }
}

extension AuditParserTests {
    @Test func capsFieldsPerRecord() {
        let body = (0..<5000).map { "k\($0)=v" }.joined(separator: " ") + " arch=c000003e syscall=59"
        let fields = allFields(AuditParser(), Self.record("SYSCALL", body))
        #expect(fields.count == 1 + AuditRecordScanner.maximumFields)
        #expect(fields.first?.name == "type")
        #expect(fields.last?.name == "k\(AuditRecordScanner.maximumFields - 1)")
    }
}
