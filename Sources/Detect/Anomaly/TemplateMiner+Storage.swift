import Glibc
import Parse

/// A category's storage. Recency lists are doubly linked through slots (-1 ends them).
struct Cluster: Sendable {
    var identifier: UInt64 = 0
    var source: Int32 = -1
    var leaf: Int32 = -1
    /// The template: one key per token, `TokenHash.wildcard` where generalised.
    var tokens: [UInt64] = []
    /// The canonical (masked) text of each token at creation, concatenated; `textEnds` ends each.
    var text: [UInt8] = []
    var textEnds: [UInt16] = []
    var example: [UInt8] = []
    var count: UInt64 = 0
    var firstSeen: UInt64 = 0
    var lastSeen: UInt64 = 0
    /// The tick of the creating and of the latest message.
    var created: UInt64 = 0
    var lastUsed: UInt64 = 0
    /// Neighbours in the miner-wide recency list.
    var older: Int32 = -1
    var newer: Int32 = -1
    /// Neighbours in the source's recency list.
    var olderInSource: Int32 = -1
    var newerInSource: Int32 = -1
    var isLive = false
}

/// A source's storage: its name, its place in the recency list of sources and its categories' list.
struct Source: Sendable {
    var bytes: [UInt8] = []
    var hash: UInt64 = 0
    /// The next source whose bytes hash the same (a chain from `sourceByHash`).
    var nextWithSameHash: Int32 = -1
    var lastUsed: UInt64 = 0
    var older: Int32 = -1
    var newer: Int32 = -1
    var oldestCluster: Int32 = -1
    var newestCluster: Int32 = -1
    var clusterCount = 0
    var isLive = false
}

/// A parse-tree leaf: a source's categories of one token count and first token.
struct LeafKey: Hashable, Sendable {
    var source: Int32
    var length: Int32
    /// The first token's key, or `TokenHash.wildcard` for the `<*>` child and for lengths 0 and 1 (no child level).
    var first: UInt64

    /// One word into the hasher instead of three (the fields mixed; equality still compares all).
    func hash(into hasher: inout Hasher) {
        hasher.combine(first ^ (UInt64(UInt32(bitPattern: source)) << 32 | UInt64(UInt32(bitPattern: length))) &* 0x9E37_79B9_7F4A_7C15)
    }
}

/// A parse-tree node of a source's token count, whose children `childrenByLength` counts.
struct LengthKey: Hashable, Sendable {
    var source: Int32
    var length: Int32
}

struct Leaf: Sendable {
    var key: LeafKey
    /// Its categories, in the order they joined (Drain3's order: the first of equally similar wins).
    var clusters: [Int32] = []
    var isLive = false

    init(key: LeafKey, isLive: Bool) {
        self.key = key
        self.isLive = isLive
    }
}

extension TemplateMiner {
    /// The most evicted ids kept for `takeEvicted()`: the larger of the category cap and 4,096.
    static func maximumPendingEvictions(_ limits: Limits) -> Int { max(limits.categories, 4_096) }

    /// Puts `item` into a freed slot of `array` (the last one `free` lists), or appends it; returns its slot.
    static func store<Item>(_ item: Item, in array: inout [Item], reusing free: inout [Int32]) -> Int32 {
        if let slot = free.popLast() {
            array[Int(slot)] = item
            return slot
        }
        array.append(item)
        return Int32(array.count - 1)
    }

    // MARK: Sources

