/// Carries bytes that XML 1.0 forbids through an XML parser and back, unchanged.
///
/// Sysmon's values are whatever a process made them: an argument or a file name may hold
/// invalid UTF-8 or control characters. pugixml (which SysmonForLinux's outputxml.cpp uses)
/// copies such bytes as they are and writes a control character below 0x20 other than tab, LF
/// and CR as a two-digit reference such as `&#27;`; both make a conforming XML parser reject
/// the whole event, which would let anyone hide a process from every rule by adding one
/// such byte to its command line. So before parsing, each such byte, and each such reference,
/// becomes a marker: the code point U+10FF00 plus the byte, a character XML allows. After
/// parsing, `restored` turns every marker back into its byte. A real character in the marker
/// range is itself sent as the markers of its four UTF-8 bytes, so restoring is exact.
///
/// A raw carriage return becomes `&#13;`, which a parser keeps, where XML's end-of-line
/// handling would have turned it into a line feed.
enum SysmonXMLTransport {
    /// The first marker code point; the marker of byte `b` is `markerBase + b`.
    static let markerBase: UInt32 = 0x10FF00

    /// The input ready for an XML parser, or nil when it holds `<!` or `<?`: a DOCTYPE, an
    /// entity declaration, a comment, CDATA or a processing instruction, none of which Sysmon
    /// writes (pugixml escapes `<` in values). Refusing them up front rules out entity
    /// expansion and external entities whatever the parser's settings.
    static func encoded(_ input: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 8)
        var index = 0
        while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "<"):
                if index + 1 < input.count, input[index + 1] == UInt8(ascii: "!") || input[index + 1] == UInt8(ascii: "?") {
                    return nil
                }
                output.append(byte)
                index += 1
            case UInt8(ascii: "&"):
                if let reference = characterReference(input, at: index), needsMarkers(reference.value) {
                    appendMarkers(ofScalar: reference.value, to: &output)
                    index += reference.length
                } else {
                    output.append(byte)
                    index += 1
                }
            case 0x09, 0x0A:
                output.append(byte)
                index += 1
            case 0x0D:
                output += Array("&#13;".utf8)
                index += 1
            case 0..<0x20:
                appendMarker(byte, to: &output)
                index += 1
            case 0x20..<0x80:
                output.append(byte)
                index += 1
            default:
                if let scalar = decodeScalar(input, at: index), isXMLCharacter(scalar.value), !isMarker(scalar.value) {
                    output += input[index..<index + scalar.length]
                    index += scalar.length
                } else {
                    let length = decodeScalar(input, at: index)?.length ?? 1
                    for position in index..<index + length { appendMarker(input[position], to: &output) }
                    index += length
                }
            }
        }
        return output
    }

    /// `text` (as a parser reported it) with every marker turned back into its byte.
    static func restored(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard bytes.contains(0xF4) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + 3 < bytes.count, bytes[index] == 0xF4, bytes[index + 1] == 0x8F,
               (0xBC...0xBF).contains(bytes[index + 2]), bytes[index + 3] & 0xC0 == 0x80 {
                output.append((bytes[index + 2] - 0xBC) << 6 | (bytes[index + 3] & 0x3F))
                index += 4
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    /// Whether a character reference's value must travel as markers: a control character XML
    /// forbids, or a character in the marker range.
    private static func needsMarkers(_ value: UInt32) -> Bool {
        (value < 0x20 && !isXMLCharacter(value)) || isMarker(value)
    }

    /// Appends the marker of `byte`, the UTF-8 of U+10FF00 + `byte`.
    private static func appendMarker(_ byte: UInt8, to output: inout [UInt8]) {
        output += [0xF4, 0x8F, 0xBC | byte >> 6, 0x80 | byte & 0x3F]
    }

    /// Appends the markers of the bytes that stand for `value`: the byte itself below 0x80,
    /// else its UTF-8 bytes.
    private static func appendMarkers(ofScalar value: UInt32, to output: inout [UInt8]) {
        guard value >= 0x80, let scalar = Unicode.Scalar(value) else {
            appendMarker(UInt8(truncatingIfNeeded: value), to: &output)
            return
        }
        for byte in String(Character(scalar)).utf8 { appendMarker(byte, to: &output) }
    }

    /// Whether `value` is in the marker range U+10FF00…U+10FFFF.
    private static func isMarker(_ value: UInt32) -> Bool {
        value >= markerBase && value <= 0x10FFFF
    }

    /// Whether XML 1.0 allows the character (production `Char`).
    private static func isXMLCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// The value and length of a decimal or hexadecimal character reference (`&#27;`,
    /// `&#x1B;`) starting at `index`, or nil when there is none there.
    private static func characterReference(_ input: [UInt8], at index: Int) -> (value: UInt32, length: Int)? {
        var position = index + 1
        guard position < input.count, input[position] == UInt8(ascii: "#") else { return nil }
        position += 1
        let hexadecimal = position < input.count && input[position] == UInt8(ascii: "x")
        if hexadecimal { position += 1 }
        var value: UInt32 = 0
        var digits = 0
        while position < input.count, digits <= 8 {
            let byte = input[position]
            if byte == UInt8(ascii: ";") {
                return digits > 0 ? (value, position + 1 - index) : nil
            }
            if hexadecimal, Bytes.isHexDigit(byte) {
                value = value * 16 + UInt32(Bytes.hexValue(byte))
            } else if !hexadecimal, Bytes.isDigit(byte) {
                value = value * 10 + UInt32(byte - Bytes.zero)
            } else {
                return nil
            }
            // Past the last code point it is no character: left for the parser to refuse. Checked
            // per digit, so nine hex digits (`&#x410000000;`) cannot overflow `value` and trap.
            guard value <= 0x10FFFF else { return nil }
            digits += 1
            position += 1
        }
        return nil
    }

    /// The scalar value and length of the well-formed UTF-8 sequence starting at `index`
    /// (a non-ASCII lead byte), or nil when the bytes there are not one.
    private static func decodeScalar(_ input: [UInt8], at index: Int) -> (value: UInt32, length: Int)? {
        let lead = input[index]
        let length: Int
        let minimum: UInt32
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: (length, minimum, value) = (2, 0x80, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (length, minimum, value) = (3, 0x800, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (length, minimum, value) = (4, 0x10000, UInt32(lead & 0x07))
        default: return nil
        }
        guard index + length <= input.count else { return nil }
        for position in index + 1..<index + length {
            let continuation = input[position]
            guard continuation & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(continuation & 0x3F)
        }
        guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return nil }
        return (value, length)
    }
}
