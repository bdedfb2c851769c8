/// The parsed Sigma `condition` of a detection.
///
/// `not` binds tighter than `and`, which binds tighter than `or`: `a or b and not c` is
/// `.or(a, .and(b, .not(c)))`.
public indirect enum Condition: Sendable, Hashable {
    /// A selection by name.
    case selection(String)
    /// True when the operand is false.
    case not(Condition)
    /// True when both operands are.
    case and(Condition, Condition)
    /// True when either operand is.
    case or(Condition, Condition)
    /// `1 of pattern`: any selection whose name matches the `*` pattern; `1 of them` is pattern `*`.
    case oneOf(pattern: String)
    /// `all of pattern`: every selection whose name matches; `all of them` is pattern `*`.
    case allOf(pattern: String)

    /// The pattern that `them` stands for.
    public static let themPattern = "*"
}

extension Condition: CustomStringConvertible {
    /// The condition with every operation in parentheses, e.g. `(a or (b and (not c)))`.
    public var description: String {
        switch self {
        case .selection(let name): name
        case .not(let operand): "(not \(operand))"
        case .and(let left, let right): "(\(left) and \(right))"
        case .or(let left, let right): "(\(left) or \(right))"
        case .oneOf(let pattern): "(1 of \(pattern == Condition.themPattern ? "them" : pattern))"
        case .allOf(let pattern): "(all of \(pattern == Condition.themPattern ? "them" : pattern))"
        }
    }

    /// Every selection name and `of` pattern the condition mentions, in reading order.
    var references: [Reference] {
        switch self {
        case .selection(let name): [.selection(name)]
        case .not(let operand): operand.references
        case .and(let left, let right), .or(let left, let right): left.references + right.references
        case .oneOf(let pattern), .allOf(let pattern): [.pattern(pattern)]
        }
    }

    /// Something a condition refers to.
    enum Reference: Sendable, Hashable {
        /// A selection named directly.
        case selection(String)
        /// The pattern of a `1 of` or `all of`.
        case pattern(String)
    }
}
