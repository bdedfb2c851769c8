import Journal

/// The processes seen starting (audit execve events), by boot and pid, so a later event can
/// name its parent: bounded, forgetting the oldest first.
///
/// A pid reused after its process exited is simply replaced by the next execve that names it;
/// a process that forked without executing anything inherits nothing here, so its children get
/// no parent fields (rather than a wrong one) unless `/proc` is consulted when live.
struct ProcessTable {
    struct Key: Hashable {
        let boot: ID128
        let pid: Int32
    }

    struct Process {
        let image: [UInt8]
        let commandLine: [UInt8]
        let user: [UInt8]?
    }

    let capacity: Int
    private var processes: [Key: (process: Process, generation: UInt64)] = [:]
    /// Insertion order as a ring; a slot whose generation no longer matches was replaced.
    private var order: [(key: Key, generation: UInt64)] = []
    private var oldest = 0
    private var generation: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func process(_ key: Key) -> Process? {
        processes[key]?.process
    }

    /// Remembers `process` under `key`; returns how many processes were forgotten to make room.
    mutating func insert(_ process: Process, at key: Key) -> Int {
        generation += 1
        processes[key] = (process, generation)
        var evicted = 0
        if order.count < capacity {
            order.append((key, generation))
            return 0
        }
        // The ring is full: the slot of the oldest insertion takes the new one.
        let slot = order[oldest]
        if let current = processes[slot.key], current.generation == slot.generation {
            processes[slot.key] = nil
            evicted = 1
        }
        order[oldest] = (key, generation)
        oldest = (oldest + 1) % capacity
        return evicted
    }

    var count: Int { processes.count }
}
