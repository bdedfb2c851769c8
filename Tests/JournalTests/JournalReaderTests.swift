import Foundation
import Journal
import Testing

/// Reading real journal files made by systemd-journal-remote (no journald needed).
@Suite struct JournalReaderTests {
    func makeFile(_ entries: [[JournalField]]) throws -> (directory: String, file: String) {
        let directory = NSTemporaryDirectory() + "cordon-reader-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes: [UInt8] = []
        for entry in entries { ExportFormat.append(entry, to: &bytes) }
        let file = directory + "/fixture.journal"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/lib/systemd/systemd-journal-remote")
        process.arguments = ["--output=" + file, "-"]
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return (directory, file)
    }

    func entry(_ realtime: UInt64, _ fields: [JournalField]) -> [JournalField] {
        [JournalField("__REALTIME_TIMESTAMP", String(realtime)), JournalField("__MONOTONIC_TIMESTAMP", "1000"),
         JournalField("_BOOT_ID", "00112233445566778899aabbccddeeff")] + fields
    }

    @Test func readsEveryFieldAsBytesWithMetadata() throws {
        let (directory, file) = try makeFile([
            entry(1_700_000_000_000_001, [JournalField("MESSAGE", "first"), JournalField("_EXE", "/usr/sbin/sshd")]),
            entry(1_700_000_000_000_002, [JournalField("MESSAGE", [0x00, 0xff, 0x0a, 0x41]), JournalField("BIG", [UInt8](repeating: 0x61, count: 200_000))]),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .files([file]), dataThreshold: 1000)
        try journal.seekHead()
        #expect(try journal.next())
        let first = try journal.entry()
        #expect(first.string("MESSAGE") == "first")
        #expect(first.string("_EXE") == "/usr/sbin/sshd")
        #expect(first.realtime == 1_700_000_000_000_001)
        #expect(first.bootID == "00112233445566778899aabbccddeeff")
        #expect(!first.isTruncated)
        #expect(try journal.next())
        let second = try journal.entry()
        #expect(second.value(of: "MESSAGE").map(Array.init) == [0x00, 0xff, 0x0a, 0x41])
        #expect(second.value(of: "BIG")?.count == 1000)
        #expect(second.isTruncated)
        #expect(try !journal.next())

        // Seeking to a cursor lands on that very entry.
        let cursor = try #require(first.cursor)
        try journal.seek(to: cursor)
        #expect(try journal.next())
        #expect(try journal.test(cursor: cursor))
        #expect(try journal.entry().string("MESSAGE") == "first")
        #expect(try journal.next())
        #expect(try !journal.test(cursor: cursor))
    }

    @Test func directorySourceAndTail() throws {
        let (directory, _) = try makeFile((0..<5).map { entry(1_700_000_000_000_000 + UInt64($0), [JournalField("MESSAGE", "n\($0)")]) })
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .directory(directory))
        try journal.seekTail()
        #expect(try journal.previous())
        #expect(try journal.entry().string("MESSAGE") == "n4")
        #expect(try !journal.next())
    }

    @Test func missingFileIsAnError() {
        #expect(throws: JournalError.self) { try Journal(source: .files(["/nonexistent/x.journal"])) }
    }
}

/// Reading only some fields (`JournalFieldSelection`) and no cursor, as `run` and `replay` do.
extension JournalReaderTests {
    @Test func selectionKeepsOnlyTheNamedFieldsInJournalOrder() throws {
        let (directory, file) = try makeFile([
            entry(1_700_000_000_000_001, [JournalField("MESSAGE", "first"), JournalField("_EXE", "/usr/sbin/sshd"),
                                          JournalField("TAG", "a"), JournalField("TAG", "b"), JournalField("OTHER", "x")]),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .files([file]))
        try journal.seekHead()
        #expect(try journal.next())
        let all = try journal.entry()
        let selection = JournalFieldSelection(names: ["TAG", "MESSAGE", "MESSAGE_ID", "MESSAGE"])
        let selected = try journal.entry(fields: selection)

        // The selected fields, every value of a repeated one, in the order `.all` has them.
        let expected = all.fields.filter { selection.contains($0.nameString) }
        #expect(selected.fields.map(\.nameString) == expected.map(\.nameString))
        #expect(selected.fields.map { Array($0.value) } == expected.map { Array($0.value) })
        #expect(Set(selected.fields.map(\.nameString)) == ["MESSAGE", "TAG"])
        #expect(selected.fields.filter { $0.nameString == "TAG" }.map { String(decoding: $0.value, as: UTF8.self) } == ["a", "b"])
        // Not selected, or selected but missing from the entry: absent.
        #expect(selected.value(of: "_EXE") == nil)
        #expect(selected.value(of: "OTHER") == nil)
        #expect(selected.value(of: "MESSAGE_ID") == nil)
        #expect(all.string("_EXE") == "/usr/sbin/sshd")
        // The metadata comes with any selection.
        #expect(selected.realtime == 1_700_000_000_000_001)
        #expect(selected.monotonic == all.monotonic)
        #expect(selected.bootID == "00112233445566778899aabbccddeeff")
        #expect(selected.cursor == all.cursor)
        #expect(!selected.isTruncated)

        // An empty selection keeps no field but still reads the entry.
        let none = try journal.entry(fields: JournalFieldSelection(names: []))
        #expect(none.fields.isEmpty)
        #expect(none.realtime == 1_700_000_000_000_001)
    }

    @Test func truncationCountsSelectedFieldsOnly() throws {
        let big = [UInt8](repeating: 0x61, count: 200_000)
        let (directory, file) = try makeFile([
            entry(1_700_000_000_000_001, [JournalField("MESSAGE", "short"), JournalField("BIG", big)]),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .files([file]), dataThreshold: 1000)
        try journal.seekHead()
        #expect(try journal.next())

        let withBig = try journal.entry(fields: JournalFieldSelection(names: ["BIG"]))
        #expect(withBig.isTruncated)
        #expect(withBig.value(of: "BIG").map(Array.init) == Array(big.prefix(1000)))
        #expect(withBig.value(of: "MESSAGE") == nil)

        let withoutBig = try journal.entry(fields: JournalFieldSelection(names: ["MESSAGE"]))
        #expect(!withoutBig.isTruncated)
        #expect(withoutBig.string("MESSAGE") == "short")
        #expect(withoutBig.value(of: "BIG") == nil)
    }

    @Test func cursorOnlyWhenAskedAndStillReadableAtTheEntry() throws {
        let (directory, file) = try makeFile((0..<3).map { entry(1_700_000_000_000_000 + UInt64($0), [JournalField("MESSAGE", "n\($0)")]) })
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .files([file]))
        try journal.seekHead()
        var cursors: [Cursor] = []
        while try journal.next() {
            let entry = try journal.entry(fields: JournalFieldSelection(names: ["MESSAGE"]), includingCursor: false)
            #expect(entry.cursor == nil)
            let cursor = try journal.cursor()
            #expect(try journal.test(cursor: cursor))
            cursors.append(cursor)
        }
        #expect(Set(cursors).count == 3)
        // At the end, the journal stays at the last entry: its cursor is still the one to save.
        #expect(try journal.cursor() == cursors[2])
        try journal.seek(to: cursors[1])
        #expect(try journal.next())
        #expect(try journal.entry().cursor == cursors[1])
    }
}
