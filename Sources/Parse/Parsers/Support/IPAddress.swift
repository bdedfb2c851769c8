/// An IPv4 or IPv6 address read from text, strictly, like `inet_pton`: IPv4 is a dotted
/// quad without leading zeros; IPv6 is eight groups of one to four hex digits, one `::` at
/// most, an optional dotted quad in the last 32 bits and an optional `%zone` (sshd prints
/// link-local peers as `fe80::1%eth0`; the zone is checked, then left out).
///
/// The one address reader of the project: parsers use it so that text an attacker slipped
/// into an address position is never reported as `SourceIp`, and the `cidr` modifier uses it
/// to compare a field with a network. Reading allocates nothing.
public struct IPAddress: Sendable, Hashable {
    /// Whether the address is IPv4; its 32 bits are then the low bits of `low`.
    public let isIPv4: Bool
    /// The first 64 bits of an IPv6 address; 0 for IPv4.
    public let high: UInt64
    /// The last 64 bits of an IPv6 address, or the IPv4 address.
    public let low: UInt64

    /// Makes an address from its bits.
    public init(isIPv4: Bool, high: UInt64, low: UInt64) {
        self.isIPv4 = isIPv4
        self.high = high
        self.low = low
    }

    /// Reads `text`; nil when it is not exactly one address.
    public init?(_ text: ArraySlice<UInt8>) {
        if let v4 = IPAddress.ipv4(text) {
            self.init(isIPv4: true, high: 0, low: UInt64(v4))
        } else if let (high, low) = IPAddress.ipv6(text) {
            self.init(isIPv4: false, high: high, low: low)
        } else {
            return nil
        }
    }

    /// The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) carries; otherwise the address itself.
    public var unmapped: IPAddress {
        guard !isIPv4, high == 0, low >> 32 == 0xffff else { return self }
        return IPAddress(isIPv4: true, high: 0, low: low & 0xffff_ffff)
    }

    /// Whether the first `length` bits of this address and `other` are equal (both of one family).
    public func sharesPrefix(with other: IPAddress, length: Int) -> Bool {
        guard isIPv4 == other.isIPv4 else { return false }
        /// The first `bits` bits of a 64-bit word set.
        func leading(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? ~0 : ~0 << UInt64(64 - bits) }
        if isIPv4 { return ((low ^ other.low) << 32) & leading(length) == 0 }
        return (high ^ other.high) & leading(length) == 0 && (low ^ other.low) & leading(length - 64) == 0
    }

    /// The value of a dotted quad, or nil.
    static func ipv4(_ text: ArraySlice<UInt8>) -> UInt32? {
        guard text.count >= 7, text.count <= 15 else { return nil }
        var parts = 0
        var value: UInt32 = 0
        var partStart = text.startIndex
        for index in text.startIndex...text.endIndex {
            guard index == text.endIndex || text[index] == UInt8(ascii: ".") else { continue }
            let part = text[partStart..<index]
            guard part.count >= 1, part.count <= 3, let number = part.decimalValue(limit: 255),
                  part.count == 1 || part.first != Bytes.zero
            else { return nil }
            value = value << 8 | UInt32(number)
            parts += 1
            partStart = index + 1
        }
        return parts == 4 ? value : nil
    }

    /// The 128 bits of an IPv6 address with an optional zone, or nil.
    static func ipv6(_ text: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        var address = text
        if let percent = text.firstIndex(of: UInt8(ascii: "%")) {
            let zone = text[(percent + 1)...]
            guard !zone.isEmpty, zone.count <= 64,
                  zone.allSatisfy({ Bytes.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
            else { return nil }
            address = text[..<percent]
        }
        guard address.count >= 2, address.count <= 45 else { return nil }
        let doubleColon: [UInt8] = [Bytes.colon, Bytes.colon]
        var groups = Groups()
        if let compressed = address.rangeOfFirst(doubleColon) {
            var tail = Groups()
            guard address.rangeOfFirst(doubleColon, from: compressed.lowerBound + 1) == nil,
                  groups.read(address[..<compressed.lowerBound], allowsIPv4: false),
                  tail.read(address[compressed.upperBound...], allowsIPv4: true),
                  groups.count + tail.count <= 7
            else { return nil }
            groups.append(zeros: 8 - groups.count - tail.count)
            groups.append(tail)
        } else {
            guard groups.read(address, allowsIPv4: true), groups.count == 8 else { return nil }
        }
        return (groups.high, groups.low)
    }

    /// Up to eight 16-bit groups, gathered into 128 bits.
    private struct Groups {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var count = 0

        mutating func append(_ group: UInt16) {
            high = high << 16 | low >> 48
            low = low << 16 | UInt64(group)
            count += 1
        }

        mutating func append(zeros: Int) {
            for _ in 0..<zeros { append(0) }
        }

        mutating func append(_ other: Groups) {
            for index in (0..<other.count).reversed() {
                let shift = UInt64(index * 16)
                append(UInt16(truncatingIfNeeded: shift >= 64 ? other.high >> (shift - 64) : other.low >> shift))
            }
        }

        /// Reads a colon-separated run (an empty run has no groups); a trailing dotted quad
        /// counts as two groups. False when a group is malformed or there are more than eight.
        mutating func read(_ run: ArraySlice<UInt8>, allowsIPv4: Bool) -> Bool {
            guard !run.isEmpty else { return true }
            var groupStart = run.startIndex
            for index in run.startIndex...run.endIndex {
                guard index == run.endIndex || run[index] == Bytes.colon else { continue }
                let group = run[groupStart..<index]
                if index == run.endIndex, allowsIPv4, group.contains(byte: UInt8(ascii: ".")) {
                    guard let v4 = IPAddress.ipv4(group) else { return false }
                    append(UInt16(v4 >> 16))
                    append(UInt16(v4 & 0xffff))
                    return count <= 8
                }
                guard group.count >= 1, group.count <= 4, group.allSatisfy(Bytes.isHexDigit) else { return false }
                var value: UInt16 = 0
                for byte in group { value = value << 4 | UInt16(Bytes.hexValue(byte)) }
                append(value)
                guard count <= 8 else { return false }
                groupStart = index + 1
            }
            return true
        }
    }
}
