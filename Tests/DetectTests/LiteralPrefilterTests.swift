import Testing
@testable import Detect

@Suite struct LiteralPrefilterTests {
    private func found(_ patterns: [(String, Int)], in text: String) -> [Int] {
        let prefilter = LiteralPrefilter(patterns: patterns.map { (bytes: Array($0.0.utf8), id: $0.1) })
        var seen = prefilter.makePatternSet()
        prefilter.scan(Array(text.utf8), into: &seen)
        return seen.ids
    }

    @Test func findsOverlappingLiterals() {
        let patterns = [("he", 0), ("she", 1), ("his", 2), ("hers", 3)]
        #expect(found(patterns, in: "ushers") == [0, 1, 3])
        #expect(found(patterns, in: "this") == [2])
        #expect(found(patterns, in: "") == [])
        #expect(found(patterns, in: "xyz") == [])
        #expect(found([("a", 0), ("aa", 1), ("aaa", 2)], in: "aa") == [0, 1])
    }

    @Test func foldsASCIICaseOnly() {
        #expect(found([("Failed Password", 7)], in: "sshd: FAILED password for root") == [7])
        #expect(found([("é", 1)], in: "É") == [])  // not ASCII: bytes as they are
        #expect(found([("é", 1)], in: "café") == [1])
        #expect(found([("[", 1)], in: "{") == [])
    }

    @Test func sharedIdsDuplicatesEmptyLiteralsAndBinaryBytes() {
        #expect(found([("root", 3), ("admin", 3)], in: "admin") == [3])
        #expect(found([("root", 3), ("root", 4)], in: "root") == [3, 4])
        #expect(found([("", 5), ("x", 6)], in: "") == [5])
        let binary = LiteralPrefilter(patterns: [(bytes: [0x00, 0xFF], id: 1), (bytes: [0xFF, 0xFE], id: 2)])
        var seen = binary.makePatternSet()
        binary.scan([0x01, 0x00, 0xFF, 0xFE], into: &seen)
        #expect(seen.ids == [1, 2])
    }

    @Test func patternSetIsAReusableBitset() {
        var set = PatternSet(capacity: 10)
        #expect(set.isEmpty)
        set.insert(3)
        set.insert(64)
        set.insert(200)  // beyond the capacity: grows
        #expect(set.contains(3) && set.contains(64) && set.contains(200))
        #expect(!set.contains(4) && !set.contains(-1) && !set.contains(10_000))
        #expect(set.count == 3)
        #expect(set.ids == [3, 64, 200])
        let storage = set.words.count
        set.removeAll()
        #expect(set.isEmpty)
        #expect(set.words.count == storage)
    }

    /// Agrees with a naive search on seeded random literals and values over a small alphabet,
    /// where overlaps, repeats and case differences are frequent.
    @Test func agreesWithANaiveSearch() {
        var random = SplitMix64(seed: 7)
        let alphabet: [UInt8] = Array("abAB-".utf8) + [0x00, 0xC3, 0xFF]
        func randomBytes(_ maximum: Int) -> [UInt8] {
            (0..<random.next(upTo: maximum + 1)).map { _ in alphabet[random.next(upTo: alphabet.count)] }
        }
        func folded(_ bytes: [UInt8]) -> [UInt8] { bytes.map(ASCIICase.lowercased) }
        func naiveContains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            if needle.isEmpty { return true }
            guard haystack.count >= needle.count else { return false }
            return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
        }
        for _ in 0..<200 {
            let patterns = (0..<random.next(upTo: 30)).map { _ in (bytes: randomBytes(5), id: random.next(upTo: 40)) }
            let prefilter = LiteralPrefilter(patterns: patterns)
            var seen = prefilter.makePatternSet()
            for _ in 0..<20 {
                let value = randomBytes(40)
                seen.removeAll()
                prefilter.scan(value, into: &seen)
                var expected = PatternSet(capacity: 40)
                for pattern in patterns where naiveContains(folded(value), folded(pattern.bytes)) {
                    expected.insert(pattern.id)
                }
                #expect(seen.ids == expected.ids, "\(patterns) in \(value)")
            }
        }
    }

    @Test func threeThousandLiteralsOfTwelveBytes() {
        var random = SplitMix64(seed: 11)
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789_-./:= ".utf8)
        let patterns = (0..<3_000).map { id in
            (bytes: (0..<12).map { _ in letters[random.next(upTo: letters.count)] }, id: id)
        }
        let prefilter = LiteralPrefilter(patterns: patterns)
        #expect(prefilter.stateCount <= 3_000 * 12 + 1)
        #expect(prefilter.classCount == letters.count + 1)
        #expect(prefilter.tableByteCount == prefilter.stateCount * prefilter.classCount * 4)
        var seen = prefilter.makePatternSet()
        prefilter.scan(patterns[1234].bytes + Array(" and ".utf8) + patterns[42].bytes.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, into: &seen)
        #expect(seen.contains(1234) && seen.contains(42))
    }
}
