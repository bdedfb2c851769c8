import Parse

extension TemplateMiner {
    /// The first bytes of a snapshot: a magic and the layout's version.
    static let snapshotMagic = Array("cordon-templates".utf8)
    static let snapshotVersion: UInt8 = 1

    /// Appends a snapshot of the miner to `bytes`: the magic `cordon-templates` and version byte 1,
    /// then (little-endian, as `StateEncoder` writes) the tick and evictions, every source, category
    /// and leaf slot with its free list, the ids not yet taken by `takeEvicted()`, and an FNV-1a 64
    /// checksum of everything before it. Slots, recency and leaf order are kept, so a decoded miner
    /// continues exactly as this one would.
    public func encode(into bytes: inout [UInt8]) {
        var encoder = StateEncoder()
        encoder.write(tick)
        encoder.write(evictions)
        encoder.write(sources.count)
        for source in sources {
            encoder.write(source.isLive)
            guard source.isLive else { continue }
            encoder.write(source.bytes)
            encoder.write(source.lastUsed)
        }
        encoder.write(clusters.count)
        for cluster in clusters {
            encoder.write(cluster.isLive)
            guard cluster.isLive else { continue }
            encoder.write(cluster.identifier)
            encoder.write(Int(cluster.source))
            encoder.write(cluster.tokens.count)
            for token in cluster.tokens { encoder.write(token) }
            encoder.write(cluster.text)
            for end in cluster.textEnds { encoder.write(Int(end)) }
            encoder.write(cluster.example)
            encoder.write(cluster.count)
            encoder.write(cluster.firstSeen)
            encoder.write(cluster.lastSeen)
            encoder.write(cluster.created)
            encoder.write(cluster.lastUsed)
        }
        encoder.write(leaves.count)
        for leaf in leaves {
            encoder.write(leaf.isLive)
            guard leaf.isLive else { continue }
            encoder.write(Int(leaf.key.source))
            encoder.write(Int(leaf.key.length))
            encoder.write(leaf.key.first)
            encoder.write(leaf.clusters.count)
            for slot in leaf.clusters { encoder.write(Int(slot)) }
        }
        for free in [freeSources, freeClusters, freeLeaves] {
            encoder.write(free.count)
            for slot in free { encoder.write(Int(slot)) }
        }
        encoder.write(evicted.count)
        for identifier in evicted { encoder.write(identifier) }
        let start = bytes.count
        bytes += Self.snapshotMagic
        bytes.append(Self.snapshotVersion)
        bytes += encoder.bytes
        var checksum = StateEncoder()
        checksum.write(FNV1a.hash(bytes[start...]))
        bytes += checksum.bytes
    }

    /// Restores a miner from `encode(into:)`'s bytes, then applies `limits` (evicting, as usual,
    /// what exceeds smaller caps).
    /// - Throws: `TemplateMinerError` when the bytes are not a snapshot of this version, are
    ///   truncated, corrupt or inconsistent. Never traps.
    public init(decoding bytes: ArraySlice<UInt8>, limits: Limits) throws(TemplateMinerError) {
        self.init(limits: limits)
        let header = Self.snapshotMagic.count + 1
        guard bytes.starts(with: Self.snapshotMagic) else { throw TemplateMinerError(message: "no 'cordon-templates' magic") }
        guard bytes.count >= header + 8 else { throw TemplateMinerError(message: "truncated") }
        let version = bytes[bytes.startIndex + Self.snapshotMagic.count]
        guard version == Self.snapshotVersion else {
            throw TemplateMinerError(message: "version \(version), this Cordon reads version \(Self.snapshotVersion)")
        }
        let bodyEnd = bytes.endIndex - 8
        var trailer = StateDecoder(Array(bytes[bodyEnd...]))
        guard (try? trailer.readUInt64()) == FNV1a.hash(bytes[..<bodyEnd]) else {
            throw TemplateMinerError(message: "corrupt (checksum mismatch)")
        }
        var decoder = StateDecoder(Array(bytes[(bytes.startIndex + header)..<bodyEnd]))
        do throws(StateDecodingError) {
            try restore(&decoder)
            guard decoder.isAtEnd else { throw StateDecodingError(message: "bytes after the end") }
        } catch {
            throw TemplateMinerError(message: "corrupt: \(error.message)")
        }
        enforceLimitsAfterDecoding()
    }

