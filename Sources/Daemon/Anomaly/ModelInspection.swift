import Detect
import Journal
import Alert
import Glibc
import Parse
import Rules

/// The model saved in a state directory, loaded for `cordon model show|export|forget` and
/// `cordon replay --model`.
public struct ModelInspection {
    /// The model, with the values marked normal.
    public let model: AnomalyModel
    /// The checkpoint it came from.
    public let checkpoint: Checkpoint
    public let store: ModelStore

    /// Loads the rules (for the detectors' settings) and the model in `configuration.stateDirectory`.
    /// - Throws: `Failure` without anomaly detectors, without a saved model, or when it cannot be read.
    public init(configuration: Configuration) throws(Failure) {
        store = ModelStore(directory: configuration.stateDirectory)
        guard let checkpoint = try store.checkpoints.load(), let state = checkpoint.state else {
            let hosts = configuration.stateDirectory + "/hosts"
            if access(hosts, F_OK) == 0 {
                throw Failure(.noInput, "\(configuration.stateDirectory): a fleet's state: each host's model is in \(hosts)/<machine id>; give that as --state-dir")
            }
            throw Failure(.noInput, "\(configuration.stateDirectory): no model saved yet; run `cordon learn` or start the daemon with the anomaly rules")
        }
        self.checkpoint = checkpoint
        let (detection, _) = try RuleLoading.detection(paths: configuration.rulePaths, placeholders: configuration.placeholders,
                                                       maximumGroups: configuration.correlationMaximumGroups,
                                                       anomalyLimits: configuration.anomalyLimits)
        guard let correlator = detection.correlator, correlator.anomalies != nil else {
            throw Failure(.data, "\(configuration.rulePaths.joined(separator: ", ")): no anomaly detector among the rules; give --rules with rules/anomaly")
        }
        if let problem = correlator.restoreAnomalyModel(from: state) {
            throw Failure(.data, "\(store.checkpoints.path): \(problem)")
        }
        guard let model = correlator.anomalies else { throw Failure(.software, "the model vanished") }
        model.normal = try store.normalValues()
        self.model = model
    }

    /// The model's bytes to start a replay from (`replay --model`).
    public var modelState: [UInt8]? { checkpoint.state }

    /// `cordon model show`: learning state, categories (per source, most frequent first, at most
    /// `limit` each), executables and logins; only sources matching `source` (a `*` pattern) if given.
    public func text(source pattern: String?, limit: Int) -> String {
        var lines: [String] = []
        let position: String = switch checkpoint.position {
        case .head: "head"
        case .after(let cursor): "after \(cursor.rawValue)"
        case .at(let cursor): "at \(cursor.rawValue)"
        }
        lines.append("Model in \(store.checkpoints.path) (checkpoint \(position))")
        if let start = model.learningStart {
            lines.append("Learning began at \(AnomalyModel.date(start)) (the first entry seen; entry time)")
        } else {
            lines.append("Nothing learned yet")
        }
        let allCategories = model.categoryViews()
        let latest = allCategories.map(\.lastSeen).max() ?? 0
        for detector in model.detectors {
            let end = model.learningStart.map { $0 &+ detector.learning }
            let state: String
            if let end { state = latest >= end ? "learning over since \(AnomalyModel.date(end))" : "learning until \(AnomalyModel.date(end))" }
            else { state = "learning not begun" }
            lines.append("  \(detector.rule.kind.rawValue) \(detector.rule.identifier) '\(detector.rule.title)': \(AnomalyModel.duration(detector.learning)) learning, \(state)")
        }
        let categories = allCategories.filter { view in pattern.map { NamePattern.matches(name: view.source, pattern: $0) } ?? true }
        let statistics = model.statistics
        lines.append("")
        lines.append("Categories: \(categories.count)\(pattern.map { " from sources matching '\($0)'" } ?? "") "
            + "(\(categories.filter(\.isLearned).count) learned, \(categories.filter { !$0.isLearned }.count) new since learning; "
            + "\(statistics.minerEvictions + statistics.userMinerEvictions) evicted at the caps since the model was loaded)")
        let bySource = Dictionary(grouping: categories, by: \.source)
        for source in bySource.keys.sorted() {
            let group = bySource[source]!.sorted { ($1.count, $0.identifier) < ($0.count, $1.identifier) }
            let untrusted = group.first.map { $0.isTrusted ? "" : ", untrusted (a local user's)" } ?? ""
            lines.append("  \(source): \(group.count) categories\(untrusted)")
            for category in group.prefix(limit) {
                let status = model.normal.contains(category.identifier) ? "normal" : category.isLearned ? "learned" : "new"
                lines.append("    \(category.identifier)  \(category.count)×  [\(status)]  \(category.template)")
                lines.append("        first \(AnomalyModel.date(category.firstSeen)), last \(AnomalyModel.date(category.lastSeen)); e.g. \(category.example)")
            }
            if group.count > limit { lines.append("    … \(group.count - limit) more (--limit)") }
        }
        let processes = model.processViews().filter { view in pattern.map { NamePattern.matches(name: view.value, pattern: "*" + $0 + "*") } ?? true }
        lines.append("")
        lines.append("Executables: \(processes.count)")
        for process in processes.prefix(limit * 10) {
            let status = model.normal.contains(process.value) ? "normal" : process.isLearned ? "learned" : "new"
            lines.append("  [\(status)] \(process.value)  \(process.count)×, first \(AnomalyModel.date(process.firstSeen))")
        }
        if processes.count > limit * 10 { lines.append("  … \(processes.count - limit * 10) more (--limit)") }
        let logins = model.loginViews()
        lines.append("")
        lines.append("Logins: \(logins.count) users")
        for login in logins.prefix(limit * 10) {
            let networks = login.networks.map { "\($0.value.dropFirst(login.user.count + 6))\($0.isLearned ? "" : " (new)")" }
            lines.append("  \(login.user): from \(networks.joined(separator: ", ")); hours (UTC) \(login.hours)")
        }
        if !model.normal.isEmpty {
            lines.append("")
            lines.append("Marked normal (\(store.normalPath)): \(model.normal.sorted().joined(separator: "; "))")
        }
        return lines.joined(separator: "\n")
    }

