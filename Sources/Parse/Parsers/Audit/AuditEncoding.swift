/// Which audit fields the kernel and libaudit hex-encode when their value is unsafe to print
/// (spaces, quotes, control bytes): the fields auparse's `typetab.h` marks as escaped.
enum AuditEncoding {
    private static let escaped: [[UInt8]] = [
        "path", "comm", "exe", "file", "name", "watch", "cwd", "cmd", "acct", "dir", "key", "vm",
        "old-chardev", "new-chardev", "old-disk", "new-disk", "old-fs", "new-fs", "old-net", "new-net",
        "device", "cgroup", "old-rng", "new-rng", "ocomm", "grp", "new_group", "invalid_context", "sw",
        "root_dir", "proctitle", "data",
    ].map { Array($0.utf8) }

    /// Whether an unquoted value of `key` is hex-encoded text.
    static func isEscaped(_ key: ArraySlice<UInt8>) -> Bool {
        escaped.contains { key.elementsEqual($0) }
    }
}
