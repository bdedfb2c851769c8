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

    @Test func cursorRealtime() {
        #expect(Cursor("s=02d5;i=155;b=272c;m=ac59bff;t=661289992d612;x=c9d3")?.realtime == 0x661289992d612)
        #expect(Cursor("s=02d5;i=155;b=272c;m=ac59bff;x=c9d3")?.realtime == nil)
        #expect(Cursor("s=1;t=zz")?.realtime == nil)
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

@Suite struct FieldSelectionTests {
    @Test func namesAndMembership() {
        let selection = JournalFieldSelection(names: ["_PID", "MESSAGE", "", "MESSAGE", "_COMM"])
        #expect(!selection.isAll)
        #expect(selection.names == ["MESSAGE", "_COMM", "_PID"])
        #expect(selection.contains("MESSAGE"))
        #expect(selection.contains("_PID"))
        #expect(!selection.contains("MESSAGE_ID"))
        #expect(!selection.contains("MESSAG"))
        #expect(!selection.contains("_UID"))  // same length as _PID
        #expect(!selection.contains(""))
        #expect(JournalFieldSelection.all.isAll)
        #expect(JournalFieldSelection.all.names == nil)
        #expect(JournalFieldSelection.all.contains("ANYTHING"))
        #expect(JournalFieldSelection(names: []).names == [])
        #expect(!JournalFieldSelection(names: []).contains("MESSAGE"))
    }

    @Test func longNames() {
        let long = String(repeating: "A", count: 64)
        let selection = JournalFieldSelection(names: [long])
        #expect(selection.contains(long))
        #expect(!selection.contains(String(repeating: "A", count: 63)))
        #expect(!selection.contains(String(repeating: "A", count: 65)))
    }
}

@Suite struct ID128Tests {
    @Test func parsesAndFormats() {
        let text = "00112233445566778899aabbccddeeff"
        let id = ID128(text)
        #expect(id?.high == 0x0011_2233_4455_6677)
        #expect(id?.low == 0x8899_aabb_ccdd_eeff)
        #expect(id?.description == text)
        #expect(ID128("00112233445566778899AABBCCDDEEFF") == id)
        #expect(ID128.zero.description == String(repeating: "0", count: 32))
        #expect(ID128("0011223344556677-8899aabbccddeeff") == nil)
        #expect(ID128("00112233445566778899aabbccddeefg") == nil)
        #expect(ID128("") == nil)
    }

    @Test func entryKeepsTheBootAsBytes() {
        let entry = JournalEntry(fields: [], bootID: "0123456789abcdef0123456789abcdef", cursor: Cursor("s=1;i=2")!)
        #expect(entry.bootID == "0123456789abcdef0123456789abcdef")
        #expect(entry.boot == ID128(high: 0x0123_4567_89ab_cdef, low: 0x0123_4567_89ab_cdef))
        #expect(JournalEntry(fields: [], bootID: "not hex", cursor: Cursor("s=1;i=2")!).boot == .zero)
    }
}
