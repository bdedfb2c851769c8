/// The Sigma `logsource` of a rule: which kind of log the rule was written for.
///
/// Cordon reads every rule against every journal entry; the log source is kept for display
/// and for later filtering.
public struct LogSource: Sendable, Hashable {
    /// The product, e.g. `linux`.
    public var product: String?
    /// The service, e.g. `sshd` or `auditd`.
    public var service: String?
    /// The category, e.g. `process_creation`.
    public var category: String?

    /// Makes a log source; every part is optional.
    /// - Parameters:
    ///   - product: the `product` key.
    ///   - service: the `service` key.
    ///   - category: the `category` key.
    public init(product: String? = nil, service: String? = nil, category: String? = nil) {
        self.product = product
        self.service = service
        self.category = category
    }
}