    /// The slot of `name`'s source, added when new (evicting the least recently seen source past
    /// the cap), and marked as the most recently seen.
    mutating func findOrAddSource(_ name: UnsafeRawBufferPointer) -> Int32 {
        var hash = FNV1a.offsetBasis
        TokenHash.add(&hash, name, 0..<name.count)
        var candidate = sourceByHash[hash] ?? -1
        while candidate >= 0 {
            let found = sources[Int(candidate)].bytes.withUnsafeBytes { bytes in
                guard bytes.count == name.count else { return false }
                // Equal counts: both base addresses exist unless both are empty.
                guard let left = bytes.baseAddress, let right = name.baseAddress else { return true }
                return memcmp(left, right, bytes.count) == 0
            }
            if found {
                touch(source: candidate)
                return candidate
            }
            candidate = sources[Int(candidate)].nextWithSameHash
        }
        var source = Source()
        source.bytes = Array(name)
        source.hash = hash
        source.nextWithSameHash = sourceByHash[hash] ?? -1
        source.isLive = true
        let slot = Self.store(source, in: &sources, reusing: &freeSources)
        sourceByHash[hash] = slot
        liveSources += 1
        touch(source: slot, isNew: true)
        while liveSources > limits.sources, oldestSource >= 0, oldestSource != slot {
            evict(source: oldestSource)
        }
        return slot
    }

    /// Makes `slot` the most recently seen source.
    mutating func touch(source slot: Int32, isNew: Bool = false) {
        sources[Int(slot)].lastUsed = tick
        if !isNew {
            guard newestSource != slot else { return }
            let older = sources[Int(slot)].older, newer = sources[Int(slot)].newer
            if older >= 0 { sources[Int(older)].newer = newer } else { oldestSource = newer }
            if newer >= 0 { sources[Int(newer)].older = older } else { newestSource = older }
        }
        sources[Int(slot)].older = newestSource
        sources[Int(slot)].newer = -1
        if newestSource >= 0 { sources[Int(newestSource)].newer = slot } else { oldestSource = slot }
        newestSource = slot
    }

    /// Evicts all of `slot`'s categories, then the source.
    mutating func evict(source slot: Int32) {
        while sources[Int(slot)].isLive, sources[Int(slot)].oldestCluster >= 0 {
            evict(cluster: sources[Int(slot)].oldestCluster, keeping: -1)
        }
        if sources[Int(slot)].isLive { remove(source: slot) }
    }

    /// Forgets the (empty) source in `slot`.
    private mutating func remove(source slot: Int32) {
        let source = sources[Int(slot)]
        if source.older >= 0 { sources[Int(source.older)].newer = source.newer } else { oldestSource = source.newer }
        if source.newer >= 0 { sources[Int(source.newer)].older = source.older } else { newestSource = source.older }
        if sourceByHash[source.hash] == slot {
            sourceByHash[source.hash] = source.nextWithSameHash >= 0 ? source.nextWithSameHash : nil
        } else if var previous = sourceByHash[source.hash] {
            while sources[Int(previous)].nextWithSameHash >= 0, sources[Int(previous)].nextWithSameHash != slot {
                previous = sources[Int(previous)].nextWithSameHash
            }
            if sources[Int(previous)].nextWithSameHash == slot { sources[Int(previous)].nextWithSameHash = source.nextWithSameHash }
        }
        sources[Int(slot)] = Source()
        freeSources.append(slot)
        liveSources -= 1
    }

    // MARK: Categories

    /// Links the new category in `slot` as the most recently seen, miner-wide and in its source.
    mutating func linkNewest(cluster slot: Int32) {
        clusters[Int(slot)].older = newestCluster
        clusters[Int(slot)].newer = -1
        if newestCluster >= 0 { clusters[Int(newestCluster)].newer = slot } else { oldestCluster = slot }
        newestCluster = slot
        let source = Int(clusters[Int(slot)].source)
        let newestInSource = sources[source].newestCluster
        clusters[Int(slot)].olderInSource = newestInSource
        clusters[Int(slot)].newerInSource = -1
        if newestInSource >= 0 { clusters[Int(newestInSource)].newerInSource = slot } else { sources[source].oldestCluster = slot }
        sources[source].newestCluster = slot
    }