    /// `cordon model export`: the whole model as one JSON object.
    public var json: String {
        var out: [UInt8] = []
        func key(_ name: String) { JSON.appendQuoted(name.utf8, to: &out); out.append(UInt8(ascii: ":")) }
        func string(_ value: String) { JSON.appendQuoted(value.utf8, to: &out) }
        func number(_ value: UInt64) { out.append(contentsOf: String(value).utf8) }
        func bool(_ value: Bool) { out.append(contentsOf: (value ? "true" : "false").utf8) }
        func comma() { out.append(UInt8(ascii: ",")) }
        func list<T>(_ items: [T], _ body: (T) -> Void) {
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { comma() }
                body(item)
            }
            out.append(UInt8(ascii: "]"))
        }
        func value(_ view: AnomalyModel.ValueView) {
            out.append(UInt8(ascii: "{"))
            key("value"); string(view.value); comma()
            key("count"); number(view.count); comma()
            key("first_seen"); number(view.firstSeen); comma()
            key("last_seen"); number(view.lastSeen); comma()
            key("learned"); bool(view.isLearned); comma()
            key("normal"); bool(model.normal.contains(view.value))
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "{"))
        key("learning_start")
        if let start = model.learningStart { number(start) } else { out.append(contentsOf: "null".utf8) }
        comma()
        key("detectors")
        list(model.detectors) { detector in
            out.append(UInt8(ascii: "{"))
            key("id"); string(detector.rule.identifier); comma()
            key("type"); string(detector.rule.kind.rawValue); comma()
            key("title"); string(detector.rule.title); comma()
            key("learning_us"); number(detector.learning)
            out.append(UInt8(ascii: "}"))
        }
        comma()
        key("categories")
        list(model.categoryViews()) { category in
            out.append(UInt8(ascii: "{"))
            key("id"); string(category.identifier); comma()
            key("source"); string(category.source); comma()
            key("template"); string(category.template); comma()
            key("count"); number(category.count); comma()
            key("first_seen"); number(category.firstSeen); comma()
            key("last_seen"); number(category.lastSeen); comma()
            key("example"); string(category.example); comma()
            key("trusted"); bool(category.isTrusted); comma()
            key("learned"); bool(category.isLearned); comma()
            key("normal"); bool(model.normal.contains(category.identifier))
            out.append(UInt8(ascii: "}"))
        }
        comma()
        key("executables")
        list(model.processViews(), value)
        comma()
        key("logins")
        list(model.loginViews()) { login in
            out.append(UInt8(ascii: "{"))
            key("user"); string(login.user); comma()
            key("first_seen"); number(login.firstSeen); comma()
            key("hours"); string(login.hours); comma()
            key("networks"); list(login.networks, value)
            out.append(UInt8(ascii: "}"))
        }
        comma()
        key("normal")
        list(model.normal.sorted()) { string($0) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
