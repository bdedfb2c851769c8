import Alert
import Parse
import Testing

@Suite struct EscapingTests {
    @Test func plainTextIsKept() {
        #expect(Escaping.text(Array("Failed password for root from 203.0.113.9".utf8), limit: 100) == "Failed password for root from 203.0.113.9")
        #expect(Escaping.text(Array("zürich ✓ 🙂".utf8), limit: 100) == "zürich ✓ 🙂")
    }

    @Test func controlBytesAndInvalidUTF8AreEscaped() {
        #expect(Escaping.text(Array("a\nMESSAGE_ID=x\r\tb\\".utf8), limit: 100) == "a\\nMESSAGE_ID=x\\r\\tb\\\\")
        #expect(Escaping.text([0x00, 0x1b, 0x7f, 0xff, 0xc3], limit: 100) == "\\x00\\x1b\\x7f\\xff\\xc3")
        // Overlong encoding and a UTF-16 surrogate are not valid UTF-8.
        #expect(Escaping.text([0xc0, 0xaf, 0xed, 0xa0, 0x80], limit: 100) == "\\xc0\\xaf\\xed\\xa0\\x80")
    }

    @Test func longValuesAreCut() {
        let escaped = Escaping.text([UInt8](repeating: 0x41, count: 1 << 20), limit: 100)
        #expect(escaped == String(repeating: "A", count: 100) + "…")
        #expect(Escaping.text([UInt8](repeating: 0x41, count: 100), limit: 100) == String(repeating: "A", count: 100))
    }

    @Test func fieldNames() {
        #expect(Escaping.fieldName(for: "SourceIp") == "CORDON_FIELD_SOURCEIP")
        #expect(Escaping.fieldName(for: "MESSAGE") == "CORDON_FIELD_MESSAGE")
        #expect(Escaping.fieldName(for: "_COMM") == "CORDON_FIELD__COMM")
        #expect(Escaping.fieldName(for: "a.b-c d") == "CORDON_FIELD_A_B_C_D")
        #expect(Escaping.fieldName(for: String(repeating: "x", count: 100)).count == 64)
    }
}