    private mutating func unlink(cluster slot: Int32) {
        // The links only: copying the whole Cluster would retain its arrays.
        let cluster = clusters.withUnsafeBufferPointer { clusters in
            let cluster = clusters[Int(slot)]
            return (older: cluster.older, newer: cluster.newer, olderInSource: cluster.olderInSource,
                    newerInSource: cluster.newerInSource, source: cluster.source)
        }
        if cluster.older >= 0 { clusters[Int(cluster.older)].newer = cluster.newer } else { oldestCluster = cluster.newer }
        if cluster.newer >= 0 { clusters[Int(cluster.newer)].older = cluster.older } else { newestCluster = cluster.older }
        let source = Int(cluster.source)
        if cluster.olderInSource >= 0 {
            clusters[Int(cluster.olderInSource)].newerInSource = cluster.newerInSource
        } else {
            sources[source].oldestCluster = cluster.newerInSource
        }
        if cluster.newerInSource >= 0 {
            clusters[Int(cluster.newerInSource)].olderInSource = cluster.olderInSource
        } else {
            sources[source].newestCluster = cluster.olderInSource
        }
    }

    /// Marks the category in `slot` as seen now.
    mutating func touch(cluster slot: Int32) {
        clusters[Int(slot)].lastUsed = tick
        guard newestCluster != slot || sources[Int(clusters[Int(slot)].source)].newestCluster != slot else { return }
        unlink(cluster: slot)
        linkNewest(cluster: slot)
    }

    /// After adding a category to `leaf` of `source`: evicts past the leaf's, the source's and the
    /// miner's cap (never the newest category).
    mutating func enforceCaps(leaf: Int32, source: Int32) {
        while leaves[Int(leaf)].isLive, leaves[Int(leaf)].clusters.count > leafCapacity {
            var oldest: Int32 = -1
            for slot in leaves[Int(leaf)].clusters where oldest < 0 || clusters[Int(slot)].lastUsed < clusters[Int(oldest)].lastUsed {
                oldest = slot
            }
            evict(cluster: oldest, keeping: source)
        }
        while sources[Int(source)].clusterCount > limits.categoriesPerSource, sources[Int(source)].oldestCluster >= 0 {
            evict(cluster: sources[Int(source)].oldestCluster, keeping: source)
        }
        enforceTotalCap(keeping: source)
    }

    /// Evicts the least recently seen categories past `limits.categories`.
    mutating func enforceTotalCap(keeping source: Int32) {
        while liveClusters > limits.categories, oldestCluster >= 0 {
            evict(cluster: oldestCluster, keeping: source)
        }
    }

    /// Removes the category in `slot` from its leaf, the recency lists and the id index, dropping an
    /// emptied leaf and an emptied source (other than `keeping`); counts and reports it.
    mutating func evict(cluster slot: Int32, keeping: Int32) {
        unlink(cluster: slot)
        let cluster = clusters[Int(slot)]
        let source = cluster.source
        sources[Int(source)].clusterCount -= 1
        let leaf = Int(cluster.leaf)
        if let index = leaves[leaf].clusters.firstIndex(of: slot) { leaves[leaf].clusters.remove(at: index) }
        if leaves[leaf].clusters.isEmpty {
            let key = leaves[leaf].key
            leafByKey[key] = nil
            if key.length >= 2 {
                let lengthKey = LengthKey(source: key.source, length: key.length)
                let children = (childrenByLength[lengthKey] ?? 1) - 1
                childrenByLength[lengthKey] = children > 0 ? children : nil
            }
            leaves[leaf] = Leaf(key: key, isLive: false)
            freeLeaves.append(Int32(leaf))
        }
        if slotByIdentifier[cluster.identifier] == slot { slotByIdentifier[cluster.identifier] = nil }
        clusters[Int(slot)] = Cluster()
        freeClusters.append(slot)
        liveClusters -= 1
        evictions += 1
        if evicted.count >= Self.maximumPendingEvictions(limits) {
            // Not taken for long: drop the older half at once (amortised O(1) per eviction).
            evicted.removeFirst(evicted.count / 2)
        }
        evicted.append(cluster.identifier)
        if sources[Int(source)].clusterCount == 0, source != keeping { remove(source: source) }
    }
}
