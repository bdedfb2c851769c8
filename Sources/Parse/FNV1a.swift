/// The 64-bit FNV-1a hash: the stable, dependency-free hash behind the correlation snapshot's
/// checksum, action ids and the short alert ids of `cordon alerts`. Values written with it are
/// kept on disk and shown to operators, so it must never change.
public struct FNV1a: Sendable {
    /// The standard offset basis.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The FNV prime for 64 bits.
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of the bytes added so far.
    public var value: UInt64 { state }
    @usableFromInline var state: UInt64

    @inlinable public init(basis: UInt64 = FNV1a.offsetBasis) {
        state = basis
    }

    /// Inlinable, so that callers in other modules get code specialised for their byte
    /// collection: the anomaly model hashes every entry's source with it.
    @inlinable public mutating func add<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes {
            state ^= UInt64(byte)
            state = state &* Self.prime
        }
    }

    /// The hash of `bytes`.
    @inlinable public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes, basis: UInt64 = offsetBasis) -> UInt64 {
        var hasher = FNV1a(basis: basis)
        hasher.add(bytes)
        return hasher.value
    }

    /// `value` as 16 lower-case hex digits.
    public static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
