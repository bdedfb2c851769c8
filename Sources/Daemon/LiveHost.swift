import Glibc
import Journal
import Parse

/// What event assembly may ask of this host: user names from the user database, and, when
/// tailing the local journal, the running process behind a parent pid that no earlier execve
/// event named (`/proc/<pid>/exe` and `cmdline`).
///
/// `/proc` is consulted only for entries of the current boot of the local journal: a pid of
/// another boot or machine names some other process. Replay uses `ReplayHost`, which never
/// reads `/proc`, so replaying a journal gives what tailing it gave, apart from the parents
/// that only `/proc` knew.
struct LiveHost: HostLookup {
    let readsProcesses: Bool
    let boot: ID128?

    init(source: Journal.Source) {
        readsProcesses = source == .local
        boot = ID128.currentBoot
    }

    func userName(uid: UInt32) -> [UInt8]? {
        UserDatabase.name(uid: uid)
    }

    func runningProcess(pid: Int32, boot: ID128) -> (image: [UInt8], commandLine: [UInt8])? {
        guard readsProcesses, pid > 0, boot == self.boot else { return nil }
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/\(pid)/exe", &target, target.count - 1)
        guard length > 0 else { return nil }
        let image = target[..<length].map { UInt8(bitPattern: $0) }
        // A command line is at most a few MiB (the kernel's argument limit); 64 KiB of it is kept.
        var commandLine = Array(((try? FileText.readBytes("/proc/\(pid)/cmdline", limit: 16 << 20).get()) ?? []).prefix(64 * 1024))
        while commandLine.last == 0 { commandLine.removeLast() }
        for index in commandLine.indices where commandLine[index] == 0 { commandLine[index] = UInt8(ascii: " ") }
        return (image, commandLine)
    }
}

/// User names only: what `cordon replay` may ask of the host.
struct ReplayHost: HostLookup {
    func userName(uid: UInt32) -> [UInt8]? {
        UserDatabase.name(uid: uid)
    }

    func runningProcess(pid: Int32, boot: ID128) -> (image: [UInt8], commandLine: [UInt8])? { nil }
}

enum UserDatabase {
    /// The user name of `uid` (`getpwuid_r`), or nil.
    static func name(uid: UInt32) -> [UInt8]? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>? = nil
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
        else { return nil }
        return Array(String(cString: name).utf8)
    }
}
