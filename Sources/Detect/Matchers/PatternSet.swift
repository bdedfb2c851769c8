/// A reusable set of small non-negative integers (pattern or rule ids) as a bitset.
///
/// Meant to be made once and cleared per event: `removeAll()` keeps the storage, so a set
/// that has grown to its largest id never allocates again.
struct PatternSet: Sendable, Hashable {
    /// One bit per id, 64 ids a word.
    private(set) var words: [UInt64]

    /// Makes an empty set with room for ids below `capacity` without growing.
    init(capacity: Int = 0) {
        words = [UInt64](repeating: 0, count: (max(0, capacity) + 63) / 64)
    }

    /// Adds `id`, growing the storage if `id` is beyond it.
    /// - Precondition: `id` is not negative.
    @inline(__always)
    mutating func insert(_ id: Int) {
        let word = id >> 6
        if word >= words.count { words += [UInt64](repeating: 0, count: word + 1 - words.count) }
        words[word] |= 1 << UInt64(id & 63)
    }

    /// Whether `id` is in the set.
    @inline(__always)
    func contains(_ id: Int) -> Bool {
        let word = id >> 6
        guard id >= 0, word < words.count else { return false }
        return words[word] & (1 << UInt64(id & 63)) != 0
    }

    /// Empties the set, keeping its storage.
    mutating func removeAll() {
        for index in words.indices { words[index] = 0 }
    }

    /// Whether the set is empty.
    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// How many ids are in the set.
    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// The ids in increasing order.
    var ids: [Int] {
        var result: [Int] = []
        for (index, word) in words.enumerated() {
            var remaining = word
            while remaining != 0 {
                result.append(index * 64 + remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
        return result
    }
}

extension PatternSet {
    /// Makes this set equal to `other`, reusing the storage.
    mutating func assign(_ other: PatternSet) {
        if words.count != other.words.count {
            self = other
            return
        }
        for index in words.indices { words[index] = other.words[index] }
    }

    /// Calls `body` with each id in the set, in ascending order.
    func forEach(_ body: (Int) -> Void) {
        for (index, word) in words.enumerated() {
            var remaining = word
            while remaining != 0 {
                body(index * 64 + remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
    }

    /// Calls `body` with each id in the set that is in `range`, in ascending order.
    func forEach(in range: Range<Int>, _ body: (Int) -> Void) {
        guard !range.isEmpty else { return }
        let first = range.lowerBound >> 6
        let last = min((range.upperBound - 1) >> 6, words.count - 1)
        guard first <= last else { return }
        for index in first...last {
            var remaining = words[index]
            if index == first { remaining &= ~0 << UInt64(range.lowerBound & 63) }
            if index == (range.upperBound - 1) >> 6, range.upperBound & 63 != 0 {
                remaining &= (1 << UInt64(range.upperBound & 63)) - 1
            }
            while remaining != 0 {
                body(index * 64 + remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
    }
}
