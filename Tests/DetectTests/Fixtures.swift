import Journal
import Parse
import Rules
import Testing
@testable import Detect

/// An event whose fields are text.
func event(_ fields: [(String, String)]) -> Event {
    binaryEvent(fields.map { ($0.0, Array($0.1.utf8)) })
}

/// An event whose fields are bytes.
func binaryEvent(_ fields: [(String, [UInt8])]) -> Event {
    // The literal is a valid cursor: printable ASCII with an '='.
    let cursor = Cursor("s=test;i=1")!
    return Event(entry: JournalEntry(fields: fields.map { (name: $0.0, value: $0.1) }, cursor: cursor))
}

/// A complete rule text with the given id and detection body (indented under `detection:`).
func ruleText(id: String = "rule-1", detection: String) -> String {
    let indented = detection.split(separator: "\n", omittingEmptySubsequences: false)
        .map { "    " + $0 }.joined(separator: "\n")
    return "title: Test\nid: \(id)\nlevel: high\ndetection:\n\(indented)\n"
}

/// Loads one rule from a detection body; records an issue when it does not load cleanly.
func loadRule(id: String = "rule-1", detection: String) throws -> Rule {
    let result = RuleLoader.load(yaml: ruleText(id: id, detection: detection), file: "test.yml")
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    return try #require(result.rules.first)
}

/// The matches of the rules in `detections` (one rule each) against `event`.
func evaluate(_ detections: [String], _ event: Event) throws -> [Match] {
    let rules = try detections.enumerated().map { try loadRule(id: "rule-\($0.offset)", detection: $0.element) }
    var matches: [Match] = []
    var engine = Engine(rules: rules)
    engine.evaluate(event, into: &matches)
    return matches
}

/// A detection body, an event and whether the rule must match it.
struct MatchCase: Sendable, CustomTestStringConvertible {
    let name: String
    let detection: String
    let fields: [(String, String)]
    let expected: Bool

    init(_ name: String, _ detection: String, _ fields: [(String, String)], _ expected: Bool) {
        self.name = name
        self.detection = detection
        self.fields = fields
        self.expected = expected
    }

    var testDescription: String { name }

    /// Runs the case and records an issue when the result differs.
    func check() throws {
        let matches = try evaluate([detection], event(fields))
        #expect(matches.isEmpty != expected, "\(name): expected \(expected ? "a match" : "no match")")
    }
}
