import Detect
import Foundation
import Logging
import Rules

/// Everything loading a set of rule paths produced: the engine and every diagnostic.
public struct RuleReport: Sendable {
    /// What the loader read: rules, filters and log source mappings.
    public let loaded: RuleLoadResult
    /// The compiled rules.
    public let engine: Engine
    /// Every problem from loading and compiling, in that order: errors and warnings.
    public let diagnostics: [Diagnostic]

    /// The problems that left something out.
    public var errors: [Diagnostic] { diagnostics.filter(\.isError) }
    /// The problems that leave the rule loaded.
    public var warnings: [Diagnostic] { diagnostics.filter { !$0.isError } }
}

/// Rules from paths, as an engine or as one-line errors.
public enum RuleLoading {
    /// The exit status for a set of diagnostics: missing input wins over permission, permission
    /// over bad data.
    static func status(of diagnostics: [Diagnostic]) -> Failure.ExitStatus {
        if diagnostics.contains(where: { $0.kind == .noInput }) { return .noInput }
        if diagnostics.contains(where: { $0.kind == .permission }) { return .permission }
        return .data
    }

    /// Loads the rules, filters and log source mappings at `paths` and compiles them, keeping
    /// every diagnostic (what `cordon check` reports).
    /// - Parameters:
    ///   - paths: rule files and directories.
    ///   - placeholders: values for `%name%` placeholders.
    ///   - options: engine limits.
    public static func report(paths: [String], placeholders: [String: [String]] = [:],
                              options: EngineOptions = EngineOptions()) -> RuleReport {
        var loaded = RuleLoader.load(paths: paths, placeholders: Placeholders(placeholders))
        var diagnostics = loaded.diagnostics
        // A rule file or folder given alone uses the mapping of the rule tree it sits in.
        if loaded.logSources.isEmpty, !loaded.rules.isEmpty, let mapping = nearestMapping(to: paths) {
            let mappings = RuleLoader.load(paths: [mapping])
            loaded.logSources = mappings.logSources
            diagnostics += mappings.diagnostics
        }
        if loaded.logSources.isEmpty, !loaded.rules.isEmpty {
            diagnostics.append(Diagnostic(
                kind: .data, severity: .warning, file: paths.joined(separator: ", "), line: nil,
                message: "no log source mapping ('logsources:' document) among these paths or in a folder above them: every rule runs on every entry, and no alert is trusted",
                hint: "add Cordon's rules/logsources.yml to the paths"))
        }
        // Without a mapping, every rule runs on every entry, untrusted: ad-hoc rule files still work.
        let engine = Engine(rules: loaded.rules, logSources: loaded.logSources.isEmpty ? nil : loaded.logSources,
                            options: options)
        diagnostics += engine.diagnostics + engine.unmappedDiagnostics
        return RuleReport(loaded: loaded, engine: engine, diagnostics: diagnostics)
    }

    /// The name of the file that holds the shipped log source mapping.
    public static let mappingFileName = "logsources.yml"

