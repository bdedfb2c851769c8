/// An Aho–Corasick automaton over bytes, ASCII case-insensitive: one pass over a field value
/// reports every pattern whose literal occurs in it, for the "rules whose required literal is
/// present" bitset that lets the engine skip most rules.
///
/// The automaton is a full DFA: failure links are folded into a flat transition table over
/// byte equivalence classes (every byte that no literal uses shares one class, and `A`–`Z`
/// share the class of `a`–`z`). Entries are row offsets into the table, so a step is two
/// loads and an add; the top bit of an entry marks states where some literal ends. Scanning
/// allocates nothing.
struct LiteralPrefilter: Sendable {
    /// Marks a table entry whose target state ends at least one literal.
    static let outputFlag: UInt32 = 1 << 31

    /// The class of each byte value; class 0 is "in no literal".
    let byteClasses: [UInt8]
    /// How many classes there are (the table's row length).
    let classCount: Int
    /// `transitions[state * classCount + class]`: the next state's row offset, flagged.
    let transitions: [UInt32]
    /// For each state, where its own pattern ids start in `outputIds`; one extra at the end.
    let outputStarts: [Int32]
    /// The pattern ids of each state's own literals, state after state.
    let outputIds: [Int32]
    /// For each state, the nearest state on its failure chain with literals of its own, or -1.
    let outputLinks: [Int32]
    /// Ids of empty literals: present in every value.
    let alwaysPresent: [Int]
    /// The largest id plus one: the capacity a `PatternSet` needs.
    let idCapacity: Int

    /// How many states the automaton has.
    var stateCount: Int { outputLinks.count }
    /// The transition table's size in bytes.
    var tableByteCount: Int { transitions.count * MemoryLayout<UInt32>.stride }

    /// An empty set sized for this prefilter's ids.
    func makePatternSet() -> PatternSet { PatternSet(capacity: idCapacity) }

    /// Reports into `seen` the id of every pattern whose literal occurs in `bytes`
    /// (ASCII case-insensitively). Adds to `seen` without clearing it.
    func scan(_ bytes: UnsafeRawBufferPointer, into seen: inout PatternSet) {
        for id in alwaysPresent { seen.insert(id) }
        let classCount = UInt32(self.classCount)
        byteClasses.withUnsafeBufferPointer { classes in
            transitions.withUnsafeBufferPointer { table in
                var offset: UInt32 = 0
                for byte in bytes {
                    let next = table[Int(offset) + Int(classes[Int(byte)])]
                    offset = next & ~LiteralPrefilter.outputFlag
                    if next & LiteralPrefilter.outputFlag != 0 {
                        report(state: Int(offset / classCount), into: &seen)
                    }
                }
            }
        }
    }

    /// Reports into `seen` the id of every pattern whose literal occurs in `bytes`.
    func scan(_ bytes: some Collection<UInt8>, into seen: inout PatternSet) {
        if bytes.withContiguousStorageIfAvailable({ scan(UnsafeRawBufferPointer($0), into: &seen) }) == nil {
            Array(bytes).withUnsafeBytes { scan($0, into: &seen) }
        }
    }

    /// Adds the ids of the literals that end in `state`, following the output links.
    private func report(state: Int, into seen: inout PatternSet) {
        var current = state
        while current >= 0 {
            for index in Int(outputStarts[current])..<Int(outputStarts[current + 1]) {
                seen.insert(Int(outputIds[index]))
            }
            current = Int(outputLinks[current])
        }
    }
}
