import Rules

/// What the model holds, for `cordon model show` and `export`.
extension AnomalyModel {
    /// One category as an operator sees it.
    public struct CategoryView: Sendable {
        /// 16 hex digits: `CORDON_CATEGORY`, and what `cordon model forget` takes.
        public let identifier: String
        public let source: String
        public let template: String
        public let count: UInt64
        public let firstSeen: UInt64
        public let lastSeen: UInt64
        public let example: String
        /// Whether its source is trusted (system units, kernel, audit, root) or a local user's.
        public let isTrusted: Bool
        /// Whether it was first seen during the learning period (else it is new since).
        public let isLearned: Bool
    }

    /// One remembered value: an executable, or a network a user logged in from.
    public struct ValueView: Sendable {
        /// What `cordon model forget` takes for it.
        public let value: String
        public let firstSeen: UInt64
        public let lastSeen: UInt64
        public let count: UInt64
        public let isLearned: Bool
    }

    /// One user's logins.
    public struct LoginView: Sendable {
        public let user: String
        public let firstSeen: UInt64
        public let networks: [ValueView]
        /// The hours (UTC) the user logged in at, as `08-17, 22`.
        public let hours: String
    }

    /// The end of the learning period of the first detector of `kind` (else of any detector).
    public func learningEnd(of kind: CorrelationRule.Kind) -> UInt64? {
        guard let detector = detectors.first(where: { $0.rule.kind == kind }) ?? detectors.first else { return nil }
        return learningEnd(detector)
    }

    /// Every category, by source then first seen.
    public func categoryViews() -> [CategoryView] {
        let end = learningEnd(of: .rareCategory) ?? .max
        var views: [CategoryView] = []
        for (miner, trusted) in [(miner, true), (userMiner, false)] {
            miner.forEachCategory { _, category in
                views.append(CategoryView(identifier: Self.hex(category.identifier), source: category.source, template: category.template,
                                          count: category.count, firstSeen: category.firstSeen, lastSeen: category.lastSeen,
                                          example: category.example, isTrusted: trusted, isLearned: category.firstSeen < end))
            }
        }
        return views.sorted { ($0.source, $0.firstSeen, $0.identifier) < ($1.source, $1.firstSeen, $1.identifier) }
    }

    /// Every executable remembered, by name.
    public func processViews() -> [ValueView] {
        let end = learningEnd(of: .rareProcess) ?? .max
        return processes.entries.map { _, seen in
            ValueView(value: seen.text, firstSeen: seen.firstSeen, lastSeen: seen.lastSeen, count: seen.count, isLearned: seen.firstSeen < end)
        }.sorted { $0.value < $1.value }
    }

    /// Every user's logins, by user.
    public func loginViews() -> [LoginView] {
        let end = learningEnd(of: .rareLogin) ?? .max
        return logins.entries.map { _, history in
            LoginView(user: history.user, firstSeen: history.firstSeen, networks: history.networks.map { network in
                ValueView(value: "\(history.user) from \(network.seen.text)", firstSeen: network.seen.firstSeen,
                          lastSeen: network.seen.lastSeen, count: network.seen.count, isLearned: network.seen.firstSeen < end)
            }, hours: Self.hours(history.hours))
        }.sorted { $0.user < $1.user }
    }

    /// Whether `value` is something the model knows: a category id, an executable, a
    /// `user from network` or a `user at HH:00` (for `cordon model forget` to warn about typos).
    public func knows(_ value: String) -> Bool {
        if categoryViews().contains(where: { $0.identifier == value }) { return true }
        if processViews().contains(where: { $0.value == value }) { return true }
        for login in loginViews() {
            if login.networks.contains(where: { $0.value == value }) { return true }
            if value.hasPrefix(login.user + " at ") { return true }
        }
        return false
    }
}
