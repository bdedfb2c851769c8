import Rules

/// Sigma's encoding modifiers as pure transforms, computed as pySigma computes them.
///
/// A value is a sequence of pattern elements (bytes and wildcards). The UTF-16 encodings and
/// `windash` keep wildcards; Base64 needs a plain value (wildcards cannot be encoded).
enum ValueEncoding {
    /// The dash-like characters `windash` swaps: `-`, `/`, en dash, em dash, horizontal bar.
    static let dashes: [[UInt8]] = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"].map { Array($0.utf8) }
    /// The most variants `windash` may produce (5 dashes in a value = 3,125).
    static let windashLimit = 3125

    /// Applies the encoding `modifier` to every value in `values`.
    static func apply(_ modifier: Modifier, to values: [[BytePattern.Element]]) throws(ValueCompiler.Problem) -> [[BytePattern.Element]] {
        var output: [[BytePattern.Element]] = []
        for value in values {
            switch modifier {
            case .base64: output.append(bytes(base64(try plain(value, modifier))))
            case .base64offset: output += base64Offsets(try plain(value, modifier)).map(bytes)
            case .wide, .utf16le: output.append(utf16(value, bigEndian: false))
            case .utf16be: output.append(utf16(value, bigEndian: true))
            case .utf16: output.append(bytes([0xff, 0xfe]) + utf16(value, bigEndian: false))
            case .windash: output += try windash(value)
            default: output.append(value)
            }
        }
        return output
    }

    /// The value's bytes; a wildcard is an error.
    private static func plain(_ value: [BytePattern.Element], _ modifier: Modifier) throws(ValueCompiler.Problem) -> [UInt8] {
        var bytes: [UInt8] = []
        for element in value {
            guard case .byte(let byte) = element else {
                throw ValueCompiler.Problem(message: "'\(modifier.rawValue)' cannot encode a value with wildcards",
                              hint: "escape '*' and '?' as '\\*' and '\\?', or put 'contains' after '\(modifier.rawValue)'")
            }
            bytes.append(byte)
        }
        return bytes
    }

    private static func bytes(_ bytes: [UInt8]) -> [BytePattern.Element] {
        bytes.map(BytePattern.Element.byte)
    }

    /// Standard Base64 (RFC 4648) with `=` padding, as Python's `base64.b64encode`.
    static func base64(_ input: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let chunk = input[index..<min(index + 3, input.count)]
            let b0 = Int(chunk[chunk.startIndex])
            let b1 = chunk.count > 1 ? Int(chunk[chunk.startIndex + 1]) : 0
            let b2 = chunk.count > 2 ? Int(chunk[chunk.startIndex + 2]) : 0
            output.append(alphabet[b0 >> 2])
            output.append(alphabet[(b0 & 3) << 4 | b1 >> 4])
            output.append(chunk.count > 1 ? alphabet[(b1 & 15) << 2 | b2 >> 6] : UInt8(ascii: "="))
            output.append(chunk.count > 2 ? alphabet[b2 & 63] : UInt8(ascii: "="))
            index += 3
        }
        return output
    }

    /// The three forms the value takes inside longer Base64 text, one per byte offset, with the
    /// characters that depend on the neighbouring bytes cut off (pySigma's `base64offset`).
    static func base64Offsets(_ value: [UInt8]) -> [[UInt8]] {
        let startOffsets = [0, 2, 3]
        let endOffsets = [0, -3, -2]
        return (0..<3).map { shift in
            let encoded = base64(Array(repeating: UInt8(ascii: " "), count: shift) + value)
            let end = endOffsets[(value.count + shift) % 3]
            let upper = encoded.count + end
            guard startOffsets[shift] <= upper else { return [] }
            return Array(encoded[startOffsets[shift]..<upper])
        }
    }

    /// Each literal character as UTF-16 code units (little- or big-endian); wildcards stay.
    static func utf16(_ value: [BytePattern.Element], bigEndian: Bool) -> [BytePattern.Element] {
        var output: [BytePattern.Element] = []
        var literal: [UInt8] = []
        func flush() {
            for unit in String(decoding: literal, as: UTF8.self).utf16 {
                let high = UInt8(unit >> 8), low = UInt8(unit & 0xff)
                output += bigEndian ? [.byte(high), .byte(low)] : [.byte(low), .byte(high)]
            }
            literal = []
        }
        for element in value {
            if case .byte(let byte) = element {
                literal.append(byte)
            } else {
                flush()
                output.append(element)
            }
        }
        flush()
        return output
    }

    /// Every combination of dash characters at each position where the value has a flag dash:
    /// a `-` or `/` that starts a word (pySigma's `\B[-/]\b`: no word character before it, one after).
    static func windash(_ value: [BytePattern.Element]) throws(ValueCompiler.Problem) -> [[BytePattern.Element]] {
        func isWord(_ index: Int) -> Bool {
            guard value.indices.contains(index), case .byte(let byte) = value[index] else { return false }
            return byte == UInt8(ascii: "_") || (byte < 0x80 && (Character(Unicode.Scalar(byte)).isLetter
                || Character(Unicode.Scalar(byte)).isNumber))
        }
        var variants: [[BytePattern.Element]] = [[]]
        for (index, element) in value.enumerated() {
            if case .byte(let byte) = element, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/"),
               !isWord(index - 1), isWord(index + 1) {
                variants = variants.flatMap { prefix in dashes.map { prefix + bytes($0) } }
                guard variants.count <= windashLimit else {
                    throw ValueCompiler.Problem(message: "'windash' would make more than \(windashLimit) variants",
                                  hint: "split the value into several shorter values")
                }
            } else {
                variants = variants.map { $0 + [element] }
            }
        }
        return variants
    }
}
