/// A run of pattern bytes between two `*` wildcards: literal bytes and `?` (any one byte).
struct PatternSegment: Sendable {
    /// The bytes to compare, already lower-cased when the pattern is case-insensitive.
    let bytes: [UInt8]
    /// For each byte, whether it is a `?` that matches any byte; nil when there is no `?`.
    let isAnyByte: [Bool]?

    /// The segment's length in bytes.
    var count: Int { bytes.count }

    /// Whether the segment matches `input` starting at `start`; the caller ensures it fits.
    @inline(__always)
    func matches(_ input: UnsafeBufferPointer<UInt8>, at start: Int, isCaseSensitive: Bool) -> Bool {
        if let isAnyByte {
            for index in 0..<bytes.count where !isAnyByte[index] {
                let byte = isCaseSensitive ? input[start + index] : ASCIICase.lowercased(input[start + index])
                if byte != bytes[index] { return false }
            }
            return true
        }
        if isCaseSensitive {
            for index in 0..<bytes.count where input[start + index] != bytes[index] { return false }
        } else {
            for index in 0..<bytes.count where ASCIICase.lowercased(input[start + index]) != bytes[index] {
                return false
            }
        }
        return true
    }

    /// The first position in `start...end - count` where the segment matches, or nil.
    func firstMatch(in input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                    isCaseSensitive: Bool) -> Int? {
        guard end - start >= bytes.count else { return nil }
        if bytes.isEmpty { return start }
        for position in start...(end - bytes.count)
        where matches(input, at: position, isCaseSensitive: isCaseSensitive) {
            return position
        }
        return nil
    }
}
