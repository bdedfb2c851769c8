import Rules
import Testing
@testable import Detect

@Suite struct BinaryValueTests {
    private func matches(_ detection: String, _ fields: [(String, [UInt8])]) throws -> Bool {
        try !evaluate([detection], binaryEvent(fields)).isEmpty
    }

    @Test func invalidUTF8ValuesMatchByBytes() throws {
        let value: [UInt8] = [0xFF, 0xFE, 0xC3] + Array("Failed password".utf8) + [0x80]
        #expect(try matches("sel: {MESSAGE|contains: failed}\ncondition: sel", [("MESSAGE", value)]))
        #expect(try matches("sel: {MESSAGE: '???Failed password?'}\ncondition: sel", [("MESSAGE", value)]))
        #expect(try !matches("sel: {MESSAGE: 'Failed password'}\ncondition: sel", [("MESSAGE", value)]))
        #expect(try matches("keywords: [password]\ncondition: keywords", [("MESSAGE", value)]))
    }

    @Test func nulBytesAreOrdinaryBytes() throws {
        let value: [UInt8] = [UInt8(ascii: "a"), 0, UInt8(ascii: "b")]
        #expect(try matches("sel: {F: 'a?b'}\ncondition: sel", [("F", value)]))
        #expect(try matches("sel: {F: 'a*b'}\ncondition: sel", [("F", value)]))
        #expect(try matches(#"sel: {F: "a\0b"}"# + "\ncondition: sel", [("F", value)]))
        #expect(try matches(#"sel: {F|contains: "\0"}"# + "\ncondition: sel", [("F", value)]))
        #expect(try !matches(#"sel: {F|contains: "\0"}"# + "\ncondition: sel", [("F", Array("ab".utf8))]))
        #expect(try !matches("sel: {F: ab}\ncondition: sel", [("F", value)]))
    }

    @Test func onlyASCIILettersFold() throws {
        // 0xC9 ('É' in Latin-1) and 0xE9 ('é') differ by 0x20 but are not ASCII letters.
        #expect(try !matches("sel: {F: x}\ncondition: sel", [("F", [0xD8])]))  // 'x' | 0x80
        #expect(try matches("sel: {F: '?'}\ncondition: sel", [("F", [0xC9])]))
        #expect(try matches("sel: {F: '@[`{'}\ncondition: sel", [("F", Array("@[`{".utf8))]))
        #expect(try !matches("sel: {F: '@'}\ncondition: sel", [("F", Array("`".utf8))]))  // 0x40 vs 0x60
        #expect(try !matches("sel: {F: '['}\ncondition: sel", [("F", Array("{".utf8))]))  // 0x5B vs 0x7B
    }

    @Test func emptyValuesNeverCrash() throws {
        for detection in [
            "sel: {F: 'a'}", "sel: {F: '?'}", "sel: {F|contains: 'a'}", "sel: {F|endswith: 'abc'}",
            "sel: {F: 'a*b'}", "sel: {F|startswith: 'a?'}",
        ] {
            #expect(try !matches(detection + "\ncondition: sel", [("F", [])]), "\(detection)")
        }
        #expect(try matches("sel: {F: ''}\ncondition: sel", [("F", [])]))
        #expect(try matches("sel: {F: '*'}\ncondition: sel", [("F", [])]))
    }

    @Test func oneMebibyteValuesMatchCorrectly() throws {
        let size = 1 << 20
        let value = [UInt8](repeating: UInt8(ascii: "a"), count: size) + Array("NEEDLE".utf8)
        #expect(try matches("sel: {F|contains: needle}\ncondition: sel", [("F", value)]))
        #expect(try matches("sel: {F|endswith: needle}\ncondition: sel", [("F", value)]))
        #expect(try matches("sel: {F|startswith: AAAA}\ncondition: sel", [("F", value)]))
        #expect(try !matches("sel: {F|contains|cased: needle}\ncondition: sel", [("F", value)]))
        #expect(try !matches("sel: {F|contains: needles}\ncondition: sel", [("F", value)]))
        #expect(try matches("sel: {F: 'a*a*a*needle'}\ncondition: sel", [("F", value)]))
        let binary = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try !matches("sel: {F|contains: 'not there'}\ncondition: sel", [("F", binary)]))
    }

    @Test func manyWildcardsDoNotBacktrack() throws {
        let value = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        let pattern = String(repeating: "*a", count: 30) + "*b"
        let rule = try loadRule(detection: "sel: {F: '\(pattern)'}\ncondition: sel")
        var engine = Engine(rules: [rule])
        let event = binaryEvent([("F", value)])
        var matches: [Match] = []
        let elapsed = ContinuousClock().measure { engine.evaluate(event, into: &matches) }
        #expect(matches.isEmpty)
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }
}
