import Parse
import Rules

extension Engine {
    /// Compiles one mapping into an empty group; nil after a diagnostic when it cannot be used.
    static func group(for mapping: LogSourceMapping, compiler: ValueCompiler, parsers: inout [any FieldParser],
                      diagnostics: inout [Diagnostic]) -> RuleGroup? {
        func at(_ message: String, _ hint: String) -> Diagnostic {
            Diagnostic(kind: .data, file: mapping.location.file, line: mapping.location.line,
                       column: mapping.location.column, message: message, hint: hint)
        }
        var parserIndex: Int? = nil
        if let name = mapping.parser {
            guard let parser = FieldParsers.named(name) else {
                let names = FieldParsers.all.map(\.name)
                diagnostics.append(at("log source \(mapping.logSource) names parser '\(name)', which does not exist",
                                      "use one of " + names.joined(separator: ", ")))
                return nil
            }
            parserIndex = parsers.firstIndex { $0.name == name } ?? {
                parsers.append(parser)
                return parsers.count - 1
            }()
        }
        var events: EventKind? = nil
        if let name = mapping.events {
            guard let kind = EventKind(rawValue: name) else {
                diagnostics.append(at("log source \(mapping.logSource) reads events '\(name)', which Cordon does not make",
                                      "use one of " + EventKind.allCases.map(\.rawValue).joined(separator: ", ")))
                return nil
            }
            events = kind
        }
        var select: CompiledSelection? = nil
        if let selection = mapping.select {
            switch CompiledSelection.compile(selection, fieldNames: [:], compiler: compiler) {
            case .success(let compiled): select = compiled
            case .failure(let failure):
                diagnostics += failure.diagnostics
                return nil
            }
        }
        let trust: RuleGroup.Trust
        switch mapping.trust {
        case .never: trust = .never
        case .always: trust = .always
        case .when(let selection):
            switch CompiledSelection.compile(selection, fieldNames: [:], compiler: compiler) {
            case .success(let compiled): trust = .when(compiled)
            case .failure(let failure):
                diagnostics += failure.diagnostics
                return nil
            }
        }
        let group = RuleGroup(logSource: mapping.logSource, select: select, trust: trust, parserIndex: parserIndex, events: events)
        group.readsAuditRecords = mapping.select?.alternatives.contains { $0.contains { $0.field == "_TRANSPORT" } } ?? false
        return group
    }

    /// A warning for each rule that loads but is never evaluated, its log source being unmapped.
    public var unmappedDiagnostics: [Diagnostic] {
        unmappedRules.map { rule in
            Diagnostic(kind: .data, severity: .warning, file: rule.location.file, line: rule.location.line,
                       message: "log source \(rule.logSource) has no journal mapping, so rule '\(rule.title)' loads but is never evaluated",
                       hint: Engine.unmappedHint(rule.logSource))
        }
    }

    /// What to do about a rule whose log source is not mapped.
    public static func unmappedHint(_ source: LogSource) -> String {
        switch source.category {
        case let category? where EventKind(rawValue: category) != nil:
            "map it to Cordon's assembled events with 'events: \(category)' in a 'logsources:' document (rules/logsources.yml does)"
        default:
            "map it in a 'logsources:' document (see rules/logsources.yml), or leave the rule out"
        }
    }

    /// The journal fields a rule reads: its predicates' fields after renaming, minus the
    /// names its parser produces, plus fields named by `fieldref`.
    static func readFields(of rule: Rule, renames: [String: String], parsed: Set<String>) -> Set<String> {
        var names: Set<String> = []
        let detections = [rule.detection] + rule.filters.map(\.detection)
        for detection in detections {
            for selection in detection.selections.values {
                for alternative in selection.alternatives {
                    for predicate in alternative {
                        names.insert(renames[predicate.field] ?? predicate.field)
                        if predicate.modifiers.contains(.fieldref) {
                            for case .string(let other) in predicate.values { names.insert(other) }
                        }
                    }
                }
            }
        }
        return names.subtracting(parsed)
    }

    /// The journal fields a mapping's selector and trust test read.
    static func readFields(of mapping: LogSourceMapping) -> Set<String> {
        var selections: [Selection] = []
        if let select = mapping.select { selections.append(select) }
        if case .when(let trusted) = mapping.trust { selections.append(trusted) }
        return Set(selections.flatMap { $0.alternatives.flatMap { $0.map(\.field) } })
    }
}
