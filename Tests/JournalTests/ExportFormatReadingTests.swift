import Journal
import Testing

@Suite struct ExportFormatReadingTests {
    @Test func readsWhatAppendWrites() throws {
        var bytes: [UInt8] = []
        ExportFormat.append([JournalField("MESSAGE", "plain"), JournalField("BLOB", [0x61, 0x0a, 0x00])], to: &bytes)
        ExportFormat.append([JournalField("MESSAGE", "second"), JournalField("EMPTY", "")], to: &bytes)
        let entries = try ExportFormat.read(bytes)
        #expect(entries.count == 2)
        #expect(entries[0] == [ExportFormat.ReadField(name: "MESSAGE", value: Array("plain".utf8), line: 1),
                               ExportFormat.ReadField(name: "BLOB", value: [0x61, 0x0a, 0x00], line: 2)])
        // The binary value holds a line break: the next entry starts two lines further on.
        #expect(entries[1].map(\.line) == [6, 7])
        #expect(entries[1][1].value.isEmpty)
    }

    @Test func lastEntryNeedsNoEmptyLineAndExtraEmptyLinesAreOne() throws {
        let entries = try ExportFormat.read(Array("\nA=1\n\n\nB=2".utf8))
        #expect(entries.map { $0.map(\.name) } == [["A"], ["B"]])
        #expect(entries[1][0].line == 5)
    }

    @Test func metadataSetsTheEntryAndIsLeftOut() throws {
        let fields = try ExportFormat.read(Array("""
            __CURSOR=s=abc;i=7
            __REALTIME_TIMESTAMP=1709251200000000
            __MONOTONIC_TIMESTAMP=42
            __SEQNUM=7
            _BOOT_ID=5A9E1D0C2B3F4A5E8D7C6B5A49382716
            MESSAGE=hello
            MESSAGE=again
            """.utf8))[0]
        let entry = try ExportFormat.entry(of: fields)
        #expect(entry.cursor == Cursor("s=abc;i=7"))
        #expect(entry.realtime == 1_709_251_200_000_000)
        #expect(entry.monotonic == 42)
        #expect(entry.bootID == "5a9e1d0c2b3f4a5e8d7c6b5a49382716")
        #expect(entry.fields.map(\.nameString) == ["_BOOT_ID", "MESSAGE", "MESSAGE"])
        #expect(!entry.isTruncated)
        let plain = try ExportFormat.entry(of: [ExportFormat.ReadField(name: "MESSAGE", value: Array("0123456789".utf8), line: 1)],
                                           ordinal: 3, dataThreshold: 4)
        #expect(plain.cursor == Cursor("s=export;i=3"))
        #expect(plain.realtime == 0)
        #expect(plain.string("MESSAGE") == "0123")
        #expect(plain.isTruncated)
    }

    @Test func errorsNameTheLine() {
        #expect(throws: ExportFormat.ReadError(line: 2, message: "'message' is not a journal field name",
                                               hint: "use upper-case letters, digits and '_' (e.g. MESSAGE, _EXE), then '=' and the value")) {
            try ExportFormat.read(Array("MESSAGE=x\nmessage=y\n".utf8))
        }
        #expect(throws: ExportFormat.ReadError.self) { try ExportFormat.read(Array("A=1\nBLOB\n\u{5}\0\0\0\0\0\0\0ab\n".utf8)) }
        let bad = [ExportFormat.ReadField(name: "__REALTIME_TIMESTAMP", value: Array("soon".utf8), line: 9)]
        #expect(throws: ExportFormat.ReadError.self) { try ExportFormat.entry(of: bad) }
        #expect(!ExportFormat.isFieldName("1ABC".utf8))
        #expect(ExportFormat.isFieldName("__CURSOR".utf8))
        #expect(!ExportFormat.isFieldName("A B".utf8))
    }
}
