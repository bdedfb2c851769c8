/// Recognises systemd unit names (`ssh.service`, `user@1000.service`, `dev-sda1.device`).
enum UnitName {
    private static let suffixes: [[UInt8]] = [
        "service", "socket", "target", "timer", "mount", "automount", "swap", "path", "slice", "scope", "device",
    ].map { Array($0.utf8) }

    /// The unit name at the start of `text` (`foo.service` in `foo.service - Foo`, or the
    /// whole text when it is just a name), or nil when there is none.
    static func leading(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let candidate = text.prefix { $0 != Bytes.space }
        guard candidate.endIndex == text.endIndex || text[candidate.endIndex...].hasPrefix(descriptionSeparator),
              isValid(candidate)
        else { return nil }
        return candidate
    }

    private static let descriptionSeparator = Bytes.of(" - ")

    /// Whether `name` is a unit name: systemd's character set, at most 255 bytes, and a known type suffix.
    static func isValid(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.count >= 3, name.count <= 255,
              name.allSatisfy({ Bytes.isAlphanumeric($0) || allowed.contains($0) }),
              let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > name.startIndex
        else { return false }
        let suffix = name[(dot + 1)...]
        return suffixes.contains { suffix.elementsEqual($0) }
    }

    private static let allowed: [UInt8] = [":", "-", "_", ".", "\\", "@"].map { UInt8(ascii: $0) }
}
