import Glibc
import Journal
import Rules

/// Which source an entry comes from, for categorisation: its messages are mined per source.
///
/// In order: `kernel` (`_TRANSPORT=kernel`), `audit` (`_TRANSPORT=audit`), `systemd` (`_PID=1`),
/// the entry's `_SYSTEMD_UNIT` unless it is a login session's or a user manager's
/// (`session-*.scope`, `user@*.service`), else the file name of its `_EXE` when that lies in a
/// system directory (`/usr/bin/sudo` → `sudo`), else its `_COMM` for a root process, else
/// `user:<_COMM>` (or `_EXE`, or `unknown`). Every field is one journald sets itself. A local
/// user who names a binary `sudo` gets `user:sudo`: a source of their own, which can neither
/// teach nor hide the real sudo's categories.
public struct EntrySource {
    /// The source's name as bytes (reused from entry to entry: no allocation once grown).
    public private(set) var name: [UInt8] = []
    /// Whether journald vouches for the source: a system unit, the kernel, audit, PID 1 or a root process.
    public private(set) var isTrusted = false
    /// Whether the source is a system unit (`_SYSTEMD_UNIT`), whose name is then `name`.
    public private(set) var isUnit = false
    /// Whether the entry is an audit record (`_TRANSPORT=audit`).
    public private(set) var isAudit = false

    public init() {
        name.reserveCapacity(256)
    }

    static let kernel = Array("kernel".utf8), audit = Array("audit".utf8), systemd = Array("systemd".utf8)
    static let unknown = Array("unknown".utf8), userPrefix = Array("user:".utf8)
    static let sessionPrefix = Array("session-".utf8), scopeSuffix = Array(".scope".utf8)
    static let userManagerPrefix = Array("user@".utf8)
    /// Directories of binaries only root can replace.
    static let systemPrefixes = ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/lib/", "/usr/libexec/", "/lib/"].map { Array($0.utf8) }

    /// The fields `read(_:)` looks at.
    public static let fieldNames: Set<String> = ["_TRANSPORT", "_PID", "_SYSTEMD_UNIT", "_COMM", "_EXE", "_UID"]

    /// Where the fields the model reads lie in the last entry's `storage` (the first of each name,
    /// as `JournalEntry.value(of:)` finds it), found in one pass over its fields.
    public private(set) var message: Range<Int>?
    public private(set) var exe: Range<Int>?
    public private(set) var uid: Range<Int>?
    private var transport: Range<Int>?
    private var pid: Range<Int>?
    private var unit: Range<Int>?
    private var comm: Range<Int>?

    /// Finds the fields in one pass (looking each up by name cost six scans of the entry).
    private mutating func gather(_ entry: JournalEntry) {
        message = nil; exe = nil; uid = nil; transport = nil; pid = nil; unit = nil; comm = nil
        entry.storage.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            func named(_ name: StaticString, _ start: Int) -> Bool {
                memcmp(base + start, name.utf8Start, name.utf8CodeUnitCount) == 0
            }
            for span in entry.spans {
                let start = Int(span.start)
                let value = Int(span.separator) + 1..<Int(span.end)
                switch Int(span.separator) - start {
                case 4:
                    if pid == nil, named("_PID", start) { pid = value }
                    else if exe == nil, named("_EXE", start) { exe = value }
                    else if uid == nil, named("_UID", start) { uid = value }
                case 5: if comm == nil, named("_COMM", start) { comm = value }
                case 7: if message == nil, named("MESSAGE", start) { message = value }
                case 10: if transport == nil, named("_TRANSPORT", start) { transport = value }
                case 13: if unit == nil, named("_SYSTEMD_UNIT", start) { unit = value }
                default: break
                }
            }
        }
    }

    /// Sets `name` and `isTrusted` for `entry`, and where its fields are.
    public mutating func read(_ entry: JournalEntry) {
        gather(entry)
        name.removeAll(keepingCapacity: true)
        isUnit = false
        isAudit = false
        isTrusted = true
        let storage = entry.storage
        let transport = self.transport.map { storage[$0] }
        if let transport, transport.elementsEqual(Self.kernel) { return name.append(contentsOf: Self.kernel) }
        if let transport, transport.elementsEqual(Self.audit) {
            isAudit = true
            return name.append(contentsOf: Self.audit)
        }
        if let pid = pid.map({ storage[$0] }), pid.elementsEqual([UInt8(ascii: "1")]) {
            return name.append(contentsOf: Self.systemd)
        }
        if let unit = unit.map({ storage[$0] }), !unit.isEmpty,
           !(unit.starts(with: Self.sessionPrefix) && unit.reversed().starts(with: Self.scopeSuffix.reversed())),
           !unit.starts(with: Self.userManagerPrefix) {
            isUnit = true
            return name.append(contentsOf: unit.prefix(256))
        }
        let exe = self.exe.map { storage[$0] }
        // A binary only root can replace: its name, not `_COMM` (which a process can set itself).
        // setuid tools (sudo, su, passwd) log with the invoking user's `_UID`: this is their source.
        if let exe, Self.systemPrefixes.contains(where: { exe.starts(with: $0) }),
           let slash = exe.lastIndex(of: UInt8(ascii: "/")), slash + 1 < exe.endIndex {
            return name.append(contentsOf: exe[(slash + 1)...].prefix(64))
        }
        if uid.map({ !storage[$0].elementsEqual([UInt8(ascii: "0")]) }) ?? true {
            isTrusted = false
            name.append(contentsOf: Self.userPrefix)
        }
        if let comm = comm.map({ storage[$0] }), !comm.isEmpty {
            name.append(contentsOf: comm.prefix(64))
        } else if let exe, !exe.isEmpty {
            name.append(contentsOf: exe.prefix(256))
        } else {
            name.append(contentsOf: Self.unknown)
        }
    }
}

/// `*` patterns over source, unit and executable names (`sources`, `network_units`).
struct NamePatterns: Sendable {
    let patterns: [[UInt8]]

    init(_ patterns: [String]) {
        self.patterns = patterns.map { Array($0.utf8) }
    }

    /// Whether any pattern matches all of `name` (`NamePattern.matches`).
    func matches(_ name: [UInt8]) -> Bool {
        patterns.contains { NamePattern.matches(name, pattern: $0) }
    }
}
