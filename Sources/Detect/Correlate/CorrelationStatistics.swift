/// How much correlation state is held, per rule and in all.
public struct CorrelationStatistics: Sendable, Equatable {
    /// One rule's numbers.
    public struct Rule: Sendable, Equatable {
        /// The rule's `id`.
        public let identifier: String
        /// Groups held now.
        public let groups: Int
        /// Groups evicted at the cap since the state was made or restored.
        public let evictions: Int
    }

    /// Per rule, in the correlator's order.
    public let rules: [Rule]
    /// Groups held by all rules.
    public var groups: Int { rules.reduce(0) { $0 + $1.groups } }
    /// Evictions of all rules.
    public var evictions: Int { rules.reduce(0) { $0 + $1.evictions } }
}
