import Glibc
import Testing
@testable import Journal

@Suite struct MappedJournalPagesTests {
    /// The resident size of the mapping at `address`, from /proc/self/smaps, in kB.
    static func residentKilobytes(of address: UnsafeRawPointer) throws -> Int {
        let text = String(decoding: try readFile("/proc/self/smaps"), as: UTF8.self)
        let wanted = UInt(bitPattern: address)
        var inside = false
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = words.first, range.contains("-"), words.count >= 5,
               let start = UInt(range.split(separator: "-")[0], radix: 16), let end = UInt(range.split(separator: "-")[1], radix: 16) {
                inside = (start..<end).contains(wanted)
            } else if inside, words.first == "Rss:", words.count >= 2, let kilobytes = Int(words[1]) {
                return kilobytes
            }
        }
        throw JournalError(call: "smaps", errno: .noSuchFileOrDirectory)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            contents += buffer[..<count]
        }
        return contents
    }

    /// Maps `path` (made `size` bytes of a pattern) shared and read-only, and touches every page.
    static func mapAndTouch(_ path: String, size: Int) throws -> UnsafeRawPointer {
        let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let pattern = (0..<size).map { UInt8(truncatingIfNeeded: $0 / 4096) }
        #expect(pattern.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == size)
        let mapped = try #require(mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0))
        #expect(mapped != MAP_FAILED)
        var sum = 0
        for page in stride(from: 0, to: size, by: 4096) { sum &+= Int(mapped.load(fromByteOffset: page, as: UInt8.self)) }
        #expect(sum > 0)
        return UnsafeRawPointer(mapped)
    }

    @Test("release drops the resident pages of mapped journal files only, and their data stays readable")
    func releaseDropsJournalPages() throws {
        var template = Array("/tmp/cordon-mapped-XXXXXX".utf8CString)
        let directory = try #require(mkdtemp(&template).map { String(cString: $0) })
        defer { _ = unlink(directory + "/system.journal"); _ = unlink(directory + "/other.bin"); rmdir(directory) }
        let size = 4 << 20
        let journal = try Self.mapAndTouch(directory + "/system.journal", size: size)
        let other = try Self.mapAndTouch(directory + "/other.bin", size: size)
        defer { munmap(UnsafeMutableRawPointer(mutating: journal), size); munmap(UnsafeMutableRawPointer(mutating: other), size) }
        #expect(try Self.residentKilobytes(of: journal) >= 4096)
        #expect(MappedJournalPages.release() >= 1)
        #expect(try Self.residentKilobytes(of: journal) == 0)
        #expect(try Self.residentKilobytes(of: other) >= 4096)
        // A page read again comes back from the page cache, with the same bytes.
        #expect(journal.load(fromByteOffset: 5 * 4096, as: UInt8.self) == 5)
        #expect(try Self.residentKilobytes(of: journal) > 0)
    }

    @Test(arguments: [
        ("7f00a0000000-7f00a0800000 r--s 00000000 08:01 123  /var/log/journal/x/system.journal", true),
        ("7f00a0000000-7f00a0800000 r--s 00000000 08:01 123  /var/log/journal/x/system@0001-0002.journal~", true),
        ("7f00a0000000-7f00a0800000 r--s 00000000 08:01 123  /run/log/journal/x/a b.journal (deleted)", true),
        ("7f00a0000000-7f00a0800000 rw-s 00000000 08:01 123  /var/log/journal/x/system.journal", false),
        ("7f00a0000000-7f00a0800000 r--p 00000000 08:01 123  /var/log/journal/x/system.journal", false),
        ("7f00a0000000-7f00a0800000 r--s 00000000 08:01 123  /usr/lib/libsystemd.so.0", false),
        ("7f00a0000000-7f00a0800000 r--s 00000000 00:00 0", false),
    ])
    func recognisesJournalMappings(_ line: String, _ isJournal: Bool) {
        let mapping = MappedJournalPages.Mapping(line: Array(line.utf8)[...])
        #expect((mapping?.isJournalFile ?? false) == isJournal)
    }
}
