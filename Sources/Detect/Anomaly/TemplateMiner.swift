import Glibc
import Parse

/// An online log-template miner in the style of Drain (He et al., ICWS 2017, as Drain3 implements
/// it): each message's first line becomes a category per source, whose template keeps the tokens
/// its messages share and shows `<*>` where they differed.
///
/// Per source, a fixed-depth parse tree: token count → first token (a token with a digit or a
/// mask goes to the `<*>` child; past `maximumChildren` children, new tokens do too) → a leaf of
/// categories. A message joins the leaf's most similar category (share of positions where the
/// template equals the message; `<*>` positions count as unequal, more of them breaks a tie, as
/// Drain3's `fast_match`) when that share is at least `similarity`, generalising the positions
/// that differ to `<*>`; else it founds a new category. Tokens are masked first (see
/// `MessageTokens`) and compared as 64-bit hashes of their masked text.
///
/// Deterministic: no randomness and no dependence on hashing order, so the same messages give the
/// same outcomes and identifiers, also across `encode` and `init(decoding:limits:)`.
/// Bounded: categories per source, categories, sources and categories per leaf are capped; past a
/// cap the least recently seen goes, is counted in `evictions` and reported by `takeEvicted()`.
/// A message that matches a category allocates nothing.
public struct TemplateMiner: Sendable {
    /// The bounds of a miner.
    public struct Limits: Sendable, Equatable {
        /// Most categories of one source; past it the least recently seen of that source is evicted.
        public var categoriesPerSource = 1_000
        /// Most categories in total; past it the least recently seen overall is evicted.
        public var categories = 20_000
        /// Most sources; past it the least recently seen source (with its categories) is evicted.
        public var sources = 1_000
        /// Drain's threshold: the share of equal (non-wildcard) tokens for a message to join a category.
        public var similarity = 0.5
        /// Children per inner tree node; beyond, tokens go to a `<*>` child. A leaf holds at most four
        /// times as many categories (the least recently seen of them is evicted).
        public var maximumChildren = 64
        /// Tokens of the first line considered; more are ignored (one trailing `<*>` marks them).
        public var maximumTokens = 48
        /// The defaults above.
        public init() {}
    }

    /// What `categorise` did with a message.
    public struct Outcome: Sendable, Equatable {
        /// The index of the category in the miner's storage; stable while it lives.
        public var slot: Int32
        /// The category's id (see `Category.identifier`).
        public var identifier: UInt64
        /// Whether this message created the category.
        public var isNew: Bool
        /// Whether the template gained a `<*>` from this message.
        public var generalised: Bool
    }

    /// A read-only view of a category for show, export and alerts.
    public struct Category: Sendable, Equatable {
        /// FNV-1a 64 of the source's bytes, a 0 byte and the masked template at creation (made unique
        /// among live categories by hashing on with `0x01` bytes in the rare case of a clash).
        public var identifier: UInt64
        /// The source's name (invalid UTF-8 replaced).
        public var source: String
        /// Tokens joined by one space, masks shown as `<NUM>`, `<IP>`, `<HEX>`, `<PATH>`, `<USER>`, `<*>`….
        public var template: String
        /// Messages categorised into it.
        public var count: UInt64
        /// Entry time (µs) of the creating message.
        public var firstSeen: UInt64
        /// Latest entry time (µs) of its messages.
        public var lastSeen: UInt64
        /// The creating message's first line, at most 200 bytes, invalid UTF-8 replaced.
        public var example: String
    }

    /// Categories evicted by any cap.
    public internal(set) var evictions = 0
    /// Categories held.
    public var count: Int { liveClusters }
    /// The bounds in use: those given at creation, clamped as `init(limits:)` says.
    public let limits: Limits

    // Storage; indices are Int32, -1 for none. See TemplateMiner+Storage.swift.
    var clusters: [Cluster] = []
    var freeClusters: [Int32] = []
    var liveClusters = 0
    var slotByIdentifier: [UInt64: Int32] = [:]
    var oldestCluster: Int32 = -1
    var newestCluster: Int32 = -1
    var sources: [Source] = []
    var freeSources: [Int32] = []
    var liveSources = 0
    var sourceByHash: [UInt64: Int32] = [:]
    var oldestSource: Int32 = -1
    var newestSource: Int32 = -1
    var leaves: [Leaf] = []
    var freeLeaves: [Int32] = []
    var leafByKey: [LeafKey: Int32] = [:]
    var childrenByLength: [LengthKey: Int32] = [:]
    /// Counts `categorise` calls: the recency order of sources and categories.
    var tick: UInt64 = 0
    var evicted: [UInt64] = []
    /// Scratch space for the current message.
    var tokens = MessageTokens()

    /// An empty miner.
    /// - Parameter limits: its bounds; caps below 1 count as 1 (above 2³⁰ as 2³⁰, slots are 32-bit),
    ///   `maximumChildren` below 2 as 2,
    ///   `maximumTokens` is at most 512 (so a template's text stays below 64 KiB).
    public init(limits: Limits = Limits()) {
        var limits = limits
        limits.categoriesPerSource = min(1 << 30, max(1, limits.categoriesPerSource))
        limits.categories = min(1 << 30, max(1, limits.categories))
        limits.sources = min(1 << 30, max(1, limits.sources))
        limits.maximumChildren = max(2, limits.maximumChildren)
        limits.maximumTokens = min(512, max(1, limits.maximumTokens))
        self.limits = limits
    }

