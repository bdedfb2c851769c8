/// Checks that bytes spell an IP address, so that a parser never reports text an attacker
/// slipped into an address position as `SourceIp`.
///
/// Strict, like `inet_pton`: IPv4 is a dotted quad without leading zeros; IPv6 is eight
/// groups of one to four hex digits, one `::` at most, an optional dotted quad in the last
/// 32 bits and an optional `%zone` (sshd prints link-local peers as `fe80::1%eth0`).
enum IPAddressSyntax {
    /// Whether `text` is an IPv4 or IPv6 address.
    static func isValid(_ text: ArraySlice<UInt8>) -> Bool {
        isIPv4(text) || isIPv6(text)
    }

    /// Whether `text` is a dotted-quad IPv4 address.
    static func isIPv4(_ text: ArraySlice<UInt8>) -> Bool {
        guard text.count >= 7, text.count <= 15 else { return false }
        var parts = 0
        var partStart = text.startIndex
        for index in text.startIndex...text.endIndex {
            guard index == text.endIndex || text[index] == UInt8(ascii: ".") else { continue }
            let part = text[partStart..<index]
            guard part.count >= 1, part.count <= 3, part.decimalValue(limit: 255) != nil,
                  part.count == 1 || part.first != Bytes.zero
            else { return false }
            parts += 1
            partStart = index + 1
        }
        return parts == 4
    }

    /// Whether `text` is an IPv6 address, with an optional zone.
    static func isIPv6(_ text: ArraySlice<UInt8>) -> Bool {
        var address = text
        if let percent = text.firstIndex(of: UInt8(ascii: "%")) {
            let zone = text[(percent + 1)...]
            guard !zone.isEmpty, zone.count <= 64,
                  zone.allSatisfy({ Bytes.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
            else { return false }
            address = text[..<percent]
        }
        guard address.count >= 2, address.count <= 45 else { return false }
        let doubleColon: [UInt8] = [Bytes.colon, Bytes.colon]
        if let compressed = address.rangeOfFirst(doubleColon) {
            guard address.rangeOfFirst(doubleColon, from: compressed.lowerBound + 1) == nil,
                  let head = groupCount(address[..<compressed.lowerBound], allowsIPv4: false),
                  let tail = groupCount(address[compressed.upperBound...], allowsIPv4: true)
            else { return false }
            return head + tail <= 7
        }
        return groupCount(address, allowsIPv4: true) == 8
    }

    /// The number of 16-bit groups in a colon-separated run (an empty run has none), or nil
    /// when a group is malformed. A trailing dotted quad counts as two groups.
    private static func groupCount(_ run: ArraySlice<UInt8>, allowsIPv4: Bool) -> Int? {
        guard !run.isEmpty else { return 0 }
        var groups = 0
        var groupStart = run.startIndex
        for index in run.startIndex...run.endIndex {
            guard index == run.endIndex || run[index] == Bytes.colon else { continue }
            let group = run[groupStart..<index]
            if index == run.endIndex, allowsIPv4, group.contains(byte: UInt8(ascii: ".")) {
                guard isIPv4(group) else { return nil }
                return groups + 2
            }
            guard group.count >= 1, group.count <= 4, group.allSatisfy(Bytes.isHexDigit) else { return nil }
            groups += 1
            groupStart = index + 1
        }
        return groups
    }
}
