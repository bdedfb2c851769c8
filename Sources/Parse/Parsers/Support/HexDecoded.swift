/// The bytes a run of hex digits encodes (`2F746D70` → `/tmp`), decoded as they are read so
/// that appending them to `ParsedFields` needs no intermediate buffer.
struct HexDecoded: RandomAccessCollection {
    /// The hex digits, an even number of them.
    let digits: ArraySlice<UInt8>
    /// Whether NUL bytes read as spaces (a process title's arguments are NUL-separated).
    let nulAsSpace: Bool

    /// Decodes `digits`, or returns nil when they are not an even, non-empty run of hex digits.
    init?(_ digits: ArraySlice<UInt8>, nulAsSpace: Bool = false) {
        guard HexDecoded.isHex(digits) else { return nil }
        self.digits = digits
        self.nulAsSpace = nulAsSpace
    }

    /// Whether `text` is a non-empty, even-length run of hex digits.
    static func isHex(_ text: ArraySlice<UInt8>) -> Bool {
        !text.isEmpty && text.count % 2 == 0 && text.allSatisfy(Bytes.isHexDigit)
    }

    var startIndex: Int { 0 }
    var endIndex: Int { digits.count / 2 }

    subscript(position: Int) -> UInt8 {
        let high = digits[digits.startIndex + 2 * position]
        let low = digits[digits.startIndex + 2 * position + 1]
        let byte = Bytes.hexValue(high) << 4 | Bytes.hexValue(low)
        return nulAsSpace && byte == 0 ? Bytes.space : byte
    }
}