    /// The most categories a leaf holds.
    var leafCapacity: Int { 4 * limits.maximumChildren }

    /// Categorises (and learns) `message`, its first line, from `source`. Never fails: empty, binary,
    /// huge, invalid UTF-8 all get a category.
    /// - Parameters:
    ///   - source: the source's name (unit, comm…), as bytes.
    ///   - message: the message; only the bytes before the first `\n` count.
    ///   - realtime: the entry's time in µs (first and last seen).
    public mutating func categorise(source: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer, realtime: UInt64) -> Outcome {
        tick &+= 1
        var lineLength = message.count
        if let base = message.baseAddress, let newline = memchr(base, 0x0A, message.count) {
            lineLength = UnsafeRawPointer(newline) - base
        }
        let line = UnsafeRawBufferPointer(rebasing: message[0..<lineLength])
        tokens.read(line, maximumTokens: limits.maximumTokens)
        let sourceSlot = findOrAddSource(source)
        if let leaf = findLeaf(source: sourceSlot), let (slot, generalised) = match(in: leaf) {
            clusters[Int(slot)].count &+= 1
            clusters[Int(slot)].lastSeen = max(clusters[Int(slot)].lastSeen, realtime)
            touch(cluster: slot)
            return Outcome(slot: slot, identifier: clusters[Int(slot)].identifier, isNew: false, generalised: generalised)
        }
        let slot = addCluster(source: sourceSlot, line: line, realtime: realtime)
        return Outcome(slot: slot, identifier: clusters[Int(slot)].identifier, isNew: true, generalised: false)
    }

    /// The category in `slot`; an empty category (identifier 0) when no category lives there.
    public func category(at slot: Int32) -> Category {
        guard slot >= 0, Int(slot) < clusters.count, clusters[Int(slot)].isLive else {
            return Category(identifier: 0, source: "", template: "", count: 0, firstSeen: 0, lastSeen: 0, example: "")
        }
        let cluster = clusters[Int(slot)]
        return Category(identifier: cluster.identifier, source: String(decoding: sources[Int(cluster.source)].bytes, as: UTF8.self),
                        template: String(decoding: template(of: cluster), as: UTF8.self), count: cluster.count,
                        firstSeen: cluster.firstSeen, lastSeen: cluster.lastSeen, example: String(decoding: cluster.example, as: UTF8.self))
    }

    /// The slot of the live category with id `identifier`.
    public func slot(of identifier: UInt64) -> Int32? {
        slotByIdentifier[identifier]
    }

    /// Calls `body` with every category and its slot, by source (bytes in order), then first seen,
    /// then creation order.
    public func forEachCategory(_ body: (Int32, Category) -> Void) {
        var slots: [Int32] = []
        slots.reserveCapacity(liveClusters)
        for index in clusters.indices where clusters[index].isLive { slots.append(Int32(index)) }
        slots.sort { left, right in
            let a = clusters[Int(left)], b = clusters[Int(right)]
            if a.source != b.source {
                let first = sources[Int(a.source)].bytes, second = sources[Int(b.source)].bytes
                if first != second { return first.lexicographicallyPrecedes(second) }
            }
            if a.firstSeen != b.firstSeen { return a.firstSeen < b.firstSeen }
            return a.created < b.created
        }
        for slot in slots { body(slot, category(at: slot)) }
    }

    /// The ids of categories evicted since the last call (so detectors can drop their state), oldest
    /// first; an id may be live again when the same template was created anew after the eviction
    /// (`slot(of:)` tells). Clears them. At most the larger of `limits.categories` and 4,096 are kept between
    /// calls: past that the older half is dropped.
    public mutating func takeEvicted() -> [UInt64] {
        defer { evicted.removeAll() }
        return evicted
    }

    /// Writes `identifier` as 16 lowercase hex digits into `buffer` (no allocation).
    /// - Traps: when `buffer.count < 16`.
    public static func hex(_ identifier: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= 16, "TemplateMiner.hex needs 16 bytes")
        for index in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: identifier >> UInt64(60 - 4 * index)) & 0x0F
            buffer[index] = nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
        }
    }

    /// Appends the template of the category in `slot` to `bytes` (as `Category.template`, but as
    /// bytes, without allocating once `bytes` has the capacity); nothing when no category lives there.
    public func appendTemplate(at slot: Int32, to bytes: inout [UInt8]) {
        guard slot >= 0, Int(slot) < clusters.count, clusters[Int(slot)].isLive else { return }
        appendTemplate(of: clusters[Int(slot)], to: &bytes)
    }

    /// The template's bytes: tokens joined by one space, `<*>` where generalised.
    func template(of cluster: Cluster) -> [UInt8] {
        var result: [UInt8] = []
        appendTemplate(of: cluster, to: &result)
        return result
    }

    private func appendTemplate(of cluster: Cluster, to result: inout [UInt8]) {
        var start = 0
        for (position, key) in cluster.tokens.enumerated() {
            if position > 0 { result.append(0x20) }
            let end = Int(cluster.textEnds[position])
            if key == TokenHash.wildcard {
                TokenMask.wildcard.text.withUTF8Buffer { result.append(contentsOf: $0) }
            } else {
                result.append(contentsOf: cluster.text[start..<end])
            }
            start = end
        }
    }
}

/// A template-miner snapshot that cannot be read.
public struct TemplateMinerError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for people.
    public let message: String
    /// `template miner snapshot: ` and the message.
    public var description: String { "template miner snapshot: \(message)" }
}
