import Parse
import Rules

/// A `Rule` compiled for matching: its detection, and the detections of the Sigma filters
/// that apply to it.
struct CompiledRule: Sendable {
    let detection: CompiledDetection
    let filters: [CompiledDetection]

    /// Whether the rule matches `event` (its detection holds and no filter does); the fields
    /// it matched on are appended to `matched`.
    func evaluate(_ event: Event, into matched: inout [MatchedSlice], context: inout EvaluationContext) -> Bool {
        guard detection.evaluate(event, into: &matched, context: &context) else { return false }
        var unused: [MatchedSlice] = []
        for filter in filters {
            unused.removeAll(keepingCapacity: true)
            if filter.evaluate(event, into: &unused, context: &context) { return false }
        }
        return true
    }

    /// Compiles `rule`, renaming fields as its log source mapping says.
    static func compile(_ rule: Rule, fieldNames: [String: String],
                        compiler: ValueCompiler) -> Result<CompiledRule, CompileFailure> {
        var diagnostics: [Diagnostic] = []
        var detection: CompiledDetection? = nil
        switch CompiledDetection.compile(rule.detection, fieldNames: fieldNames, compiler: compiler) {
        case .success(let compiled): detection = compiled
        case .failure(let failure): diagnostics += failure.diagnostics
        }
        var filters: [CompiledDetection] = []
        for filter in rule.filters {
            switch CompiledDetection.compile(filter.detection, fieldNames: fieldNames, compiler: compiler) {
            case .success(let compiled): filters.append(compiled)
            case .failure(let failure): diagnostics += failure.diagnostics
            }
        }
        guard let detection, diagnostics.isEmpty else { return .failure(CompileFailure(diagnostics: diagnostics)) }
        return .success(CompiledRule(detection: detection, filters: filters))
    }
}
