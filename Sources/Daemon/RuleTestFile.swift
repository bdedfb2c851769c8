import Journal
import Parse
import Rules
import Yams

/// Reads rule test files (`X.test.yml` beside the rule `X.yml`): a YAML list of cases, each a
/// name, one event and the rules that must (`match`) and must not (`no_match`) match it.
///
/// ```yaml
/// - name: sshd rejects a password
///   event:
///     MESSAGE: Failed password for root from 203.0.113.9 port 4242 ssh2
///     _EXE: /usr/sbin/sshd
///   match: [dd6e5a1e-ca11-453b-9351-fd41c86f4959]
/// ```
///
/// The event is either `event:`, a map of journal field names to values (text as written; a list
/// for a field that repeats; `!!binary` base64 for bytes), or `export:`, the text form of the
/// journal export format holding one or more entries (the records of an audit event, say). With
/// `kind: <EventKind>`, the `event:` map is one of Cordon's assembled events of that kind
/// (`Image`, `CommandLine` …) instead of a journal entry. See README.md, "Testing rules".
public enum RuleTestFile {
    /// The keys a case may have.
    static let keys = ["name", "event", "export", "kind", "match", "no_match", "trusted"]
    /// The most entries one case's `export:` may hold: an audit event of 10,000 arguments has
    /// under 100 records, so this is far beyond any real event and bounds a runaway paste.
    public static let maximumEntries = 10_000

    /// Reads and parses the test file at `path`.
    /// - Parameters:
    ///   - path: the test file.
    ///   - dataThreshold: event values longer than this are cut, as the journal reader cuts them.
    /// - Returns: the cases, and a `file:line: what is wrong; what to do` line per problem.
    /// - Throws: `Failure` when the file cannot be read (66 missing, 77 not permitted).
    public static func load(path: String, dataThreshold: Int) throws(Failure) -> (cases: [RuleTestCase], problems: [String]) {
        let text: String
        switch FileText.read(path) {
        case .success(let contents): text = contents
        case .failure(let failure): throw failure
        }
        return parse(text, file: path, dataThreshold: dataThreshold)
    }

    /// Parses the text of a test file. Every problem is reported, not only the first.
    /// - Parameters:
    ///   - text: the file's YAML.
    ///   - file: the path to name in problems and cases.
    ///   - dataThreshold: event values longer than this are cut.
    /// - Returns: the well-formed cases, and a `file:line: what is wrong; what to do` line per problem.
    public static func parse(_ text: String, file: String, dataThreshold: Int = Int.max) -> (cases: [RuleTestCase], problems: [String]) {
        var parser = CaseParser(file: file, dataThreshold: dataThreshold)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            parser.problem(YAMLErrors.line(of: error), "invalid YAML (\(YAMLErrors.summary(of: error)))",
                           "fix the syntax: indentation with spaces, ':' after keys, closed quotes")
            return ([], parser.problems)
        } catch {
            parser.problem(1, "invalid YAML", "fix the syntax")
            return ([], parser.problems)
        }
        guard let root, case .sequence(let list) = root else {
            parser.problem(root?.mark?.line ?? 1, "a rule test file is a list of cases",
                           "start each case with '- name: ...'; see README.md, 'Testing rules'")
            return ([], parser.problems)
        }
        if list.isEmpty {
            parser.problem(root.mark?.line ?? 1, "the file has no cases", "add at least one '- name: ...' case")
        }
        var cases: [RuleTestCase] = []
        var names: [String: Int] = [:]
        for node in list {
            guard let testCase = parser.parseCase(node) else { continue }
            if let first = names[testCase.name] {
                parser.problem(testCase.line, "case name '\(testCase.name)' is already used at line \(first)",
                               "give each case its own name")
                continue
            }
            names[testCase.name] = testCase.line
            cases.append(testCase)
        }
        return (cases, parser.problems)
    }
}

/// Turns YAML nodes into cases, collecting problems as `file:line: error: what — what to do` lines.
private struct CaseParser {
    /// The test file's path, for problems and cases.
    let file: String
    /// Event values longer than this are cut.
    let dataThreshold: Int
    /// Each problem with its line, in the order found.
    var found: [(line: Int, text: String)] = []

