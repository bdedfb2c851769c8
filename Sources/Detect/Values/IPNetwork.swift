/// An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`) for the `cidr` modifier.
///
/// Addresses are parsed from a field's bytes without building strings. An IPv4-mapped IPv6
/// address (`::ffff:10.1.2.3`) is treated as the IPv4 address it carries, so it matches IPv4
/// networks. A zone (`fe80::1%eth0`) is ignored.
struct IPNetwork: Sendable, Hashable {
    /// The network address: 4 bytes for IPv4, 16 for IPv6.
    let address: [UInt8]
    /// The prefix length in bits.
    let prefixLength: Int

    /// Parses `10.0.0.0/8`; an address without `/n` is a single host. Host bits may be set
    /// (as pySigma accepts them); they are ignored.
    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPNetwork.parse(Array(parts[0].utf8)[...]) else { return nil }
        let bits = address.count * 8
        var length = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value) else { return nil }
            length = value
        }
        self.address = address
        self.prefixLength = length
    }

    /// Whether the address written in `text` is inside the network.
    func contains(_ text: ArraySlice<UInt8>) -> Bool {
        guard let candidate = IPNetwork.parse(text), candidate.count == address.count else { return false }
        var remaining = prefixLength
        var index = 0
        while remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - remaining))
            if candidate[index] & mask != address[index] & mask { return false }
            remaining -= 8
            index += 1
        }
        return true
    }

    /// The bytes of an IPv4 or IPv6 address in text, or nil. IPv4-mapped IPv6 becomes IPv4.
    static func parse(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var text = text
        if let zone = text.firstIndex(of: UInt8(ascii: "%")) { text = text[..<zone] }
        guard !text.isEmpty, text.count <= 45 else { return nil }
        if !text.contains(UInt8(ascii: ":")) { return parseIPv4(text) }
        guard let bytes = parseIPv6(text) else { return nil }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff { return Array(bytes[12...]) }
        return bytes
    }

    /// `a.b.c.d` with each part 0–255 and no leading zeros beyond one digit's worth.
    static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        var value = 0
        var digits = 0
        for byte in text {
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            } else if byte == UInt8(ascii: "."), digits > 0, bytes.count < 3 {
                bytes.append(UInt8(value))
                value = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, bytes.count == 3 else { return nil }
        bytes.append(UInt8(value))
        return bytes
    }

    /// RFC 4291 text: groups of up to 4 hex digits, at most one `::`, an optional IPv4 tail.
    static func parseIPv6(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var index = text.startIndex
        if text.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            sawGap = true
            index += 2
            if index == text.endIndex { return Array(repeating: 0, count: 16) }
        }
        while index < text.endIndex {
            // An IPv4 tail takes the last 32 bits.
            let rest = text[index...]
            if rest.contains(UInt8(ascii: ".")), !rest.contains(UInt8(ascii: ":")) {
                guard let v4 = parseIPv4(rest) else { return nil }
                let words = [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
                if sawGap { tail += words } else { head += words }
                index = text.endIndex
                break
            }
            var value: UInt16 = 0
            var digits = 0
            while index < text.endIndex, let digit = hexValue(text[index]) {
                value = value << 4 | UInt16(digit)
                digits += 1
                index += 1
                guard digits <= 4 else { return nil }
            }
            guard digits > 0 else { return nil }
            if sawGap { tail.append(value) } else { head.append(value) }
            guard index < text.endIndex else { break }
            guard text[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            if index < text.endIndex, text[index] == UInt8(ascii: ":") {
                guard !sawGap else { return nil }
                sawGap = true
                index += 1
                if index == text.endIndex { break }
            } else if index == text.endIndex {
                return nil
            }
        }
        let count = head.count + tail.count
        guard sawGap ? count < 8 : count == 8 else { return nil }
        let words = head + Array(repeating: 0, count: 8 - count) + tail
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
