import Parse
import Rules

/// A `Detection` compiled: its selections by index and its condition resolved to them.
struct CompiledDetection: Sendable {
    /// The selection names, sorted; `selections[i]` is the selection named `names[i]`.
    let names: [String]
    let selections: [CompiledSelection]
    let condition: CompiledCondition

    /// Compiles `detection`, renaming fields as `fieldNames` says.
    static func compile(_ detection: Detection, fieldNames: [String: String],
                        compiler: ValueCompiler) -> Result<CompiledDetection, CompileFailure> {
        let names = detection.selections.keys.sorted()
        var indexes: [String: Int] = [:]
        var selections: [CompiledSelection] = []
        var diagnostics: [Diagnostic] = []
        for name in names {
            // `names` are the dictionary's own keys.
            guard let selection = detection.selections[name] else { continue }
            switch CompiledSelection.compile(selection, fieldNames: fieldNames, compiler: compiler) {
            case .success(let compiled):
                indexes[name] = selections.count
                selections.append(compiled)
            case .failure(let failure):
                diagnostics += failure.diagnostics
            }
        }
        guard diagnostics.isEmpty else { return .failure(CompileFailure(diagnostics: diagnostics)) }
        let condition = CompiledCondition(detection.condition, detection: detection, indexes: indexes)
        return .success(CompiledDetection(names: names, selections: selections, condition: condition))
    }

    /// Whether the detection matches `event`; the fields it matched on are appended to `matched`.
    func evaluate(_ event: Event, into matched: inout [MatchedSlice], context: inout EvaluationContext) -> Bool {
        evaluate(condition, event, isPositive: true, into: &matched, context: &context)
    }

    /// Evaluates `condition`. `isPositive` is false under an odd number of `not`s: there, a
    /// selection that holds counts against the match, so its fields are not collected.
    /// Fields collected by a part whose result does not help the match are dropped again.
    private func evaluate(_ condition: CompiledCondition, _ event: Event, isPositive: Bool,
                          into matched: inout [MatchedSlice], context: inout EvaluationContext) -> Bool {
        let mark = matched.count
        let result: Bool
        switch condition {
        case .selection(let index):
            result = selections[index].evaluate(event, collect: isPositive, into: &matched, context: &context)
        case .not(let operand):
            result = !evaluate(operand, event, isPositive: !isPositive, into: &matched, context: &context)
        case .and(let left, let right):
            result = evaluate(left, event, isPositive: isPositive, into: &matched, context: &context)
                && evaluate(right, event, isPositive: isPositive, into: &matched, context: &context)
        case .or(let left, let right):
            result = evaluate(left, event, isPositive: isPositive, into: &matched, context: &context)
                || evaluate(right, event, isPositive: isPositive, into: &matched, context: &context)
        case .any(let indexes):
            result = indexes.contains {
                selections[$0].evaluate(event, collect: isPositive, into: &matched, context: &context)
            }
        case .all(let indexes):
            result = indexes.allSatisfy {
                selections[$0].evaluate(event, collect: isPositive, into: &matched, context: &context)
            }
        case .never:
            result = false
        }
        if result != isPositive, matched.count > mark {
            matched.removeSubrange(mark...)
        }
        return result
    }
}
