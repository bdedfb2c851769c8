import Parse
import Rules

/// A `Selection` compiled: OR over alternatives, AND over each alternative's predicates.
struct CompiledSelection: Sendable {
    let alternatives: [[CompiledPredicate]]

    /// Whether the selection holds; on success the matched fields of the alternative that held
    /// are appended to `matched` (when `collect`).
    func evaluate(_ event: Event, collect: Bool, into matched: inout [MatchedSlice],
                  context: inout EvaluationContext) -> Bool {
        for alternative in alternatives {
            let mark = matched.count
            if alternative.allSatisfy({ $0.evaluate(event, collect: collect, into: &matched, context: &context) }) {
                return true
            }
            matched.removeSubrange(mark...)
        }
        return false
    }

    /// Whether the selection holds, without collecting fields.
    func holds(for event: Event, context: inout EvaluationContext) -> Bool {
        var unused: [MatchedSlice] = []
        return evaluate(event, collect: false, into: &unused, context: &context)
    }
}

extension CompiledSelection {
    /// Compiles `selection`, renaming fields as `fieldNames` says.
    /// - Returns: the compiled selection, or every diagnostic its predicates produced.
    static func compile(_ selection: Selection, fieldNames: [String: String],
                        compiler: ValueCompiler) -> Result<CompiledSelection, CompileFailure> {
        var diagnostics: [Diagnostic] = []
        var alternatives: [[CompiledPredicate]] = []
        for alternative in selection.alternatives {
            var predicates: [CompiledPredicate] = []
            for predicate in alternative {
                switch compiler.compile(predicate, readName: fieldNames[predicate.field] ?? predicate.field) {
                case .success(let compiled): predicates.append(compiled)
                case .failure(let diagnostic): diagnostics.append(diagnostic)
                }
            }
            alternatives.append(predicates)
        }
        return diagnostics.isEmpty ? .success(CompiledSelection(alternatives: alternatives)) : .failure(CompileFailure(diagnostics: diagnostics))
    }
}
