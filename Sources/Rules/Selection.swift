/// One Sigma search identifier: field predicates combined as the YAML shape says.
///
/// A map is one alternative whose predicates must all hold (AND); a list of maps is several
/// alternatives of which one must hold (OR). Keywords (a list of strings) become one
/// alternative with one predicate on `MESSAGE`.
public struct Selection: Sendable {
    /// The alternatives, OR-ed; the predicates inside one alternative are AND-ed.
    public let alternatives: [[FieldPredicate]]

    /// Makes a selection.
    /// - Parameters:
    ///   - alternatives: OR over the outer list, AND within each inner list.
    public init(alternatives: [[FieldPredicate]]) {
        self.alternatives = alternatives
    }
}
