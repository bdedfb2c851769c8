import Rules

/// A `Condition` with selection names resolved to indexes into the rule's compiled selections.
indirect enum CompiledCondition: Sendable {
    case selection(Int)
    case not(CompiledCondition)
    case and(CompiledCondition, CompiledCondition)
    case or(CompiledCondition, CompiledCondition)
    /// `1 of`: any of these selections.
    case any([Int])
    /// `all of`: every one of these selections.
    case all([Int])
    /// A name or pattern that resolves to no selection (only in rules not made by the loader).
    case never

    /// Resolves `condition` against `detection`, whose selections are numbered by `indexes`.
    init(_ condition: Condition, detection: Detection, indexes: [String: Int]) {
        func resolve(_ pattern: String) -> [Int] {
            detection.selectionNames(matching: pattern).compactMap { indexes[$0] }
        }
        switch condition {
        case .selection(let name):
            self = indexes[name].map(CompiledCondition.selection) ?? .never
        case .not(let operand):
            self = .not(CompiledCondition(operand, detection: detection, indexes: indexes))
        case .and(let left, let right):
            self = .and(CompiledCondition(left, detection: detection, indexes: indexes),
                        CompiledCondition(right, detection: detection, indexes: indexes))
        case .or(let left, let right):
            self = .or(CompiledCondition(left, detection: detection, indexes: indexes),
                       CompiledCondition(right, detection: detection, indexes: indexes))
        case .oneOf(let pattern):
            let selected = resolve(pattern)
            self = selected.isEmpty ? .never : .any(selected)
        case .allOf(let pattern):
            let selected = resolve(pattern)
            self = selected.isEmpty ? .never : .all(selected)
        }
    }
}
