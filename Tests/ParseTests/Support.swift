import Journal
import Testing
@testable import Parse

/// One table row: a message (and other entry fields) and the fields a parser should produce.
struct ParserCase: Sendable, CustomTestStringConvertible {
    let message: String
    let extra: [String: String]
    let expected: [String: String]

    init(_ message: String, _ expected: [String: String], extra: [String: String] = [:]) {
        self.message = message
        self.expected = expected
        self.extra = extra
    }

    var testDescription: String { message.count > 100 ? String(message.prefix(100)) + "…" : message }

    /// The entry: `MESSAGE` plus the extra fields.
    var entry: JournalEntry {
        let fields = [("MESSAGE", Array(message.utf8))] + extra.sorted { $0.key < $1.key }.map { ($0.key, Array($0.value.utf8)) }
        return JournalEntry(fields: fields.map { (name: $0.0, value: $0.1) }, cursor: Cursor("s=test;i=1")!)
    }
}

/// Every field `parser` appends for `entry`, in order, as text.
func allFields(_ parser: some FieldParser, _ entry: JournalEntry) -> [(name: String, value: String)] {
    var fields = ParsedFields()
    parser.parse(entry, into: &fields)
    return fields.fields.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }
}

/// The fields `parser` appends for `entry`, first value per name, as text.
func parsedFields(_ parser: some FieldParser, _ entry: JournalEntry) -> [String: String] {
    var result: [String: String] = [:]
    for field in allFields(parser, entry) where result[field.name] == nil { result[field.name] = field.value }
    return result
}

/// The fields `parser` appends for a message, first value per name, as text.
func parsedFields(_ parser: some FieldParser, message: String) -> [String: String] {
    parsedFields(parser, ParserCase(message, [:]).entry)
}

/// Checks that `parser` produces exactly `testCase.expected`, and only names it declares.
func check(_ parser: some FieldParser, _ testCase: ParserCase, sourceLocation: SourceLocation = #_sourceLocation) {
    let fields = parsedFields(parser, testCase.entry)
    #expect(fields == testCase.expected, sourceLocation: sourceLocation)
    let undeclared = Set(fields.keys).subtracting(parser.fieldNames)
    #expect(undeclared.isEmpty, "undeclared fields \(undeclared.sorted())", sourceLocation: sourceLocation)
}
