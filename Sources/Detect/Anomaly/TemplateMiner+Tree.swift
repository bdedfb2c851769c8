import Parse

/// The parse tree: finding a message's leaf and best category, adding a category where Drain3 would.
extension TemplateMiner {
    // MARK: Matching

    /// The leaf a message of the current tokens searches: by token count, then first token (Drain3's `tree_search`).
    func findLeaf(source: Int32) -> Int32? {
        let keys = tokens.keys
        let length = Int32(keys.count)
        if keys.count <= 1 { return leafByKey[LeafKey(source: source, length: length, first: TokenHash.wildcard)] }
        if !tokens.shapes[0].isVariable, let leaf = leafByKey[LeafKey(source: source, length: length, first: keys[0])] { return leaf }
        return leafByKey[LeafKey(source: source, length: length, first: TokenHash.wildcard)]
    }

    /// The most similar category of `leaf` if similar enough, generalised by the current tokens.
    mutating func match(in leaf: Int32) -> (Int32, Bool)? {
        let keys = tokens.keys
        let length = keys.count
        var best: Int32 = -1
        var bestEqual = -1, bestParameters = -1
        for slot in leaves[Int(leaf)].clusters {
            let (equal, parameters) = clusters[Int(slot)].tokens.withUnsafeBufferPointer { template in
                var equal = 0, parameters = 0
                for position in 0..<length {
                    let token = template[position]
                    if token == TokenHash.wildcard {
                        parameters += 1
                    } else if token == keys[position] {
                        equal += 1
                    }
                }
                return (equal, parameters)
            }
            if equal > bestEqual || (equal == bestEqual && parameters > bestParameters) {
                best = slot
                bestEqual = equal
                bestParameters = parameters
            }
        }
        guard best >= 0 else { return nil }
        // An empty message matches the empty template (Drain3: similarity 1).
        let similarity = length == 0 ? 1.0 : Double(bestEqual) / Double(length)
        guard similarity >= limits.similarity else { return nil }
        var generalised = false
        if bestEqual + bestParameters < length {
            clusters[Int(best)].tokens.withUnsafeMutableBufferPointer { template in
                for position in 0..<length where template[position] != TokenHash.wildcard && template[position] != keys[position] {
                    template[position] = TokenHash.wildcard
                }
            }
            generalised = true
        }
        return (best, generalised)
    }

    // MARK: Adding

    mutating func addCluster(source: Int32, line: UnsafeRawBufferPointer, realtime: UInt64) -> Int32 {
        var cluster = Cluster()
        cluster.source = source
        cluster.tokens = tokens.keys
        cluster.textEnds.reserveCapacity(tokens.shapes.count)
        for position in tokens.shapes.indices {
            tokens.appendText(of: position, line, to: &cluster.text)
            cluster.textEnds.append(UInt16(truncatingIfNeeded: cluster.text.count))
        }
        cluster.example = Self.example(of: line)
        cluster.count = 1
        cluster.firstSeen = realtime
        cluster.lastSeen = realtime
        cluster.created = tick
        cluster.lastUsed = tick
        var hasher = FNV1a()
        hasher.add(sources[Int(source)].bytes)
        hasher.add(CollectionOfOne(0))
        hasher.add(template(of: cluster))
        var identifier = hasher.value
        while slotByIdentifier[identifier] != nil {
            hasher.add(CollectionOfOne(1))
            identifier = hasher.value
        }
        cluster.identifier = identifier
        cluster.isLive = true

        let slot = Self.store(cluster, in: &clusters, reusing: &freeClusters)
        liveClusters += 1
        slotByIdentifier[identifier] = slot
        linkNewest(cluster: slot)
        sources[Int(source)].clusterCount += 1
        let leaf = leafForNewCluster(source: source)
        clusters[Int(slot)].leaf = leaf
        leaves[Int(leaf)].clusters.append(slot)
        enforceCaps(leaf: leaf, source: source)
        return slot
    }

    /// The leaf a new category of the current tokens goes to, made when missing (Drain3's `add_seq_to_prefix_tree`).
    mutating func leafForNewCluster(source: Int32) -> Int32 {
        let keys = tokens.keys
        let length = Int32(keys.count)
        let wildcardKey = LeafKey(source: source, length: length, first: TokenHash.wildcard)
        if keys.count <= 1 { return leaf(for: wildcardKey, isChild: false) }
        if tokens.shapes[0].isVariable { return leaf(for: wildcardKey, isChild: true) }
        let exactKey = LeafKey(source: source, length: length, first: keys[0])
        if let leaf = leafByKey[exactKey] { return leaf }
        let children = Int(childrenByLength[LengthKey(source: source, length: length)] ?? 0)
        if leafByKey[wildcardKey] != nil {
            return children < limits.maximumChildren ? leaf(for: exactKey, isChild: true) : leaf(for: wildcardKey, isChild: true)
        }
        return children + 1 < limits.maximumChildren ? leaf(for: exactKey, isChild: true) : leaf(for: wildcardKey, isChild: true)
    }

    /// The leaf for `key`, made (and counted as a child of its length node when `isChild`) when missing.
    mutating func leaf(for key: LeafKey, isChild: Bool) -> Int32 {
        if let leaf = leafByKey[key] { return leaf }
        let leaf = Self.store(Leaf(key: key, isLive: true), in: &leaves, reusing: &freeLeaves)
        leafByKey[key] = leaf
        if key.length >= 2 { childrenByLength[LengthKey(source: key.source, length: key.length), default: 0] += 1 }
        return leaf
    }

    /// The first line's first 200 bytes at most, cut before a UTF-8 sequence the cut would split.
    static func example(of line: UnsafeRawBufferPointer) -> [UInt8] {
        guard line.count > 200 else { return Array(line) }
        var end = 200
        var steps = 0
        while end > 0, steps < 3, line[end] & 0xC0 == 0x80 {
            end -= 1
            steps += 1
        }
        return Array(line[0..<end])
    }
}
