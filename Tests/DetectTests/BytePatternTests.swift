import Rules
import Testing
@testable import Detect

extension BytePattern {
    /// The pattern of a Sigma value with these modifiers, as `ValueCompiler` builds it without encodings.
    fileprivate init(_ text: String, modifiers: [Modifier]) {
        self.init(elements: BytePattern.placed(BytePattern.elements(of: Array(text.utf8)), modifiers: modifiers),
                  isCaseSensitive: modifiers.contains(.cased))
    }
}

@Suite struct BytePatternTests {
    @Test func resolvesEscapesAsTheSpecificationSays() {
        func elements(_ text: String) -> [BytePattern.Element] { BytePattern.elements(of: Array(text.utf8)) }
        func byte(_ character: Character) -> BytePattern.Element { .byte(character.asciiValue ?? 0) }
        #expect(elements(#"a*"#) == [byte("a"), .anyRun])
        #expect(elements(#"a?"#) == [byte("a"), .anyByte])
        #expect(elements(#"\*"#) == [byte("*")])
        #expect(elements(#"\?"#) == [byte("?")])
        #expect(elements(#"\\"#) == [byte("\\")])
        #expect(elements(#"\a"#) == [byte("\\"), byte("a")])
        #expect(elements(#"\\*"#) == [byte("\\"), .anyRun])
        #expect(elements(#"\\\*"#) == [byte("\\"), byte("*")])
        #expect(elements(#"\\\a"#) == [byte("\\"), byte("\\"), byte("a")])
        #expect(elements(#"\\\\"#) == [byte("\\"), byte("\\")])
        #expect(elements(#"a\"#) == [byte("a"), byte("\\")])
        #expect(elements("a**b") == [byte("a"), .anyRun, byte("b")])
    }

    @Test func modifiersAddWildcards() {
        #expect(BytePattern("x", modifiers: []).segments.count == 1)
        #expect(BytePattern("x", modifiers: [.contains]).segments.map(\.count) == [0, 1, 0])
        #expect(BytePattern("x", modifiers: [.startswith]).segments.map(\.count) == [1, 0])
        #expect(BytePattern("x", modifiers: [.endswith]).segments.map(\.count) == [0, 1])
        #expect(BytePattern("*x*", modifiers: [.contains]).segments.map(\.count) == [0, 1, 0])
        #expect(BytePattern("AbC", modifiers: []).segments[0].bytes == Array("abc".utf8))
        #expect(BytePattern("AbC", modifiers: [.cased]).segments[0].bytes == Array("AbC".utf8))
    }

    /// Agrees with a plain recursive matcher on many random short patterns and values.
    @Test func agreesWithAReferenceMatcher() {
        var random = SplitMix64(seed: 42)
        let patternAlphabet: [UInt8] = Array("aAb*?\\".utf8)
        let valueAlphabet: [UInt8] = Array("aAbB*?\\".utf8) + [0, 0xFF]
        for _ in 0..<20_000 {
            let patternBytes = (0..<random.next(upTo: 8)).map { _ in patternAlphabet[random.next(upTo: patternAlphabet.count)] }
            let value = (0..<random.next(upTo: 10)).map { _ in valueAlphabet[random.next(upTo: valueAlphabet.count)] }
            let isCased = random.next(upTo: 2) == 0
            let elements = BytePattern.elements(of: patternBytes)
            let pattern = BytePattern(elements: elements, isCaseSensitive: isCased)
            let expected = referenceMatch(elements[...], value[...], isCased: isCased)
            #expect(pattern.matches(value[...]) == expected,
                    "pattern \(String(decoding: patternBytes, as: UTF8.self)) value \(value) cased \(isCased)")
        }
    }

    /// Exponential but obviously correct.
    private func referenceMatch(_ pattern: ArraySlice<BytePattern.Element>, _ value: ArraySlice<UInt8>,
                                isCased: Bool) -> Bool {
        guard let first = pattern.first else { return value.isEmpty }
        switch first {
        case .anyRun:
            return (0...value.count).contains {
                referenceMatch(pattern.dropFirst(), value.dropFirst($0), isCased: isCased)
            }
        case .anyByte:
            return !value.isEmpty && referenceMatch(pattern.dropFirst(), value.dropFirst(), isCased: isCased)
        case .byte(let byte):
            guard let head = value.first else { return false }
            let equal = isCased ? head == byte : lower(head) == lower(byte)
            return equal && referenceMatch(pattern.dropFirst(), value.dropFirst(), isCased: isCased)
        }
    }

    private func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

/// A small deterministic random number generator, so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A number in `0..<bound`.
    mutating func next(upTo bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