    private mutating func restore(_ decoder: inout StateDecoder) throws(StateDecodingError) {
        func count(_ what: String) throws(StateDecodingError) -> Int {
            let value = try decoder.readInt()
            guard value >= 0, value <= decoder.bytes.count - decoder.offset else { throw StateDecodingError(message: "bad \(what) count \(value)") }
            return value
        }
        func slot(_ limit: Int, _ what: String) throws(StateDecodingError) -> Int32 {
            let value = try decoder.readInt()
            guard value >= 0, value < limit else { throw StateDecodingError(message: "bad \(what) \(value)") }
            return Int32(value)
        }
        tick = try decoder.readUInt64()
        evictions = try decoder.readInt()
        guard evictions >= 0 else { throw StateDecodingError(message: "bad evictions") }

        let sourceCount = try count("source")
        for index in 0..<sourceCount {
            var source = Source()
            if try decoder.readBool() {
                source.isLive = true
                source.bytes = try decoder.readBytes()
                source.lastUsed = try decoder.readUInt64()
                var hash = FNV1a.offsetBasis
                source.bytes.withUnsafeBytes { TokenHash.add(&hash, $0, 0..<$0.count) }
                source.hash = hash
                var other = sourceByHash[hash] ?? -1
                while other >= 0 {
                    guard sources[Int(other)].bytes != source.bytes else { throw StateDecodingError(message: "source \(index) twice") }
                    other = sources[Int(other)].nextWithSameHash
                }
                source.nextWithSameHash = sourceByHash[hash] ?? -1
                sourceByHash[hash] = Int32(index)
                liveSources += 1
            }
            sources.append(source)
        }

        let clusterCount = try count("category")
        for index in 0..<clusterCount {
            var cluster = Cluster()
            if try decoder.readBool() {
                cluster.isLive = true
                cluster.identifier = try decoder.readUInt64()
                cluster.source = try slot(sources.count, "source")
                guard sources[Int(cluster.source)].isLive else { throw StateDecodingError(message: "category \(index) of a free source") }
                let tokenCount = try count("token")
                guard tokenCount <= 513 else { throw StateDecodingError(message: "too many tokens") }
                for _ in 0..<tokenCount { cluster.tokens.append(try decoder.readUInt64()) }
                cluster.text = try decoder.readBytes()
                guard cluster.text.count <= Int(UInt16.max) else { throw StateDecodingError(message: "template too long") }
                var previous = 0
                for _ in 0..<tokenCount {
                    let end = try decoder.readInt()
                    guard end >= previous, end <= cluster.text.count else { throw StateDecodingError(message: "bad token end \(end)") }
                    cluster.textEnds.append(UInt16(end))
                    previous = end
                }
                cluster.example = try decoder.readBytes()
                cluster.count = try decoder.readUInt64()
                cluster.firstSeen = try decoder.readUInt64()
                cluster.lastSeen = try decoder.readUInt64()
                cluster.created = try decoder.readUInt64()
                cluster.lastUsed = try decoder.readUInt64()
                guard slotByIdentifier[cluster.identifier] == nil else { throw StateDecodingError(message: "category id twice") }
                slotByIdentifier[cluster.identifier] = Int32(index)
                liveClusters += 1
                sources[Int(cluster.source)].clusterCount += 1
            }
            clusters.append(cluster)
        }

        let leafCount = try count("leaf")
        for index in 0..<leafCount {
            guard try decoder.readBool() else {
                leaves.append(Leaf(key: LeafKey(source: -1, length: 0, first: 0), isLive: false))
                continue
            }
            let source = try slot(sources.count, "leaf source")
            let length = try decoder.readInt()
            let first = try decoder.readUInt64()
            guard sources[Int(source)].isLive, length >= 0, length <= 513 else { throw StateDecodingError(message: "bad leaf \(index)") }
            let key = LeafKey(source: source, length: Int32(length), first: first)
            guard leafByKey[key] == nil else { throw StateDecodingError(message: "leaf \(index) twice") }
            var leaf = Leaf(key: key, isLive: true)
            let members = try count("leaf member")
            guard members > 0 else { throw StateDecodingError(message: "empty leaf \(index)") }
            for _ in 0..<members {
                let member = try slot(clusters.count, "leaf member")
                let cluster = clusters[Int(member)]
                guard cluster.isLive, cluster.leaf < 0, cluster.source == source, cluster.tokens.count == length else {
                    throw StateDecodingError(message: "bad member of leaf \(index)")
                }
                clusters[Int(member)].leaf = Int32(index)
                leaf.clusters.append(member)
            }
            leafByKey[key] = Int32(index)
            if length >= 2 { childrenByLength[LengthKey(source: source, length: Int32(length)), default: 0] += 1 }
            leaves.append(leaf)
        }
        for cluster in clusters where cluster.isLive && cluster.leaf < 0 {
            throw StateDecodingError(message: "category \(cluster.identifier) in no leaf")
        }

        freeSources = try freeList(&decoder, live: sources.map(\.isLive), "source")
        freeClusters = try freeList(&decoder, live: clusters.map(\.isLive), "category")
        freeLeaves = try freeList(&decoder, live: leaves.map(\.isLive), "leaf")
        let evictedCount = try count("evicted")
        for _ in 0..<evictedCount { evicted.append(try decoder.readUInt64()) }

        // Recency lists, from the ticks of the latest use (unique while live; slots break ties).
        for slot in sources.indices.filter({ sources[$0].isLive }).sorted(by: { (sources[$0].lastUsed, $0) < (sources[$1].lastUsed, $1) }) {
            let slot = Int32(slot)
            sources[Int(slot)].older = newestSource
            if newestSource >= 0 { sources[Int(newestSource)].newer = slot } else { oldestSource = slot }
            newestSource = slot
        }
        for slot in clusters.indices.filter({ clusters[$0].isLive }).sorted(by: { (clusters[$0].lastUsed, $0) < (clusters[$1].lastUsed, $1) }) {
            linkNewest(cluster: Int32(slot))
        }
    }

    /// A free list: each slot that is not live, exactly once.
    private func freeList(_ decoder: inout StateDecoder, live: [Bool], _ what: String) throws(StateDecodingError) -> [Int32] {
        let count = try decoder.readInt()
        let expected = live.count { !$0 }
        guard count == expected else { throw StateDecodingError(message: "\(what) free list of \(count), \(expected) free") }
        var seen = live
        var list: [Int32] = []
        for _ in 0..<count {
            let slot = try decoder.readInt()
            guard slot >= 0, slot < live.count, !seen[slot] else { throw StateDecodingError(message: "bad free \(what) \(slot)") }
            seen[slot] = true
            list.append(Int32(slot))
        }
        return list
    }

    /// Evicts what exceeds the (possibly smaller) caps a snapshot is decoded with.
    private mutating func enforceLimitsAfterDecoding() {
        while liveSources > limits.sources, oldestSource >= 0 { evict(source: oldestSource) }
        for index in sources.indices where sources[index].isLive {
            while sources[index].isLive, sources[index].clusterCount > limits.categoriesPerSource, sources[index].oldestCluster >= 0 {
                evict(cluster: sources[index].oldestCluster, keeping: -1)
            }
        }
        enforceTotalCap(keeping: -1)
    }
}
