/// A dictionary that remembers which key was updated least recently, so a bounded table can
/// evict it in O(1): a doubly linked list threaded through an array of slots.
struct RecencyTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Slot: Sendable {
        var key: Key
        var value: Value
        var older: Int
        var newer: Int
    }

    private var slots: [Slot?] = []
    private var indices: [Key: Int] = [:]
    private var freeSlots: [Int] = []
    /// The least recently updated slot, or -1.
    private var oldest = -1
    /// The most recently updated slot, or -1.
    private var newest = -1

    /// Entries held.
    var count: Int { indices.count }

    /// The value for `key`, without changing its recency.
    func value(for key: Key) -> Value? {
        guard let index = indices[key] else { return nil }
        return slots[index]?.value
    }

    /// Whether `key` is held.
    func contains(_ key: Key) -> Bool { indices[key] != nil }

    /// Changes the value for `key` in place and, when `touch`, makes it the most recently
    /// updated. Returns nil (without calling `body`) when `key` is not held.
    mutating func update<Result>(_ key: Key, touch: Bool, _ body: (inout Value) -> Result) -> Result? {
        guard let index = indices[key] else { return nil }
        if touch { moveToNewest(index) }
        // The slot of a held key is never nil (only freed slots are).
        return body(&slots[index]!.value)
    }

    /// Adds `key` as the most recently updated entry. `key` must not be held.
    mutating func insert(_ key: Key, _ value: Value) {
        let slot = Slot(key: key, value: value, older: newest, newer: -1)
        let index: Int
        if let free = freeSlots.popLast() {
            index = free
            slots[index] = slot
        } else {
            index = slots.count
            slots.append(slot)
        }
        if newest >= 0 { slots[newest]!.newer = index } else { oldest = index }
        newest = index
        indices[key] = index
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func removeValue(for key: Key) -> Value? {
        guard let index = indices.removeValue(forKey: key) else { return nil }
        unlink(index)
        let value = slots[index]?.value
        slots[index] = nil
        freeSlots.append(index)
        if indices.isEmpty {
            slots.removeAll()
            freeSlots.removeAll()
        }
        return value
    }

    /// Removes the least recently updated entry; returns it.
    @discardableResult
    mutating func removeOldest() -> (key: Key, value: Value)? {
        guard oldest >= 0, let slot = slots[oldest] else { return nil }
        removeValue(for: slot.key)
        return (slot.key, slot.value)
    }

    /// The entries, least recently updated first.
    var entriesOldestFirst: [(key: Key, value: Value)] {
        var result: [(key: Key, value: Value)] = []
        result.reserveCapacity(count)
        var index = oldest
        while index >= 0, let slot = slots[index] {
            result.append((slot.key, slot.value))
            index = slot.newer
        }
        return result
    }

    private mutating func unlink(_ index: Int) {
        guard let slot = slots[index] else { return }
        if slot.older >= 0 { slots[slot.older]!.newer = slot.newer } else { oldest = slot.newer }
        if slot.newer >= 0 { slots[slot.newer]!.older = slot.older } else { newest = slot.older }
        slots[index]!.older = -1
        slots[index]!.newer = -1
    }

    private mutating func moveToNewest(_ index: Int) {
        guard index != newest else { return }
        unlink(index)
        slots[index]!.older = newest
        if newest >= 0 { slots[newest]!.newer = index } else { oldest = index }
        newest = index
    }
}
