import Parse

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`) for the `cidr` modifier.
///
/// Field addresses are read with `IPAddress` (strict, no allocation). An IPv4-mapped IPv6
/// address (`::ffff:10.1.2.3`) is compared as the IPv4 address it carries, so it matches IPv4
/// networks; a zone (`fe80::1%eth0`) is ignored.
public struct IPNetwork: Sendable, Hashable {
    /// The network address.
    let address: IPAddress
    /// The prefix length in bits.
    let prefixLength: Int

    /// Parses `10.0.0.0/8`; an address without `/n` is a single host. Host bits may be set;
    /// they are ignored.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(Array(parts[0].utf8)[...])?.unmapped else { return nil }
        let bits = address.isIPv4 ? 32 : 128
        var length = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value) else { return nil }
            length = value
        }
        self.address = address
        self.prefixLength = length
    }

    /// Whether the address written in `text` is inside the network.
    public func contains(_ text: ArraySlice<UInt8>) -> Bool {
        guard let candidate = IPAddress(text)?.unmapped else { return false }
        return contains(candidate)
    }

    /// Whether `candidate` (IPv4-mapped addresses unmapped) is inside the network.
    func contains(_ candidate: IPAddress) -> Bool {
        candidate.sharesPrefix(with: address, length: prefixLength)
    }
}
