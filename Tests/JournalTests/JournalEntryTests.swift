import Journal
import Testing

@Suite struct JournalEntryTests {
    @Test func fieldLookup() {
        let entry = JournalEntry(fields: [("MESSAGE", Array("hello".utf8)), ("_COMM", Array("sshd".utf8)), ("MESSAGE", Array("second".utf8)),
                                          ("BLOB", [0, 0xff, 0x0a])],
                                 cursor: Cursor("s=1;i=2")!)
        #expect(entry.string("MESSAGE") == "hello")
        #expect(entry.value(of: "_COMM").map(Array.init) == Array("sshd".utf8))
        #expect(entry.value(of: "BLOB").map(Array.init) == [0, 0xff, 0x0a])
        #expect(entry.value(of: "MISSING") == nil)
        #expect(entry.value(of: "MESSAG") == nil)
        #expect(entry.fields.map(\.nameString) == ["MESSAGE", "_COMM", "MESSAGE", "BLOB"])
    }

    @Test func emptyValues() {
        let entry = JournalEntry(fields: [("EMPTY", [])], cursor: Cursor("s=1;i=2")!)
        #expect(entry.value(of: "EMPTY")?.isEmpty == true)
    }

    @Test func cursorValidation() {
        #expect(Cursor("s=02d5;i=155;b=272c;m=ac59bff;t=661289992d612;x=c9d3") != nil)
        #expect(Cursor("") == nil)
        #expect(Cursor("no equals sign") == nil)
        #expect(Cursor("s=1\ni=2") == nil)
        #expect(Cursor(String(repeating: "s=", count: 3000)) == nil)
    }

    @Test func fieldNames() {
        #expect(JournalField.isValidName("CORDON_FIELD_SOURCEIP"))
        #expect(!JournalField.isValidName("_PID"))
        #expect(!JournalField.isValidName("lower"))
        #expect(!JournalField.isValidName("1ABC"))
        #expect(!JournalField.isValidName(""))
        #expect(!JournalField.isValidName(String(repeating: "A", count: 65)))
    }

    @Test func exportFormatTextAndBinaryForms() {
        var bytes: [UInt8] = []
        ExportFormat.append([JournalField("MESSAGE", "plain"), JournalField("BLOB", [0x61, 0x0a, 0x00]),
                             JournalField("BAD", [0xff])], to: &bytes)
        let expected: [UInt8] = Array("MESSAGE=plain\nBLOB\n".utf8) + [3, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x0a, 0x00, 0x0a]
            + Array("BAD\n".utf8) + [1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x0a, 0x0a]
        #expect(bytes == expected)
    }
}
