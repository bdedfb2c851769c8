import Parse
import Rules

/// A `Rule` compiled for matching: its selections as byte patterns and its condition resolved.
struct CompiledRule: Sendable {
    let selections: [CompiledSelection]
    let condition: CompiledCondition

    init(_ rule: Rule) {
        let names = rule.detection.selections.keys.sorted()
        var indexes: [String: Int] = [:]
        var selections: [CompiledSelection] = []
        for name in names {
            // `names` are the dictionary's own keys.
            guard let selection = rule.detection.selections[name] else { continue }
            indexes[name] = selections.count
            selections.append(CompiledSelection(selection))
        }
        self.selections = selections
        self.condition = CompiledCondition(rule.detection.condition, detection: rule.detection, indexes: indexes)
    }

    /// Whether the rule matches `event`; the fields it matched on are appended to `matched`.
    func evaluate(_ event: Event, into matched: inout [MatchedSlice]) -> Bool {
        evaluate(condition, event, isPositive: true, into: &matched)
    }

    /// Evaluates `condition`. `isPositive` is false under an odd number of `not`s: there, a
    /// selection that holds counts against the match, so its fields are not collected.
    /// Fields collected by a part whose result does not help the match are dropped again.
    private func evaluate(_ condition: CompiledCondition, _ event: Event, isPositive: Bool,
                          into matched: inout [MatchedSlice]) -> Bool {
        let mark = matched.count
        let result: Bool
        switch condition {
        case .selection(let index):
            result = selections[index].evaluate(event, collect: isPositive, into: &matched)
        case .not(let operand):
            result = !evaluate(operand, event, isPositive: !isPositive, into: &matched)
        case .and(let left, let right):
            result = evaluate(left, event, isPositive: isPositive, into: &matched)
                && evaluate(right, event, isPositive: isPositive, into: &matched)
        case .or(let left, let right):
            result = evaluate(left, event, isPositive: isPositive, into: &matched)
                || evaluate(right, event, isPositive: isPositive, into: &matched)
        case .any(let indexes):
            result = indexes.contains { selections[$0].evaluate(event, collect: isPositive, into: &matched) }
        case .all(let indexes):
            result = indexes.allSatisfy { selections[$0].evaluate(event, collect: isPositive, into: &matched) }
        case .never:
            result = false
        }
        if result != isPositive, matched.count > mark {
            matched.removeSubrange(mark...)
        }
        return result
    }
}
