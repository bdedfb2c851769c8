import Testing
@testable import Detect

@Suite struct MatchedFieldsTests {
    /// The names and text values of the fields of the single match of `detection` on `fields`.
    private func matchedFields(_ detection: String, _ fields: [(String, String)]) throws -> [String] {
        let matches = try evaluate([detection], event(fields))
        let match = try #require(matches.first, "no match")
        #expect(matches.count == 1)
        return match.fields.map { "\($0.name)=\(String(decoding: $0.value, as: UTF8.self))" }
    }

    @Test func reportsFieldsInFirstSeenOrderEachOnce() throws {
        let fields = try matchedFields(
            "sel:\n    _COMM: sshd\n    MESSAGE|contains: fail\nagain: {_COMM: SSHD}\ncondition: sel and again",
            [("MESSAGE", "Failed password"), ("OTHER", "x"), ("_COMM", "sshd")])
        #expect(fields == ["_COMM=sshd", "MESSAGE=Failed password"])
    }

    @Test func leavesOutSelectionsUnderNot() throws {
        let fields = try matchedFields(
            "sel: {_COMM: sshd}\nfilter:\n    USER: root\n    MESSAGE: nothing\ncondition: sel and not filter",
            [("_COMM", "sshd"), ("USER", "root"), ("MESSAGE", "Failed")])
        #expect(fields == ["_COMM=sshd"])
    }

    @Test func leavesOutNegatedPatternSelections() throws {
        let fields = try matchedFields(
            "sel: {A: x}\nfilter_1: {B: x}\ncondition: sel and not 1 of filter_*",
            [("A", "x"), ("B", "y")])
        #expect(fields == ["A=x"])
    }

    @Test func doubleNegationCountsAsPositive() throws {
        let fields = try matchedFields("a: {A: x}\ncondition: not not a", [("A", "x")])
        #expect(fields == ["A=x"])
    }

    @Test func negationAloneMatchesWithoutFields() throws {
        let fields = try matchedFields("a: {A: x}\ncondition: not a", [("B", "x")])
        #expect(fields.isEmpty)
    }

    @Test func dropsFieldsOfAnAlternativeThatFailed() throws {
        let fields = try matchedFields(
            "sel:\n    - {A: x, B: x}\n    - {C: x}\ncondition: sel",
            [("A", "x"), ("B", "no"), ("C", "x")])
        #expect(fields == ["C=x"])
    }

    @Test func dropsFieldsOfAnOrBranchThatFailed() throws {
        let fields = try matchedFields(
            "a: {A: x, B: x}\nc: {C: x}\ncondition: (a and c) or c",
            [("A", "x"), ("B", "x"), ("C", "x")])
        #expect(fields == ["A=x", "B=x", "C=x"])
        let other = try matchedFields(
            "a: {A: x}\nb: {B: x}\nc: {C: x}\ncondition: (a and b) or c",
            [("A", "x"), ("C", "x")])
        #expect(other == ["C=x"])
    }

    @Test func reportsEverySelectionOfAllOf() throws {
        let fields = try matchedFields(
            "s1: {A: x}\ns2: {B: x}\ncondition: all of s*", [("B", "x"), ("A", "x")])
        #expect(fields == ["A=x", "B=x"])
    }

    @Test func reportsKeywordsAsMessage() throws {
        let fields = try matchedFields("keywords: [denied]\ncondition: keywords", [("MESSAGE", "access DENIED")])
        #expect(fields == ["MESSAGE=access DENIED"])
    }

    @Test func absentFieldsHaveNoValueToReport() throws {
        let fields = try matchedFields(
            "sel:\n    A: null\n    B: null\n    C|exists: true\n    D|exists: false\ncondition: sel",
            [("B", ""), ("C", "present")])
        #expect(fields == ["B=", "C=present"])
    }

    @Test func reportsTheEventBytes() throws {
        let value: [UInt8] = [0xFF, 0x00, UInt8(ascii: "o"), UInt8(ascii: "k")]
        let matches = try evaluate(["sel: {F|endswith: OK}\ncondition: sel"], binaryEvent([("F", value)]))
        #expect(matches.first?.fields == [MatchedField(name: "F", value: value)])
    }
}
