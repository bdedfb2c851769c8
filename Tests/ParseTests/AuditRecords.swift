import Foundation
import Journal
@testable import Parse

/// Kernel audit records as journald stores them, from auditd-style lines
/// (`type=SYSCALL msg=audit(1764151200.123:4242): arch=… `).
enum AuditRecords {
    static let types = ["SYSCALL": 1300, "PATH": 1302, "SOCKADDR": 1306, "CWD": 1307, "EXECVE": 1309,
                        "KERN_MODULE": 1330, "PROCTITLE": 1327, "ADD_USER": 1114, "USER_CMD": 1123]

    /// The entries of `lines`; each gets cursor `s=test;i=<n>`, numbered from `first`.
    static func entries(_ lines: [String], boot: String = "0123456789abcdef0123456789abcdef", first: Int = 1) -> [JournalEntry] {
        lines.enumerated().map { entry($1, boot: boot, index: first + $0) }
    }

    static func entry(_ line: String, boot: String = "0123456789abcdef0123456789abcdef", index: Int) -> JournalEntry {
        // type=NAME msg=audit(SECONDS.MILLIS:SERIAL): BODY
        let type = String(line.dropFirst(5).prefix { $0 != " " })
        let stamp = line.range(of: "audit(")!.upperBound
        let close = line.range(of: "): ", range: stamp..<line.endIndex)!
        let parts = line[stamp..<close.lowerBound].split(separator: ":")
        let time = parts[0].split(separator: ".")
        let realtime = UInt64(time[0])! * 1_000_000 + UInt64(time[1])! * 1000
        let body = String(line[close.upperBound...])
        return JournalEntry(fields: [
            (name: "_TRANSPORT", value: Array("audit".utf8)),
            (name: "_AUDIT_TYPE", value: Array(String(types[type] ?? 1399).utf8)),
            (name: "_AUDIT_ID", value: Array(parts[1].utf8)),
            (name: "_AUDIT_TYPE_NAME", value: Array(type.utf8)),
            (name: "_HOSTNAME", value: Array("host1".utf8)),
            (name: "MESSAGE", value: Array("\(type) \(body)".utf8)),
        ], realtime: realtime, bootID: boot, cursor: Cursor("s=test;i=\(index)")!)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    /// The records of one execve event: SYSCALL, EXECVE, CWD, PATH, PROCTITLE.
    static func execve(serial: Int, time: String = "1764151200.100", pid: Int, ppid: Int, exe: String, arguments: [String],
                       cwd: String = "/root", uid: Int = 0, key: String = "exec") -> [String] {
        let stamp = "msg=audit(\(time):\(serial)):"
        let encoded = arguments.enumerated().map { index, argument in
            argument.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") })
                ? "a\(index)=\"\(argument)\"" : "a\(index)=\(hex(argument))"
        }
        let title = hex(Array(arguments.joined(separator: "\0").utf8.prefix(128)))
        let comm = String(exe.split(separator: "/").last ?? "")
        return [
            "type=SYSCALL \(stamp) arch=c000003e syscall=59 success=yes exit=0 a0=55d0c1a2b3c0 a1=55d0c1a2b400 a2=55d0c1a2b420 a3=0 items=2 ppid=\(ppid) pid=\(pid) auid=1000 uid=\(uid) gid=0 euid=\(uid) suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"\(comm)\" exe=\"\(exe)\" subj=unconfined key=\"\(key)\"",
            "type=EXECVE \(stamp) argc=\(arguments.count) " + encoded.joined(separator: " "),
            "type=CWD \(stamp) cwd=\"\(cwd)\"",
            "type=PATH \(stamp) item=0 name=\"\(exe)\" inode=1234 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
            "type=PATH \(stamp) item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=99 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
            "type=PROCTITLE \(stamp) proctitle=\(title)",
        ]
    }
}

extension AssembledEvent {
    /// The value of `name` as text (invalid UTF-8 replaced), or nil.
    func text(_ name: String) -> String? {
        event.value(of: name).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Feeds `entries` to a fresh assembly of `kinds`, flushing at the end.
func assemble(_ entries: [JournalEntry], kinds: Set<EventKind> = Set(EventKind.allCases),
              options: AssemblyOptions = AssemblyOptions(), flush: Bool = true) -> (events: [AssembledEvent], assembly: EventAssembly) {
    let assembly = EventAssembly(kinds: kinds, options: options)
    var events: [AssembledEvent] = []
    for entry in entries {
        try? assembly.feed(entry, tag: { 0 }, cursor: { () throws(JournalError) in entry.cursor! }, into: &events)
    }
    if flush { assembly.flush(into: &events) }
    return (events, assembly)
}