    /// The problems as `file:line: …` lines, by line.
    var problems: [String] {
        found.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element.text)
    }

    /// A parser for the file `file`; event values are cut at `dataThreshold` bytes.
    init(file: String, dataThreshold: Int) {
        self.file = file
        self.dataThreshold = dataThreshold
    }

    /// Records a problem at `line`: what is wrong, and what to do.
    mutating func problem(_ line: Int, _ message: String, _ hint: String) {
        found.append((line, Diagnostic(file: file, line: line, message: message, hint: hint).description))
    }

    /// One case, or nil after recording its problems.
    mutating func parseCase(_ node: Node) -> RuleTestCase? {
        let line = node.mark?.line ?? 1
        guard case .mapping(let mapping) = node else {
            problem(line, "a case must be a map with name, event (or export), match and no_match",
                    "write '- name: ...' and the other keys indented under it")
            return nil
        }
        let before = found.count
        var name: String?
        var eventNode: Node?
        var exportNode: Node?
        var kind: EventKind?
        var kindLine: Int?
        var expectations: [RuleTestExpectation] = []
        var hasExpectationKey = false
        var expectedTrust: Bool?
        for (key, value) in mapping {
            let keyLine = key.mark?.line ?? line
            switch key.string ?? "" {
            case "name":
                guard let text = plainText(value), !text.isEmpty else {
                    problem(keyLine, "'name' must be text", "describe the case in a few words")
                    continue
                }
                name = text
            case "event": eventNode = value
            case "export": exportNode = value
            case "kind":
                kindLine = keyLine
                let kinds = EventKind.allCases.map(\.rawValue).joined(separator: ", ")
                guard let text = plainText(value) else {
                    problem(keyLine, "'kind' must be text", "use one of \(kinds)")
                    continue
                }
                guard let known = EventKind(rawValue: text) else {
                    problem(keyLine, "unknown kind '\(text)'", "use one of \(kinds)")
                    continue
                }
                kind = known
            case "match":
                hasExpectationKey = true
                expectations += parseIdentifiers(value, key: "match", line: keyLine, shouldMatch: true)
            case "no_match":
                hasExpectationKey = true
                expectations += parseIdentifiers(value, key: "no_match", line: keyLine, shouldMatch: false)
            case "trusted":
                guard let flag = value.bool else {
                    problem(keyLine, "'trusted' must be true or false", "write 'trusted: true' when the event comes from the genuine source")
                    continue
                }
                expectedTrust = flag
            case let other:
                problem(keyLine, "unknown key '\(other)' in a case",
                        "use \(RuleTestFile.keys.joined(separator: ", "))")
            }
        }
        if name == nil, !mapping.contains(where: { $0.key.string == "name" }) {
            problem(line, "the case has no 'name'", "add 'name:' with a few words saying what it tests")
        }
        let label = name.map { "case '\($0)'" } ?? "the case"
        var entries: [JournalEntry]?
        switch (eventNode, exportNode) {
        case (let event?, nil): entries = parseEvent(event, label: label, isAssembled: kindLine != nil).map { [$0] }
        case (nil, let export?):
            entries = parseExport(export, label: label)
            if let kindLine {
                problem(kindLine, "'kind' applies to 'event:', not to 'export:'",
                        "remove 'kind' to assemble the export's entries as run and replay do, or give the event's fields under 'event:'")
            }
        case (_?, _?):
            problem(line, "\(label) has both 'event' and 'export'", "give the event one way; split it into two cases to test both")
        case (nil, nil):
            problem(line, "\(label) has no event", "add 'event:' with a map of journal fields, or 'export:' with export-format text")
        }
        if expectations.isEmpty, !hasExpectationKey {
            problem(line, "\(label) expects nothing", "add 'match: [rule id]' or 'no_match: [rule id]'")
        }
        var seen: [String: RuleTestExpectation] = [:]
        for expectation in expectations {
            if let first = seen[expectation.ruleIdentifier] {
                let verb = first.shouldMatch == expectation.shouldMatch ? "is listed twice" : "is under both match and no_match"
                problem(expectation.line, "rule '\(expectation.ruleIdentifier)' \(verb) in \(label)", "keep one")
            }
            seen[expectation.ruleIdentifier] = expectation
        }
        guard found.count == before, let name, let entries else { return nil }
        var testCase = RuleTestCase(name: name, file: file, line: line, entries: entries, kind: kind, expectations: expectations)
        testCase.expectedTrust = expectedTrust
        return testCase
    }

    /// The rule ids under `match` or `no_match`: one id, or a list of them.
    mutating func parseIdentifiers(_ node: Node, key: String, line: Int, shouldMatch: Bool) -> [RuleTestExpectation] {
        var items = [node]
        if case .sequence(let list) = node { items = Array(list) }
        if items.isEmpty {
            problem(line, "'\(key)' is an empty list", "name at least one rule id, or remove '\(key)'")
        }
        var expectations: [RuleTestExpectation] = []
        for item in items {
            let itemLine = item.mark?.line ?? line
            guard let identifier = plainText(item), !identifier.isEmpty else {
                problem(itemLine, "'\(key)' must list rule ids", "write '\(key): [<rule id>, ...]' with each rule's 'id'")
                continue
            }
            expectations.append(RuleTestExpectation(ruleIdentifier: identifier, shouldMatch: shouldMatch, line: itemLine))
        }
        return expectations
    }

    /// The event of an `event:` map: each key a journal field name (with `kind:`, an assembled
    /// event's field name), each value text, bytes or a list.
    /// - Parameters:
    ///   - isAssembled: whether the map is an assembled event (`kind:`), whose fields have
    ///     Sysmon's and auditd's names (`Image`, `CommandLine`, `a0`) besides journald's.
    mutating func parseEvent(_ node: Node, label: String, isAssembled: Bool) -> JournalEntry? {
        let line = node.mark?.line ?? 1
        guard case .mapping(let mapping) = node, !mapping.isEmpty else {
            problem(line, "the event of \(label) must be a map of journal fields",
                    "write e.g. 'event: {MESSAGE: \"...\", _EXE: /usr/sbin/sshd}'")
            return nil
        }
        var fields: [ExportFormat.ReadField] = []
        for (key, value) in mapping {
            let keyLine = key.mark?.line ?? line
            guard let name = plainText(key),
                  isAssembled ? CaseParser.isEventFieldName(name.utf8) : ExportFormat.isFieldName(name.utf8) else {
                if isAssembled {
                    problem(keyLine, "'\(key.string ?? "")' is not an event field name",
                            "use the names rules/FIELDS.md lists (Image, CommandLine, ParentImage, TargetFilename, _TRANSPORT …)")
                } else if let name = plainText(key), CaseParser.looksLikeEventFieldName(name.utf8) {
                    problem(keyLine, "'\(name)' is not a journal field name",
                            "for an assembled event's fields (Image, CommandLine …) add 'kind:' (e.g. 'kind: process_creation')")
                } else {
                    problem(keyLine, "'\(key.string ?? "")' is not a journal field name",
                            "use upper-case letters, digits and '_' as the journal does (MESSAGE, _EXE, SYSLOG_IDENTIFIER)")
                }
                continue
            }
            let values: [Node]
            if case .sequence(let list) = value {
                guard !list.isEmpty else {
                    problem(keyLine, "'\(name)' is an empty list", "give a value, or remove the field")
                    continue
                }
                values = Array(list)
            } else {
                values = [value]
            }
            for item in values {
                guard let bytes = fieldValue(item, name: name, line: item.mark?.line ?? keyLine) else { continue }
                fields.append(ExportFormat.ReadField(name: name, value: bytes, line: item.mark?.line ?? keyLine))
            }
        }
        return makeEntry(fields, label: label) { $0 }
    }

    /// One field value: a scalar as written, or the bytes of a `!!binary` scalar.
    mutating func fieldValue(_ node: Node, name: String, line: Int) -> [UInt8]? {
        guard case .scalar(let scalar) = node else {
            problem(line, "the value of '\(name)' must be text (or a list of texts for a repeated field)",
                    "quote it if it holds ':' or starts with '{' or '['")
            return nil
        }
        if node.tag.rawValue == Tag.Name.binary.rawValue {
            guard let bytes = Base64.decode(scalar.string) else {
                problem(line, "the !!binary value of '\(name)' is not base64", "encode the bytes with base64 (e.g. `base64 -w0`)")
                return nil
            }
            return bytes
        }
        if node.tag.rawValue == Tag.Name.null.rawValue {
            problem(line, "'\(name)' has no value", "give a value ('' for an empty one), or remove the field")
            return nil
        }
        return Array(scalar.string.utf8)
    }

    /// The entries of an `export:` text, in the journal export format's text form: one or more,
    /// each ended by an empty line (the last need not be).
    mutating func parseExport(_ node: Node, label: String) -> [JournalEntry]? {
        let line = node.mark?.line ?? 1
        guard case .scalar(let scalar) = node, !node.isNullScalar else {
            problem(line, "the export of \(label) must be text", "write 'export: |' and NAME=value lines indented under it")
            return nil
        }
        // In a literal block (`|`) the text starts on the line after the indicator, line for line;
        // in any other style the lines of the text cannot be told apart, so name the key's line.
        let isLiteral = scalar.style == .literal
        let offset = isLiteral ? line : 0
        let entries: [[ExportFormat.ReadField]]
        do {
            entries = try ExportFormat.read(Array(scalar.string.utf8))
        } catch {
            problem(isLiteral ? offset + error.line : line, "in the export of \(label): \(error.message)", error.hint)
            return nil
        }
        guard !entries.isEmpty else {
            problem(line, "the export of \(label) has no fields", "write NAME=value lines under 'export: |'")
            return nil
        }
        guard entries.count <= RuleTestFile.maximumEntries else {
            problem(line, "the export of \(label) holds \(entries.count) entries, more than \(RuleTestFile.maximumEntries)",
                    "keep the entries of the event under test; split the others into cases")
            return nil
        }
        var made: [JournalEntry] = []
        for (index, fields) in entries.enumerated() {
            guard let entry = makeEntry(fields, ordinal: index + 1, label: label, fileLine: { isLiteral ? offset + $0 : line })
            else { continue }
            made.append(entry)
        }
        return made.count == entries.count ? made : nil
    }

    /// The entry of `fields`, as the journal reader would return it.
    /// - Parameters:
    ///   - ordinal: the entry's number in its case, from 1, for its made-up cursor.
    ///   - fileLine: the file's line for a field's line.
    mutating func makeEntry(_ fields: [ExportFormat.ReadField], ordinal: Int = 1, label: String,
                            fileLine: (Int) -> Int) -> JournalEntry? {
        do {
            return try ExportFormat.entry(of: fields, ordinal: ordinal, dataThreshold: dataThreshold)
        } catch {
            problem(fileLine(error.line), "in the event of \(label): \(error.message)", error.hint)
            return nil
        }
    }

    /// Whether `name` can name a field of an assembled event: 1–128 printable ASCII characters
    /// other than space and `=` (Sysmon's `<Data Name=…>`, auditd's `a0`, journald's `_EXE`).
    static func isEventFieldName(_ name: some Collection<UInt8>) -> Bool {
        (1...128).contains(name.count) && name.allSatisfy { (0x21...0x7e).contains($0) && $0 != UInt8(ascii: "=") }
    }

    /// Whether `name` looks like Sysmon's field names (`Image`, `CommandLine`): an upper-case
    /// letter first, a lower-case one later. Such a name in a journal entry most likely means the
    /// case wants `kind:`.
    static func looksLikeEventFieldName(_ name: some Collection<UInt8>) -> Bool {
        guard let first = name.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else { return false }
        return isEventFieldName(name) && name.contains { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
    }

    /// The text of a scalar that is not null; nil for anything else.
    func plainText(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, !node.isNullScalar else { return nil }
        return scalar.string
    }
}

extension Node {
    /// Whether the node is a plain YAML null (`null`, `~` or nothing); a quoted `'null'` is text.
    fileprivate var isNullScalar: Bool {
        guard case .scalar = self else { return false }
        return tag.rawValue == Tag.Name.null.rawValue
    }
}
