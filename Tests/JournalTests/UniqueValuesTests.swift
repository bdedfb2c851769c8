import Foundation
import Journal
import Testing

/// `Journal.uniqueValues(of:)` on a journal-remote file holding three machines' entries.
@Suite struct UniqueValuesTests {
    static let machines = ["a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"]

    @Test func everyMachineIDOnceWithoutThePrefix() throws {
        let reader = JournalReaderTests()
        var entries: [[JournalField]] = []
        for index in 0..<9 {
            let machine = Self.machines[index % 3]
            entries.append(reader.entry(1_700_000_000_000_000 + UInt64(index), [
                JournalField("MESSAGE", "entry \(index)"), JournalField("_MACHINE_ID", machine),
                JournalField("_HOSTNAME", "host-\(machine.prefix(2))"),
            ]))
        }
        let (directory, file) = try reader.makeFile(entries)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .directory(directory))
        #expect(file.hasPrefix(directory))
        let machines = try journal.uniqueValues(of: "_MACHINE_ID").map { String(decoding: $0, as: UTF8.self) }
        #expect(machines.sorted() == Self.machines)
        // Enumerated again from the start: each call restarts.
        #expect(try journal.uniqueValues(of: "_MACHINE_ID").count == 3)
        #expect(try journal.uniqueValues(of: "_HOSTNAME").map { String(decoding: $0, as: UTF8.self) }.sorted() == ["host-a1", "host-b2", "host-c3"])
        #expect(try journal.uniqueValues(of: "NO_SUCH_FIELD").isEmpty)
        // Reading entries is not disturbed.
        try journal.seekHead()
        #expect(try journal.next())
        #expect(try journal.entry().string("MESSAGE") == "entry 0")
    }

    @Test func aBadFieldNameIsAnError() throws {
        let directory = NSTemporaryDirectory() + "cordon-unique-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .directory(directory))
        #expect(throws: JournalError.self) { try journal.uniqueValues(of: "lower case") }
    }
}
