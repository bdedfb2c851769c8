import Detect
import Foundation
import Rules

/// What `cordon check` prints: every diagnostic, a summary, and (with `--summary`) a
/// compatibility report that groups rule files by why they are not evaluated.
public struct CheckReport: Sendable {
    /// The load and compile result.
    public let report: RuleReport

    /// Makes the report of `report`.
    public init(_ report: RuleReport) {
        self.report = report
    }

    /// The exit status: 0, or the status of the worst error.
    public var status: Failure.ExitStatus? {
        report.errors.isEmpty ? nil : RuleLoading.status(of: report.errors)
    }

    /// One line per diagnostic, in the order found (what `check` prints on standard error,
    /// as compilers do).
    public var diagnosticLines: [String] {
        report.diagnostics.map(\.description)
    }

    /// `N rules OK (C correlations), M evaluated on the journal …; E errors, W warnings`
    /// (`loaded` instead of `OK` when there are errors). N counts correlation rules and detectors
    /// too; the parenthesis says how many of them there are, when there are any.
    public var summaryLine: String {
        let loaded = report.loaded
        let correlations = loaded.correlations.count
        let accepted = report.engine.rules.count + report.engine.unmappedRules.count + correlations
        let ruleCount = "\(accepted) rules \(report.errors.isEmpty ? "OK" : "loaded")"
        var parts = [correlations > 0 ? ruleCount + " (\(correlations) correlations)" : ruleCount,
                     "\(report.engine.rules.count) evaluated on the journal"]
        if loaded.filterCount > 0 { parts.append("\(loaded.filterCount) filters") }
        if !loaded.logSources.isEmpty { parts.append("\(loaded.logSources.count) log source mappings") }
        return parts.joined(separator: ", ") + "; \(report.errors.count) errors, \(report.warnings.count) warnings"
    }

    /// The diagnostics and the counts as one JSON document, for tools.
    public var json: String {
        let diagnostics: [[String: Any]] = report.diagnostics.map { diagnostic in
            var object: [String: Any] = ["file": diagnostic.file, "severity": diagnostic.severity.rawValue,
                                         "message": diagnostic.message]
            if let line = diagnostic.line { object["line"] = line }
            if let column = diagnostic.column { object["column"] = column }
            if let hint = diagnostic.hint { object["hint"] = hint }
            return object
        }
        let document: [String: Any] = [
            "diagnostics": diagnostics,
            "rules": report.loaded.rules.count,
            "evaluated": report.engine.rules.count,
            "unmapped": report.engine.unmappedRules.count,
            "filters": report.loaded.filterCount,
            "correlations": report.loaded.correlations.count,
            "errors": report.errors.count,
            "warnings": report.warnings.count,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Rule files grouped: evaluated, loaded but never evaluated (by log source), rejected (by
    /// reason). Reasons are the error messages with quoted specifics left out, so alike errors group.
    public var compatibility: String {
        // Files that hold log source mappings are configuration, not rules.
        let mappingFiles = Set(report.loaded.logSources.map(\.location.file))
        let files = report.loaded.files.filter { !mappingFiles.contains($0) }
        var errorsByFile: [String: [Diagnostic]] = [:]
        for error in report.errors { errorsByFile[error.file, default: []].append(error) }
        let evaluatedFiles = Set(report.engine.rules.map(\.location.file))
        var unmapped: [LogSource: Int] = [:]
        for rule in report.engine.unmappedRules where errorsByFile[rule.location.file] == nil {
            unmapped[rule.logSource, default: 0] += 1
        }
        var rejected: [String: Int] = [:]
        for file in files {
            guard let errors = errorsByFile[file] else { continue }
            rejected[CheckReport.reason(errors[0]), default: 0] += 1
        }
        let total = files.count
        let rejectedCount = files.filter { errorsByFile[$0] != nil }.count
        let evaluatedCount = files.filter { evaluatedFiles.contains($0) && errorsByFile[$0] == nil }.count
        func percent(_ count: Int) -> String {
            total == 0 ? "-" : String(format: "%.1f%%", Double(count) * 100 / Double(total))
        }
        var lines = [
            "rule files:                       \(total)",
            "loaded without error:             \(total - rejectedCount) (\(percent(total - rejectedCount)))",
            "  evaluated on the journal:       \(evaluatedCount) (\(percent(evaluatedCount)))",
        ]
        // What the evaluated rules run on, and which read fields only Sysmon for Linux gives.
        var onKind: [String: Int] = [:]
        var sysmonOnly = 0
        for (rule, kind) in zip(report.engine.rules, report.engine.ruleEventKinds) where errorsByFile[rule.location.file] == nil {
            onKind[kind.map { $0 == .auditRecord ? "assembled audit records" : "\($0.rawValue) events" } ?? "journal entries",
                   default: 0] += 1
            if kind != nil, kind != .auditRecord, !CheckReport.sysmonOnlyFields.isDisjoint(with: rule.fieldNames) { sysmonOnly += 1 }
        }
        for (kind, count) in onKind.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append(String(format: "    %5d  on %@", count, kind))
        }
        if sysmonOnly > 0 {
            lines.append(String(format: "    %5d  of those read a field only Sysmon for Linux gives (%@); from audit they match only through their other selections",
                                sysmonOnly, CheckReport.sysmonOnlyFields.sorted().joined(separator: ", ")))
        }
        lines.append("  loaded, log source not mapped:  \(unmapped.values.reduce(0, +))")
        for (source, count) in unmapped.sorted(by: { ($0.value, $1.key.description) > ($1.value, $0.key.description) }) {
            lines.append(String(format: "    %5d  %@ — %@", count, source.description, Engine.unmappedHint(source)))
        }
        lines.append("rejected:                         \(rejectedCount) (\(percent(rejectedCount)))")
        for (reason, count) in rejected.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append(String(format: "    %5d  %@", count, reason))
        }
        return lines.joined(separator: "\n")
    }

    /// Sysmon fields that audit events never carry (rules/FIELDS.md, "Assembled events").
    static let sysmonOnlyFields: Set<String> = [
        "DestinationHostname", "SourceHostname", "Hashes", "OriginalFileName", "Description", "Product", "Company",
        "FileVersion", "IntegrityLevel", "Protocol", "DestinationPortName", "SourcePortName", "ProcessGuid",
        "ParentProcessGuid", "LogonGuid",
    ]

    /// A diagnostic's message with quoted parts replaced by `…`, for grouping.
    static func reason(_ diagnostic: Diagnostic) -> String {
        var text = ""
        var isQuoted = false
        for character in diagnostic.message {
            if character == "'" {
                isQuoted.toggle()
                text.append(isQuoted ? "'…" : "'")
            } else if !isQuoted {
                text.append(character)
            }
        }
        return text
    }
}
