import Journal

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

    public init() {
        name.reserveCapacity(256)
    }

    static let transportName = Array("_TRANSPORT".utf8), pidName = Array("_PID".utf8)
    static let unitName = Array("_SYSTEMD_UNIT".utf8), commName = Array("_COMM".utf8)
    static let exeName = Array("_EXE".utf8), uidName = Array("_UID".utf8)
    static let kernel = Array("kernel".utf8), audit = Array("audit".utf8), systemd = Array("systemd".utf8)
    static let unknown = Array("unknown".utf8), userPrefix = Array("user:".utf8)
    static let sessionPrefix = Array("session-".utf8), scopeSuffix = Array(".scope".utf8)
    static let userManagerPrefix = Array("user@".utf8)
    /// Directories of binaries only root can replace.
    static let systemPrefixes = ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/lib/", "/usr/libexec/", "/lib/"].map { Array($0.utf8) }

    /// The fields `read(_:)` looks at.
    public static let fieldNames: Set<String> = ["_TRANSPORT", "_PID", "_SYSTEMD_UNIT", "_COMM", "_EXE", "_UID"]

    /// Sets `name` and `isTrusted` for `entry`.
    public mutating func read(_ entry: JournalEntry) {
        name.removeAll(keepingCapacity: true)
        isUnit = false
        isTrusted = true
        let transport = Self.transportName.withUnsafeBytes { entry.value(ofName: $0) }
        if let transport, transport.elementsEqual(Self.kernel) { return name.append(contentsOf: Self.kernel) }
        if let transport, transport.elementsEqual(Self.audit) { return name.append(contentsOf: Self.audit) }
        if let pid = Self.pidName.withUnsafeBytes({ entry.value(ofName: $0) }), pid.elementsEqual([UInt8(ascii: "1")]) {
            return name.append(contentsOf: Self.systemd)
        }
        if let unit = Self.unitName.withUnsafeBytes({ entry.value(ofName: $0) }), !unit.isEmpty,
           !(unit.starts(with: Self.sessionPrefix) && unit.reversed().starts(with: Self.scopeSuffix.reversed())),
           !unit.starts(with: Self.userManagerPrefix) {
            isUnit = true
            return name.append(contentsOf: unit.prefix(256))
        }
        let exe = Self.exeName.withUnsafeBytes { entry.value(ofName: $0) }
        // A binary only root can replace: its name, not `_COMM` (which a process can set itself).
        // setuid tools (sudo, su, passwd) log with the invoking user's `_UID`: this is their source.
        if let exe, Self.systemPrefixes.contains(where: { exe.starts(with: $0) }),
           let slash = exe.lastIndex(of: UInt8(ascii: "/")), slash + 1 < exe.endIndex {
            return name.append(contentsOf: exe[(slash + 1)...].prefix(64))
        }
        let uid = Self.uidName.withUnsafeBytes { entry.value(ofName: $0) }
        if uid.map({ !$0.elementsEqual([UInt8(ascii: "0")]) }) ?? true {
            isTrusted = false
            name.append(contentsOf: Self.userPrefix)
        }
        if let comm = Self.commName.withUnsafeBytes({ entry.value(ofName: $0) }), !comm.isEmpty {
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

    /// Whether any pattern matches all of `name`.
    func matches<Name: Collection>(_ name: Name) -> Bool where Name.Element == UInt8 {
        let text = Array(name)
        return patterns.contains { Self.matches(text, $0) }
    }

    /// Glob match where `*` is any run of bytes.
    static func matches(_ text: [UInt8], _ pattern: [UInt8]) -> Bool {
        var textIndex = 0, patternIndex = 0
        var starPattern = -1, starText = 0
        while textIndex < text.count {
            if patternIndex < pattern.count, pattern[patternIndex] != UInt8(ascii: "*"), pattern[patternIndex] == text[textIndex] {
                textIndex += 1
                patternIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == UInt8(ascii: "*") {
                starPattern = patternIndex
                starText = textIndex
                patternIndex += 1
            } else if starPattern >= 0 {
                patternIndex = starPattern + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while patternIndex < pattern.count, pattern[patternIndex] == UInt8(ascii: "*") { patternIndex += 1 }
        return patternIndex == pattern.count
    }
}
