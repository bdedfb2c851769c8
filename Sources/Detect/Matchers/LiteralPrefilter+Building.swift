extension LiteralPrefilter {
    /// Builds the automaton.
    /// - Parameter patterns: each literal's bytes and the id to report for it. Ids must not be
    ///   negative; several literals may share an id, and one literal may carry several ids.
    ///   An empty literal is present in every value.
    /// - Precondition: the table has fewer than 2³¹ entries (about 8 GB), which no rule set
    ///   comes near: 3,000 literals of 12 bytes make about 36,000 states.
    init(patterns: [(bytes: [UInt8], id: Int)]) {
        // Byte classes: one per distinct case-folded byte used by a literal; 0 for the rest.
        var folded = [UInt8](repeating: 0, count: 256)
        for byte in 0..<256 { folded[byte] = ASCIICase.lowercased(UInt8(byte)) }
        var classOfFolded = [Int](repeating: 0, count: 256)
        var classCount = 1
        for pattern in patterns {
            for byte in pattern.bytes where classOfFolded[Int(folded[Int(byte)])] == 0 {
                classOfFolded[Int(folded[Int(byte)])] = classCount
                classCount += 1
            }
        }
        // At most 230 distinct folded bytes plus class 0: a class always fits a byte.
        let byteClasses = (0..<256).map { UInt8(classOfFolded[Int(folded[$0])]) }

        // The trie, as dense rows of state numbers (-1: no edge yet).
        var goto: [Int32] = [Int32](repeating: -1, count: classCount)
        var ownIds: [[Int32]] = [[]]
        var alwaysPresent: [Int] = []
        var idCapacity = 0
        for pattern in patterns {
            precondition(pattern.id >= 0, "LiteralPrefilter: pattern ids must not be negative")
            idCapacity = max(idCapacity, pattern.id + 1)
            guard !pattern.bytes.isEmpty else {
                alwaysPresent.append(pattern.id)
                continue
            }
            var state = 0
            for byte in pattern.bytes {
                let index = state * classCount + Int(byteClasses[Int(byte)])
                if goto[index] < 0 {
                    goto[index] = Int32(ownIds.count)
                    ownIds.append([])
                    goto += [Int32](repeating: -1, count: classCount)
                }
                state = Int(goto[index])
            }
            ownIds[state].append(Int32(pattern.id))
        }
        let stateCount = ownIds.count
        precondition(stateCount * classCount < Int(LiteralPrefilter.outputFlag), "LiteralPrefilter: table too large")

        // Breadth-first: failure links, output links, and missing edges filled from the
        // failure state's row, which is complete because it is shallower.
        var failure = [Int32](repeating: 0, count: stateCount)
        var outputLinks = [Int32](repeating: -1, count: stateCount)
        var queue: [Int] = []
        queue.reserveCapacity(stateCount)
        for symbol in 0..<classCount {
            let child = goto[symbol]
            if child < 0 { goto[symbol] = 0 } else { queue.append(Int(child)) }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for symbol in 0..<classCount {
                let index = state * classCount + symbol
                let child = goto[index]
                let fallback = goto[Int(failure[state]) * classCount + symbol]
                if child < 0 {
                    goto[index] = fallback
                } else {
                    failure[Int(child)] = fallback
                    outputLinks[Int(child)] = ownIds[Int(fallback)].isEmpty ? outputLinks[Int(fallback)] : fallback
                    queue.append(Int(child))
                }
            }
        }

        let hasOutput = (0..<stateCount).map { !ownIds[$0].isEmpty || outputLinks[$0] >= 0 }
        self.transitions = goto.map { target in
            UInt32(target) * UInt32(classCount) | (hasOutput[Int(target)] ? LiteralPrefilter.outputFlag : 0)
        }
        var outputStarts: [Int32] = [0]
        var outputIds: [Int32] = []
        for ids in ownIds {
            outputIds += ids
            outputStarts.append(Int32(outputIds.count))
        }
        self.byteClasses = byteClasses
        self.classCount = classCount
        self.outputStarts = outputStarts
        self.outputIds = outputIds
        self.outputLinks = outputLinks
        self.alwaysPresent = alwaysPresent
        self.idCapacity = idCapacity
    }
}
