import Journal

/// One observation a window holds: what it contributes and the evidence it brings.
struct WindowPoint: Sendable, Equatable {
    /// Entry time, µs since the epoch.
    var realtime: UInt64
    /// The observation's entry.
    var cursor: Cursor
    /// Whether journald vouched for it.
    var isTrusted: Bool
    /// temporal: the distinct referenced rules it is for; temporal_ordered: the positions in
    /// `ruleReferences` it is for; otherwise empty.
    var references: [Int] = []
    /// value_count: the values of `condition.field` (one per field); otherwise empty.
    var distinctValue: [[UInt8]] = []
    /// value_sum, value_avg, value_percentile: the number; otherwise nil.
    var number: Double?
    /// For a correlation rule's match: the entries it was built from; otherwise empty.
    var evidence: [Cursor] = []
}

/// The observations of one group, sorted by entry time (ties in arrival order), with the
/// aggregates the Sigma types measure kept up to date as observations come and go.
struct SigmaWindow: Sendable {
    /// Points; the live ones are `storage[start...]` (removing from the front is O(1)).
    private var storage: [WindowPoint] = []
    private var start = 0
    /// value_count: how many live points hold each value.
    private(set) var valueCounts: [[[UInt8]]: Int] = [:]
    /// temporal: how many live points are for each referenced rule.
    private(set) var referenceCounts: [Int] = []
    /// Referenced rules with at least one live point.
    private(set) var distinctReferences = 0
    /// value_sum, value_avg, value_percentile: the live numbers, ascending.
    private(set) var sortedNumbers: [Double] = []

    /// The live points, oldest first.
    var points: ArraySlice<WindowPoint> { storage[start...] }
    var count: Int { storage.count - start }
    var isEmpty: Bool { count == 0 }
    var oldestRealtime: UInt64? { isEmpty ? nil : storage[start].realtime }
    var newestRealtime: UInt64? { storage.last?.realtime }

    /// Adds a point in entry-time order, after any point with the same time.
    mutating func insert(_ point: WindowPoint) {
        if let last = storage.last, start < storage.count, point.realtime < last.realtime {
            var low = start, high = storage.count
            while low < high {
                let middle = (low + high) / 2
                if storage[middle].realtime <= point.realtime { low = middle + 1 } else { high = middle }
            }
            storage.insert(point, at: low)
        } else {
            storage.append(point)
        }
        account(point, sign: 1)
    }

    /// Removes the oldest point.
    mutating func removeOldest() {
        guard start < storage.count else { return }
        account(storage[start], sign: -1)
        start += 1
        compact()
    }

    /// Removes the points older than `bound`.
    mutating func removeOlder(than bound: UInt64) {
        while let oldest = oldestRealtime, oldest < bound { removeOldest() }
    }

    /// Removes and returns the points newer than `bound`.
    mutating func removeNewer(than bound: UInt64) -> [WindowPoint] {
        var removed: [WindowPoint] = []
        while storage.count > start, let last = storage.last, last.realtime > bound {
            account(last, sign: -1)
            removed.append(storage.removeLast())
        }
        compact()
        return removed.reversed()
    }

    /// Sum of the live numbers (added in ascending order, so it does not depend on arrival order).
    var sum: Double { sortedNumbers.reduce(0, +) }

    private mutating func account(_ point: WindowPoint, sign: Int) {
        if !point.distinctValue.isEmpty {
            let updated = valueCounts[point.distinctValue, default: 0] + sign
            valueCounts[point.distinctValue] = updated > 0 ? updated : nil
        }
        for reference in point.references {
            if reference >= referenceCounts.count {
                referenceCounts += Array(repeating: 0, count: reference + 1 - referenceCounts.count)
            }
            let before = referenceCounts[reference]
            referenceCounts[reference] += sign
            if before == 0, sign > 0 { distinctReferences += 1 }
            if before == 1, sign < 0 { distinctReferences -= 1 }
        }
        if let number = point.number {
            var low = 0, high = sortedNumbers.count
            while low < high {
                let middle = (low + high) / 2
                if sortedNumbers[middle] < number { low = middle + 1 } else { high = middle }
            }
            if sign > 0 {
                sortedNumbers.insert(number, at: low)
            } else if low < sortedNumbers.count {
                sortedNumbers.remove(at: low)
            }
        }
    }

    private mutating func compact() {
        if start == storage.count {
            storage.removeAll(keepingCapacity: storage.count <= 64)
            start = 0
        } else if start > 64, start * 2 > storage.count {
            storage.removeFirst(start)
            start = 0
        }
    }
}
