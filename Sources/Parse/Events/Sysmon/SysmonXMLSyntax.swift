/// A strict well-formedness check of a Sysmon document (as `SysmonXMLTransport.encoded` made
/// it), run before `XMLParser` sees it.
///
/// swift-corelibs-foundation's `XMLParser` leaks about 72 bytes for each error libxml2 reports
/// (`_structuredErrorFunc` → `_CFErrorCreateFromXMLInterface`), and anyone can log a malformed
/// message as `sysmon`: memory would grow with every such line (found by `make fuzz`, parsers
/// target). So only documents in the subset of XML that Sysmon writes reach the parser, which
/// then reports no error: one root element; tags with ASCII names (no namespace prefix) and
/// unique attributes in quotes (no `xmlns`); text and attribute values with references to `amp`, `lt`,
/// `gt`, `quot`, `apos` or a character XML allows; whitespace around the root. `<!` and `<?`
/// are refused before this, by `SysmonXMLTransport`. Every document refused here is one the
/// parser rejects too, or one Sysmon never writes (a non-ASCII or prefixed name).
enum SysmonXMLSyntax {
    /// Whether `document` is in the subset. Without recursion, so any bytes are fine.
    static func isWellFormed(_ document: [UInt8]) -> Bool {
        var scanner = Scanner(bytes: document)
        return scanner.document()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func document() -> Bool {
            skipSpace()
            var open: [ArraySlice<UInt8>] = []
            repeat {
                guard current == UInt8(ascii: "<") else { return false }
                index += 1
                if current == UInt8(ascii: "/") {
                    index += 1
                    guard let name = name(), let last = open.last, last.elementsEqual(name) else { return false }
                    skipSpace()
                    guard consume(UInt8(ascii: ">")) else { return false }
                    open.removeLast()
                } else {
                    guard let name = name(), let isEmpty = attributes() else { return false }
                    if !isEmpty { open.append(name) }
                }
                if open.isEmpty { break }
                guard text() else { return false }
            } while true
            skipSpace()
            return index == bytes.count
        }

        /// Reads the attributes and the end of a start tag; returns whether the element is
        /// empty (`/>`), nil when the tag is malformed.
        private mutating func attributes() -> Bool? {
            var names: [ArraySlice<UInt8>] = []
            while true {
                let spaced = skipSpace()
                if consume(UInt8(ascii: ">")) { return false }
                if consume(UInt8(ascii: "/")) { return consume(UInt8(ascii: ">")) ? true : nil }
                guard spaced, let name = name(), !name.elementsEqual(Self.namespace),
                      !names.contains(where: { $0.elementsEqual(name) }) else { return nil }
                names.append(name)
                skipSpace()
                guard consume(UInt8(ascii: "=")) else { return nil }
                skipSpace()
                guard let quote = current, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return nil }
                index += 1
                while let byte = current, byte != quote {
                    if byte == UInt8(ascii: "<") { return nil }
                    if byte == UInt8(ascii: "&") {
                        guard reference() else { return nil }
                    } else {
                        index += 1
                    }
                }
                guard consume(quote) else { return nil }
            }
        }

        /// Reads character data up to the next `<`; false for a bad reference, `]]>`, or the end.
        private mutating func text() -> Bool {
            while let byte = current, byte != UInt8(ascii: "<") {
                if byte == UInt8(ascii: "&") {
                    guard reference() else { return false }
                } else if byte == UInt8(ascii: "]"), bytes[index...].starts(with: Self.cdataEnd) {
                    return false
                } else {
                    index += 1
                }
            }
            return current != nil
        }

        /// `xmlns`: libxml2 warns about a relative namespace URI, and Sysmon writes no namespace.
        private static let namespace = Array("xmlns".utf8)
        private static let cdataEnd = Array("]]>".utf8)
        private static let entities = ["amp", "lt", "gt", "quot", "apos"].map { Array($0.utf8) }

        /// Reads `&name;` (a predefined entity) or `&#…;` / `&#x…;` (a character XML allows).
        private mutating func reference() -> Bool {
            index += 1  // &
            if consume(UInt8(ascii: "#")) {
                let hexadecimal = consume(UInt8(ascii: "x"))
                var value: UInt32 = 0
                var digits = 0
                while let byte = current, byte != UInt8(ascii: ";") {
                    if hexadecimal, Bytes.isHexDigit(byte) {
                        value = value &* 16 &+ UInt32(Bytes.hexValue(byte))
                    } else if !hexadecimal, Bytes.isDigit(byte) {
                        value = value &* 10 &+ UInt32(byte - Bytes.zero)
                    } else {
                        return false
                    }
                    digits += 1
                    guard digits <= 7 else { return false }
                    index += 1
                }
                guard digits > 0, consume(UInt8(ascii: ";")) else { return false }
                switch value {
                case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
                default: return false
                }
            }
            guard let name = name(), consume(UInt8(ascii: ";")) else { return false }
            return Self.entities.contains { $0.elementsEqual(name) }
        }

        /// Reads an ASCII name without a namespace prefix: a letter or `_`, then letters,
        /// digits, `_`, `-` and `.`.
        private mutating func name() -> ArraySlice<UInt8>? {
            let start = index
            while let byte = current, Self.isNameByte(byte, first: index == start) { index += 1 }
            return index > start ? bytes[start..<index] : nil
        }

        private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."): !first
            default: false
            }
        }

        /// Skips XML whitespace; returns whether there was any.
        @discardableResult
        private mutating func skipSpace() -> Bool {
            let start = index
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
            return index > start
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            guard current == byte else { return false }
            index += 1
            return true
        }
    }
}
