/// ASCII case folding on bytes, for Sigma's case-insensitive matching.
///
/// Only `A`–`Z` fold; every other byte, including UTF-8 sequences and invalid bytes, is itself.
enum ASCIICase {
    /// The byte with `A`–`Z` mapped to `a`–`z`.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}
