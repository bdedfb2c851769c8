/// A min-heap of (deadline, key) with lazy deletion: a key may appear several times or after its
/// entry is gone; the owner checks each popped pair against its own record.
struct DeadlineQueue<Key: Hashable & Sendable>: Sendable {
    private var heap: [(deadline: UInt64, key: Key)] = []

    /// Pairs held, stale ones included.
    var count: Int { heap.count }

    /// The earliest deadline held.
    var earliest: UInt64? { heap.first?.deadline }

    mutating func push(_ deadline: UInt64, _ key: Key) {
        heap.append((deadline, key))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the pair with the earliest deadline.
    mutating func pop() -> (deadline: UInt64, key: Key)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    mutating func removeAll() { heap.removeAll() }
}
