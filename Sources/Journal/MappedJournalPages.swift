import Glibc

/// Releases the resident pages of the journal files this process has mapped.
///
/// Why: sd-journal reads journal files through shared read-only mappings that stay in place
/// until the file is closed, and keeps every file of a journal open. Each page it touched
/// stays in the process's resident set: replaying the 1M-entry bench journal (14 files of
/// 48 MB) ended at 371 MiB of file pages against 8 MiB of Cordon's own memory. The data is in
/// the page cache either way; `madvise(MADV_DONTNEED)` on a shared read-only file mapping drops
/// only this process's page-table entries, and a page touched again comes back from the page
/// cache with a minor fault. Called every few tens of thousands of entries, it bounds the
/// resident set to about what the current file's recent entries need.
public enum MappedJournalPages {
    /// Entries read between two releases: a release costs about a read of `/proc/self/maps`
    /// and the page faults that bring the current file's pages back.
    public static let entryInterval = 8_192

    /// Counts the entries a reader reads and releases the pages every `entryInterval` of them.
    public struct Pacer: Sendable {
        private var sinceRelease = 0

        public init() {}

        /// Counts one entry read; releases the pages when the interval is reached.
        public mutating func entryRead() {
            sinceRelease += 1
            guard sinceRelease == MappedJournalPages.entryInterval else { return }
            sinceRelease = 0
            MappedJournalPages.release()
        }
    }

    /// Drops the resident pages of every shared, read-only mapping of a `*.journal` file
    /// (or `*.journal~`, or one deleted since); returns how many mappings it advised.
    @discardableResult
    public static func release() -> Int {
        guard let maps = readMaps() else { return 0 }
        var released = 0
        for line in maps.split(separator: UInt8(ascii: "\n")) {
            guard let mapping = Mapping(line: line), mapping.isJournalFile else { continue }
            let start = UnsafeMutableRawPointer(bitPattern: mapping.start)
            if madvise(start, mapping.end - mapping.start, MADV_DONTNEED) == 0 { released += 1 }
        }
        return released
    }

    /// One line of `/proc/self/maps`: `start-end perms offset dev inode path`.
    struct Mapping {
        let start: Int
        let end: Int
        let permissions: ArraySlice<UInt8>
        let path: ArraySlice<UInt8>

        init?(line: ArraySlice<UInt8>) {
            let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 5, omittingEmptySubsequences: true)
            guard parts.count == 6, let dash = parts[0].firstIndex(of: UInt8(ascii: "-")),
                  let start = Mapping.hex(parts[0][..<dash]), let end = Mapping.hex(parts[0][(dash + 1)...]), end > start
            else { return nil }
            self.start = start
            self.end = end
            self.permissions = parts[1]
            // The path may contain spaces; leading padding is dropped.
            self.path = parts[5].drop { $0 == UInt8(ascii: " ") }
        }

        /// Shared and read-only (`r--s`): dropping its pages loses nothing.
        var isJournalFile: Bool {
            guard permissions.elementsEqual("r--s".utf8) else { return false }
            var name = path
            let deleted = Array(" (deleted)".utf8)
            if name.count > deleted.count, name.suffix(deleted.count).elementsEqual(deleted) { name = name.dropLast(deleted.count) }
            return name.suffix(8).elementsEqual(".journal".utf8) || name.suffix(9).elementsEqual(".journal~".utf8)
        }

        private static func hex(_ digits: ArraySlice<UInt8>) -> Int? {
            guard !digits.isEmpty, digits.count <= 16 else { return nil }
            var value = 0
            for digit in digits {
                let nibble: Int
                switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = Int(digit - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = Int(digit - UInt8(ascii: "a")) + 10
                default: return nil
                }
                value = value << 4 | nibble
            }
            return value
        }
    }

    /// The whole of `/proc/self/maps`, or nil if it cannot be read.
    private static func readMaps() -> [UInt8]? {
        let descriptor = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            contents += buffer[..<count]
        }
        return contents
    }
}