    /// The nearest `logsources.yml` in the folder of each path or a folder above it, or nil.
    static func nearestMapping(to paths: [String]) -> String? {
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            var folder = URL(fileURLWithPath: path).standardizedFileURL
            if !isDirectory.boolValue { folder.deleteLastPathComponent() }
            while true {
                let candidate = folder.appendingPathComponent(mappingFileName).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }

    /// Loads and compiles the rules at `paths` for `run` and `replay`: any error fails, and so
    /// does a set in which no rule is evaluated. Warnings other than unmapped rules (which
    /// `engine.unmappedRules` lists) are returned for the caller to log.
    /// - Throws: `Failure` whose message lists every error, one per line.
    public static func engine(paths: [String], placeholders: [String: [String]] = [:],
                              options: EngineOptions = EngineOptions()) throws(Failure) -> (engine: Engine, warnings: [Diagnostic]) {
        try engine(checking: report(paths: paths, placeholders: placeholders, options: options), paths: paths)
    }

    /// The engine of `report`, or the failure `engine(paths:)` describes.
    static func engine(checking report: RuleReport, paths: [String]) throws(Failure) -> (engine: Engine, warnings: [Diagnostic]) {
        guard report.errors.isEmpty else {
            throw Failure(status(of: report.errors), report.errors.map(\.description).joined(separator: "\n"))
        }
        if report.loaded.rules.isEmpty {
            throw Failure(.noInput, "\(paths.joined(separator: ", ")): no rules found; give rule files (*.yml) or directories with --rules")
        }
        if report.engine.rules.isEmpty {
            let reasons = report.warnings.prefix(3).map(\.description).joined(separator: "\n")
            throw Failure(.data, "\(paths.joined(separator: ", ")): none of the \(report.loaded.rules.count) rules can be evaluated on the journal\n\(reasons)")
        }
        let unmapped = Set(report.engine.unmappedDiagnostics)
        return (report.engine, report.warnings.filter { !unmapped.contains($0) })
    }
}

/// What `run`, `replay` and `test` evaluate: the compiled rules, and the correlation rules and
/// detectors over their matches.
public struct LoadedDetection {
    /// The compiled rules; matches of rules a correlation reads carry its fields.
    public var engine: Engine
    /// The correlation rules and detectors; nil when none is loaded.
    public let correlator: Correlator?
    /// Warnings to log.
    public let warnings: [Diagnostic]
    /// Every loaded rule's and correlation's id, by itself and by its name: what action triggers
    /// (`when: rules:`) may refer to.
    public var ruleIdentifiers: [String: String] = [:]
    /// Makes another correlator over the same rules, from a snapshot or fresh (one per host in
    /// fleet mode); nil without correlation rules.
    public internal(set) var makeCorrelator: (_ snapshot: [UInt8]?) -> (correlator: Correlator?, snapshotProblem: String?) = { _ in (nil, nil) }
}

extension RuleLoading {
    /// Loads the rules as `engine(paths:…)` does, plus a correlator over the correlation rules
    /// and detectors, whose fields the engine then captures.
    /// - Parameters:
    ///   - maximumGroups: groups each correlation rule or detector holds at most.
    ///   - snapshot: a saved correlation state to restore; nil for a fresh one. A snapshot that
    ///     cannot be restored gives a warning in `snapshotProblem` and a fresh state.
    public static func detection(paths: [String], placeholders: [String: [String]] = [:],
                                 options: EngineOptions = EngineOptions(), maximumGroups: Int,
                                 anomalyLimits: AnomalyModel.Limits = AnomalyModel.Limits(),
                                 snapshot: [UInt8]? = nil) throws(Failure) -> (detection: LoadedDetection, snapshotProblem: String?) {
        let report = report(paths: paths, placeholders: placeholders, options: options)
        var (engine, warnings) = try engine(checking: report, paths: paths)
        let correlations = report.loaded.correlations
        let identifiers = ruleIdentifiers(report)
        guard !correlations.isEmpty else {
            return (LoadedDetection(engine: engine, correlator: nil, warnings: warnings, ruleIdentifiers: identifiers), nil)
        }
        var names: [String: String] = [:]
        for rule in report.loaded.rules { if let name = rule.name { names[rule.identifier] = name } }
        let makeCorrelator = { (snapshot: [UInt8]?) -> (correlator: Correlator, snapshotProblem: String?) in
            if let snapshot {
                do {
                    return (try Correlator(rules: correlations, ruleNames: names, maximumGroupsPerRule: maximumGroups,
                                           makeState: Detectors.makeState, anomalyLimits: anomalyLimits, restoring: snapshot), nil)
                } catch {
                    // Changed correlation rules cost their windows, not the anomaly model's learning.
                    let fresh = Correlator(rules: correlations, ruleNames: names, maximumGroupsPerRule: maximumGroups,
                                           makeState: Detectors.makeState, anomalyLimits: anomalyLimits)
                    let modelProblem = fresh.restoreAnomalyModel(from: snapshot)
                    return (fresh, "\(error)" + (modelProblem.map { "; the anomaly model starts afresh too: \($0)" } ?? ""))
                }
            }
            return (Correlator(rules: correlations, ruleNames: names, maximumGroupsPerRule: maximumGroups,
                               makeState: Detectors.makeState, anomalyLimits: anomalyLimits), nil)
        }
        let (correlator, problem) = makeCorrelator(snapshot)
        warnings += correlator.diagnostics
        for rule in engine.rules where correlator.refers(to: rule.identifier) || correlator.anomalies?.refers(to: rule.identifier) == true {
            engine.capture(correlator.fieldNames(forRule: rule.identifier), forRule: rule.identifier)
        }
        var detection = LoadedDetection(engine: engine, correlator: correlator, warnings: warnings, ruleIdentifiers: identifiers)
        detection.makeCorrelator = { makeCorrelator($0) }
        return (detection, problem)
    }

    /// Every loaded rule's and correlation's id, by itself and by its name (`LoadedDetection.ruleIdentifiers`).
    public static func ruleIdentifiers(_ report: RuleReport) -> [String: String] {
        let rules = report.loaded.rules.map { ($0.identifier, $0.name) } + report.loaded.correlations.map { ($0.identifier, $0.name) }
        var identifiers: [String: String] = [:]
        for (identifier, name) in rules {
            identifiers[identifier] = identifier
            if let name { identifiers[name] = identifier }
        }
        return identifiers
    }

    /// Logs rule warnings for `run` and `replay`: rules never evaluated as one summary line
    /// (`cordon check` lists them), then each warning.
    static func log(_ warnings: [Diagnostic], engine: Engine, logger: Logger) {
        if !engine.unmappedRules.isEmpty {
            logger.warning("Some rules are never evaluated: their log source has no journal mapping (cordon check lists them)",
                           metadata: ["rules.unmapped": "\(engine.unmappedRules.count)", "rules.evaluated": "\(engine.rules.count)"])
        }
        for warning in warnings {
            logger.warning("Rule warning", metadata: ["diagnostic": "\(warning)"])
        }
    }
}
