import Rules

/// A Sigma string value compiled for matching bytes: literal bytes, `?` (one byte) and
/// `*` (any run of bytes), compared with ASCII case folding unless `cased`.
///
/// The pattern is split at its `*`s into segments. The first segment must match at the start,
/// the last at the end, and the middle ones are found leftmost-first in order: this is exact
/// for `*`/`?` patterns and never backtracks, so matching takes at most
/// O(value length × pattern length).
struct BytePattern: Sendable {
    /// The parts between `*`s; one segment when the pattern has no `*`.
    let segments: [PatternSegment]
    /// Whether bytes compare exactly (the `cased` modifier).
    let isCaseSensitive: Bool
    /// The shortest value that can match: the total length of the segments.
    let minimumLength: Int

    /// One element of a pattern after escapes are resolved.
    enum Element: Equatable {
        case byte(UInt8)
        case anyByte
        case anyRun
    }


    /// Builds the pattern from resolved elements.
    init(elements: [Element], isCaseSensitive: Bool) {
        var segments: [PatternSegment] = []
        var bytes: [UInt8] = []
        var isAnyByte: [Bool] = []
        func finishSegment() {
            segments.append(PatternSegment(bytes: bytes, isAnyByte: isAnyByte.contains(true) ? isAnyByte : nil))
            bytes = []
            isAnyByte = []
        }
        var previous: Element? = nil
        for element in elements {
            defer { previous = element }
            switch element {
            case .byte(let byte):
                bytes.append(isCaseSensitive ? byte : ASCIICase.lowercased(byte))
                isAnyByte.append(false)
            case .anyByte:
                bytes.append(0)
                isAnyByte.append(true)
            case .anyRun where previous == .anyRun:
                break  // `**` is `*`.
            case .anyRun:
                finishSegment()
            }
        }
        finishSegment()
        self.segments = segments
        self.isCaseSensitive = isCaseSensitive
        self.minimumLength = segments.reduce(0) { $0 + $1.count }
    }

    /// `elements` with the wildcards a placement modifier adds: `*` before for `contains` and
    /// `endswith`, after for `contains` and `startswith`.
    static func placed(_ elements: [Element], modifiers: [Modifier]) -> [Element] {
        var elements = elements
        if modifiers.contains(.contains) || modifiers.contains(.endswith) { elements.insert(.anyRun, at: 0) }
        if modifiers.contains(.contains) || modifiers.contains(.startswith) { elements.append(.anyRun) }
        return elements
    }

    /// Resolves Sigma escapes: `\*`, `\?` and `\\` are the plain character; a backslash before
    /// any other character, or at the end, is a plain backslash.
    static func elements(of bytes: [UInt8]) -> [Element] {
        let backslash = UInt8(ascii: "\\")
        let star = UInt8(ascii: "*")
        let question = UInt8(ascii: "?")
        var elements: [Element] = []
        elements.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == backslash, index + 1 < bytes.count, [star, question, backslash].contains(bytes[index + 1]) {
                elements.append(.byte(bytes[index + 1]))
                index += 2
                continue
            }
            switch byte {
            case star:
                if elements.last != .anyRun { elements.append(.anyRun) }
            case question:
                elements.append(.anyByte)
            default:
                elements.append(.byte(byte))
            }
            index += 1
        }
        return elements
    }

    /// Whether the whole of `value` matches.
    func matches(_ value: ArraySlice<UInt8>) -> Bool {
        guard value.count >= minimumLength else { return false }
        return value.withUnsafeBufferPointer { matches($0) }
    }

    /// Whether the whole of `input` matches.
    func matches(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        // `segments` always has at least one element: `init` appends the last one unconditionally.
        let first = segments[0]
        guard segments.count > 1 else {
            return input.count == first.count && first.matches(input, at: 0, isCaseSensitive: isCaseSensitive)
        }
        let last = segments[segments.count - 1]
        guard input.count >= minimumLength,
              first.matches(input, at: 0, isCaseSensitive: isCaseSensitive),
              last.matches(input, at: input.count - last.count, isCaseSensitive: isCaseSensitive)
        else { return false }
        var position = first.count
        let end = input.count - last.count
        for middle in segments[1..<(segments.count - 1)] {
            guard let found = middle.firstMatch(in: input, from: position, to: end, isCaseSensitive: isCaseSensitive)
            else { return false }
            position = found + middle.count
        }
        return true
    }
}
