/// The Sigma `logsource` of a rule: which kind of log the rule was written for.
///
/// The engine runs a rule only on the journal entries its log source maps to
/// (`LogSourceMapping`).
public struct LogSource: Sendable, Hashable {
    /// The product, e.g. `linux`.
    public var product: String?
    /// The service, e.g. `sshd` or `auditd`.
    public var service: String?
    /// The category, e.g. `process_creation`.
    public var category: String?
    /// The `definition`: what must be configured for the log to exist, as free text.
    public var definition: String?

    /// Makes a log source; every part is optional.
    /// - Parameters:
    ///   - product: the `product` key.
    ///   - service: the `service` key.
    ///   - category: the `category` key.
    ///   - definition: the `definition` key.
    public init(product: String? = nil, service: String? = nil, category: String? = nil, definition: String? = nil) {
        self.product = product
        self.service = service
        self.category = category
        self.definition = definition
    }
}

extension LogSource: CustomStringConvertible {
    /// `product:linux service:sshd`, the parts there are, in Sigma's order; `any` for none.
    public var description: String {
        let parts = [("category", category), ("product", product), ("service", service)]
            .compactMap { key, value in value.map { "\(key):\($0)" } }
        return parts.isEmpty ? "any" : parts.joined(separator: " ")
    }
}
