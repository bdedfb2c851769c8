import Yams

/// Turns a `logsources:` document into `LogSourceMapping` values.
///
/// ```yaml
/// logsources:
///   - logsource: {product: linux, service: sshd}
///     description: OpenSSH server
///     select:                     # entries claiming to be sshd's (forgeable)
///       - SYSLOG_IDENTIFIER: [sshd, sshd-session]
///     trusted:                    # the ones journald vouches for; or true / false
///       - _EXE: /usr/sbin/sshd
///         _UID: 0
///     parser: sshd
///     fields: {exe: _EXE}
///   - logsource: {product: linux, category: process_creation}
///     events: process_creation    # Cordon's assembled events, not journal entries
///     trusted:
///       - _TRANSPORT: audit
/// ```
struct LogSourceMappingParser {
    let file: String
    var diagnostics: [Diagnostic] = []

    private static let keys: Set<String> = ["logsource", "description", "select", "trusted", "parser", "fields", "events"]

    /// Parses the value of `logsources:`.
    mutating func parse(_ node: Node, at location: SourceLocation) -> [LogSourceMapping] {
        guard case .sequence(let sequence) = node else {
            diagnostics.append(Diagnostic(at: location, "'logsources' must be a list of mappings",
                                          hint: "write '- logsource: {product: linux, service: sshd}' items"))
            return []
        }
        return sequence.compactMap { parseMapping($0, at: $0.location(in: file, or: location)) }
    }

    private mutating func parseMapping(_ node: Node, at location: SourceLocation) -> LogSourceMapping? {
        guard case .mapping(let mapping) = node else {
            diagnostics.append(Diagnostic(at: location, "a log source mapping must be a map",
                                          hint: "start it with 'logsource:'"))
            return nil
        }
        let count = diagnostics.count
        for (key, _) in mapping {
            guard let name = key.text, !LogSourceMappingParser.keys.contains(name) else { continue }
            let hint = Suggestion.nearest(to: name, among: LogSourceMappingParser.keys).map { "did you mean '\($0)'?" }
                ?? "use " + LogSourceMappingParser.keys.sorted().joined(separator: ", ")
            diagnostics.append(Diagnostic(at: key.location(in: file, or: location), "unknown key '\(name)' in a log source mapping",
                                          hint: hint))
        }
        guard let sourceEntry = mapping.entry("logsource"), case .mapping(let source) = sourceEntry.value else {
            diagnostics.append(Diagnostic(at: location, "log source mapping has no 'logsource' map",
                                          hint: "add 'logsource: {product: linux, service: <name>}'"))
            return nil
        }
        let logSource = LogSource(product: source.entry("product")?.value.text, service: source.entry("service")?.value.text,
                                  category: source.entry("category")?.value.text)
        var selectionParser = SelectionParser(file: file)
        var select: Selection? = nil
        if let entry = mapping.entry("select"), !entry.value.isNull {
            select = selectionParser.parse(name: "select", value: entry.value,
                                           keyLocation: entry.key.location(in: file, or: location))
        }
        var trust = LogSourceMapping.Trust.never
        if let entry = mapping.entry("trusted") {
            let keyLocation = entry.key.location(in: file, or: location)
            if let text = entry.value.text, ["true", "false"].contains(text) {
                trust = text == "true" ? .always : .never
            } else if let selection = selectionParser.parse(name: "trusted", value: entry.value, keyLocation: keyLocation) {
                trust = .when(selection)
            }
        } else {
            diagnostics.append(Diagnostic(at: location, "log source mapping \(logSource) does not say whether it is trusted",
                                          hint: "add 'trusted:' with a selection on journald's own fields, or 'trusted: false'"))
        }
        diagnostics += selectionParser.diagnostics
        var fieldNames: [String: String] = [:]
        if let entry = mapping.entry("fields"), case .mapping(let fields) = entry.value {
            for (key, value) in fields {
                if let name = key.text, let target = value.text { fieldNames[name] = target }
            }
        }
        var events: String? = nil
        if let entry = mapping.entry("events") {
            if let text = entry.value.text, !text.isEmpty {
                events = text
            } else {
                diagnostics.append(Diagnostic(at: entry.key.location(in: file, or: location), "'events' must name a kind of event",
                                              hint: "write e.g. 'events: process_creation'"))
            }
            if let parser = mapping.entry("parser") {
                diagnostics.append(Diagnostic(at: parser.key.location(in: file, or: location),
                                              "a mapping of assembled events cannot name a parser",
                                              hint: "remove 'parser:'; the events already carry their fields"))
            }
        }
        guard diagnostics[count...].allSatisfy({ !$0.isError }) else { return nil }
        return LogSourceMapping(logSource: logSource, description: mapping.entry("description")?.value.text, select: select,
                                trust: trust, parser: mapping.entry("parser")?.value.text, fieldNames: fieldNames,
                                events: events, location: location)
    }
}
