import Glibc

/// An IPv4 or IPv6 socket address from a SOCKADDR record's `saddr` (the `struct sockaddr`
/// bytes in hex, family in host byte order, port and address in network order).
struct SocketAddress {
    let address: [UInt8]
    let port: UInt16
    let isIPv6: Bool

    /// Reads `saddr`; nil for other families (`AF_UNIX`, `AF_NETLINK` …) and malformed text.
    init?(hex: ArraySlice<UInt8>) {
        guard let decoded = HexDecoded(hex) else { return nil }
        let bytes = Array(decoded)
        guard bytes.count >= 8 else { return nil }
        // x86_64, aarch64 and i386 are little-endian.
        let family = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        port = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        switch Int32(family) {
        case AF_INET:
            isIPv6 = false
            address = SocketAddress.text(family: AF_INET, bytes[4..<8])
        case AF_INET6 where bytes.count >= 24:
            isIPv6 = true
            address = SocketAddress.text(family: AF_INET6, bytes[8..<24])
        default:
            return nil
        }
    }

    private static func text(family: Int32, _ raw: ArraySlice<UInt8>) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok = Array(raw).withUnsafeBytes { source in
            buffer.withUnsafeMutableBufferPointer { inet_ntop(family, source.baseAddress, $0.baseAddress, socklen_t($0.count)) != nil }
        }
        guard ok else { return [] }
        return Array(buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) })
    }
}
