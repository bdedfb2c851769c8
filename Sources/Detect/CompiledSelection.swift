import Parse
import Rules

/// A `Selection` ready to test events: OR over alternatives, AND within one.
struct CompiledSelection: Sendable {
    let alternatives: [[CompiledPredicate]]

    init(_ selection: Selection) {
        alternatives = selection.alternatives.map { $0.map(CompiledPredicate.init) }
    }

    /// Whether some alternative holds for `event`; when `collect` is true, the fields of the first
    /// alternative that holds are appended to `matched`.
    func evaluate(_ event: Event, collect: Bool, into matched: inout [MatchedSlice]) -> Bool {
        for alternative in alternatives {
            let mark = matched.count
            if alternative.allSatisfy({ $0.evaluate(event, collect: collect, into: &matched) }) {
                return true
            }
            matched.removeSubrange(mark...)
        }
        return false
    }
}
