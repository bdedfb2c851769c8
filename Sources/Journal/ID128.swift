import CSystemd

/// A 128-bit id as sd-id128 has it (boot ids, machine ids), kept as two integers and formatted
/// as 32 lower-case hex digits only when asked.
///
/// The journal reader gets an entry's boot id with every entry; keeping it as bytes saves a
/// `String` per entry that only an alert ever shows.
public struct ID128: Hashable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian: the first 16 hex digits.
    public let high: UInt64
    /// The last 8 bytes, big-endian: the last 16 hex digits.
    public let low: UInt64

    /// The all-zero id (`SD_ID128_NULL`).
    public static let zero = ID128(high: 0, low: 0)

    /// An id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses 32 hex digits (either case), as `sd_id128_to_string` writes them.
    /// Returns nil for anything else, the dashed UUID form included.
    public init?(_ text: String) {
        guard text.utf8.count == 32 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, digit) in text.utf8.enumerated() {
            let value: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = digit - UInt8(ascii: "A") + 10
            default: return nil
            }
            if index < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
        }
        self.init(high: high, low: low)
    }

    /// An id from its 16 bytes in order (the layout of `sd_id128_t`).
    init(bytes: UnsafeRawBufferPointer) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
        self.init(high: high, low: low)
    }

    /// 32 lower-case hex digits, as `sd_id128_to_string` writes them.
    public var description: String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 32) { buffer in
            digits.withUTF8Buffer { hex in
                for index in 0..<16 {
                    let half = index < 8 ? high : low
                    let byte = UInt8(truncatingIfNeeded: half >> (UInt64(7 - index % 8) * 8))
                    buffer[2 * index] = hex[Int(byte >> 4)]
                    buffer[2 * index + 1] = hex[Int(byte & 0xf)]
                }
            }
            return 32
        }
    }
}

extension ID128 {
    /// The id of the boot this process runs in (`sd_id128_get_boot`), or nil when it cannot be read.
    public static var currentBoot: ID128? {
        var id = sd_id128_t()
        guard sd_id128_get_boot(&id) >= 0 else { return nil }
        return withUnsafeBytes(of: &id) { ID128(bytes: $0) }
    }
}

extension ID128 {
    /// The id of this machine, `/etc/machine-id` (`sd_id128_get_machine`), or nil when it cannot
    /// be read. In fleet mode it tells this machine's alerts from remote hosts' ones.
    public static var currentMachine: ID128? {
        var id = sd_id128_t()
        guard sd_id128_get_machine(&id) >= 0 else { return nil }
        return withUnsafeBytes(of: &id) { ID128(bytes: $0) }
    }
}
