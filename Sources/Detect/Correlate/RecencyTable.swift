/// A map with a fixed capacity that forgets its least recently used entry when full: the bounded
/// store behind every correlation rule's and detector's groups (and first_seen's values per group).
///
/// Entries form a doubly linked list from least to most recently used, kept in one dense array
/// of nodes (a removed node's slot is filled by the last node), so lookup, insertion, use and
/// eviction cost O(1) and memory is `capacity` nodes at most.
struct RecencyTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Node: Sendable {
        var key: Key
        var value: Value
        /// The next less recently used node, or -1.
        var older: Int
        /// The next more recently used node, or -1.
        var newer: Int
    }

    /// The most entries held; at least 1.
    let capacity: Int
    private var nodes: [Node] = []
    private var slots: [Key: Int] = [:]
    /// The least recently used node, or -1 when empty.
    private var oldest = -1
    /// The most recently used node, or -1 when empty.
    private var newest = -1

    /// An empty table holding at most `capacity` entries (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Entries held.
    var count: Int { nodes.count }

    var isEmpty: Bool { nodes.isEmpty }

    /// The value for `key`, without marking it used.
    func value(forKey key: Key) -> Value? {
        slots[key].map { nodes[$0].value }
    }

    /// Whether `key` is held.
    func contains(_ key: Key) -> Bool { slots[key] != nil }

    /// The least recently used entry.
    var leastRecent: (key: Key, value: Value)? {
        oldest < 0 ? nil : (nodes[oldest].key, nodes[oldest].value)
    }

    /// Entries from least to most recently used: the order `set` rebuilds the table in.
    var entries: [(key: Key, value: Value)] {
        var result: [(key: Key, value: Value)] = []
        result.reserveCapacity(nodes.count)
        var slot = oldest
        while slot >= 0 {
            result.append((nodes[slot].key, nodes[slot].value))
            slot = nodes[slot].newer
        }
        return result
    }

    /// Changes the value for `key` in place without marking it used; nil when `key` is not held.
    mutating func modify<Result>(_ key: Key, _ body: (inout Value) throws -> Result) rethrows -> Result? {
        guard let slot = slots[key] else { return nil }
        return try body(&nodes[slot].value)
    }

    /// Marks `key` as the most recently used; false when it is not held.
    @discardableResult
    mutating func touch(_ key: Key) -> Bool {
        guard let slot = slots[key] else { return false }
        unlink(slot)
        append(slot)
        return true
    }

    /// Stores `value` for `key` as the most recently used entry; when that makes the table hold
    /// more than `capacity` entries, removes the least recently used one and returns it.
    @discardableResult
    mutating func set(_ value: Value, forKey key: Key) -> (key: Key, value: Value)? {
        if let slot = slots[key] {
            nodes[slot].value = value
            unlink(slot)
            append(slot)
            return nil
        }
        var evicted: (key: Key, value: Value)?
        if nodes.count >= capacity { evicted = removeLeastRecent() }
        nodes.append(Node(key: key, value: value, older: -1, newer: -1))
        slots[key] = nodes.count - 1
        append(nodes.count - 1)
        return evicted
    }

    /// Removes and returns the least recently used entry.
    @discardableResult
    mutating func removeLeastRecent() -> (key: Key, value: Value)? {
        guard oldest >= 0 else { return nil }
        let key = nodes[oldest].key
        return removeValue(forKey: key).map { (key, $0) }
    }

    /// Removes the entry for `key` and returns its value.
    @discardableResult
    mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = slots.removeValue(forKey: key) else { return nil }
        unlink(slot)
        let removed = nodes[slot]
        let last = nodes.count - 1
        if slot != last {
            // Move the last node into the freed slot and point its neighbours and key at it.
            nodes.swapAt(slot, last)
            let moved = nodes[slot]
            if moved.older >= 0 { nodes[moved.older].newer = slot } else { oldest = slot }
            if moved.newer >= 0 { nodes[moved.newer].older = slot } else { newest = slot }
            slots[moved.key] = slot
        }
        nodes.removeLast()
        return removed.value
    }

    /// Takes `slot` out of the recency list (its node stays in `nodes`).
    private mutating func unlink(_ slot: Int) {
        let node = nodes[slot]
        if node.older >= 0 { nodes[node.older].newer = node.newer } else { oldest = node.newer }
        if node.newer >= 0 { nodes[node.newer].older = node.older } else { newest = node.older }
        nodes[slot].older = -1
        nodes[slot].newer = -1
    }

    /// Puts `slot` at the most recently used end of the list.
    private mutating func append(_ slot: Int) {
        nodes[slot].older = newest
        nodes[slot].newer = -1
        if newest >= 0 { nodes[newest].newer = slot } else { oldest = slot }
        newest = slot
    }
}
