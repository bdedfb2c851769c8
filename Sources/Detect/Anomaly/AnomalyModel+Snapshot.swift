import Rules

/// The model's state as bytes, saved with the checkpoint (same file, same crash guarantees).
///
/// Layout (little-endian, `StateEncoder`): the magic `cordon-model`, a version, the learning
/// start, both miners' snapshots, per category_rate detector (by rule id) its cells by category
/// id, executables and users least recently used first (so a restore rebuilds the same
/// recency order), then the hourly alert budgets. Detectors added since the save start fresh;
/// state of detectors removed is dropped.
extension AnomalyModel {
    static let magic = Array("cordon-model".utf8)
    static let version = 1

    /// The state as bytes.
    public func snapshot() -> [UInt8] {
        var encoder = StateEncoder()
        encoder.write(Self.magic)
        encoder.write(Self.version)
        encoder.write(learningStart != nil)
        encoder.write(learningStart ?? 0)
        var minerBytes: [UInt8] = []
        miner.encode(into: &minerBytes)
        encoder.write(minerBytes)
        minerBytes.removeAll()
        userMiner.encode(into: &minerBytes)
        encoder.write(minerBytes)
        encoder.write(rateDetectors.count)
        for (position, index) in rateDetectors.enumerated() {
            encoder.write(detectors[index].rule.identifier)
            for cells in [rateCells[position], userRateCells[position]] {
                let held = cells.filter { $0.identifier != 0 }
                encoder.write(held.count)
                for cell in held {
                    encoder.write(cell.identifier)
                    encoder.write(cell.windowStart)
                    encoder.write(Int(cell.count))
                    encoder.write(cell.fired)
                    encoder.write(cell.baseline)
                    encoder.write(cell.peak)
                }
            }
        }
        let processEntries = processes.entries
        encoder.write(processEntries.count)
        for (key, seen) in processEntries {
            encoder.write(key)
            Self.write(seen, to: &encoder)
        }
        let loginEntries = logins.entries
        encoder.write(loginEntries.count)
        for (key, history) in loginEntries {
            encoder.write(key)
            encoder.write(history.user)
            encoder.write(history.firstSeen)
            encoder.write(UInt64(history.hours))
            encoder.write(history.networks.count)
            for network in history.networks {
                encoder.write(network.hash)
                Self.write(network.seen, to: &encoder)
            }
        }
        let budgetEntries = budgets.sorted { $0.key < $1.key }
        encoder.write(budgetEntries.count)
        for (key, budget) in budgetEntries {
            encoder.write(key)
            encoder.write(budget.hour)
            encoder.write(budget.count)
            encoder.write(budget.suppressed)
            encoder.write(budget.carried)
        }
        return encoder.bytes
    }

    private static func write(_ seen: Seen, to encoder: inout StateEncoder) {
        encoder.write(seen.text)
        encoder.write(seen.firstSeen)
        encoder.write(seen.lastSeen)
        encoder.write(seen.count)
    }

    private static func readSeen(_ decoder: inout StateDecoder) throws(StateDecodingError) -> Seen {
        Seen(text: try decoder.readString(), firstSeen: try decoder.readUInt64(), lastSeen: try decoder.readUInt64(),
             count: try decoder.readUInt64())
    }

    /// A model restored from `snapshot()` bytes, for `detectors`.
    /// - Throws: `StateDecodingError` when the bytes are not a model snapshot (or a newer version).
    public convenience init(detectors rules: [CorrelationRule], limits: Limits = Limits(), restoring bytes: [UInt8]) throws(StateDecodingError) {
        self.init(detectors: rules, limits: limits)
        var decoder = StateDecoder(bytes)
        guard (try? decoder.readBytes()) == Self.magic else { throw StateDecodingError(message: "not a Cordon model") }
        let version = try decoder.readInt()
        guard version == Self.version else {
            throw StateDecodingError(message: "model version \(version); this build reads version \(Self.version)")
        }
        let hasStart = try decoder.readBool()
        let start = try decoder.readUInt64()
        learningStart = hasStart ? start : nil
        do {
            miner = try TemplateMiner(decoding: try decoder.readBytes()[...], limits: limits.miner)
            userMiner = try TemplateMiner(decoding: try decoder.readBytes()[...], limits: limits.userMiner)
        } catch let error as TemplateMinerError {
            throw StateDecodingError(message: "categories: \(error)")
        } catch let error as StateDecodingError {
            throw error
        } catch {
            throw StateDecodingError(message: "\(error)")
        }
        let positions = Dictionary(rateDetectors.enumerated().map { (detectors[$0.element].rule.identifier, $0.offset) },
                                   uniquingKeysWith: { first, _ in first })
        let rateCount = try Self.count(&decoder)
        for _ in 0..<rateCount {
            let identifier = try decoder.readString()
            let position = positions[identifier]
            for trusted in [true, false] {
                // Filled apart and stored once: writing each cell through the model's array of
                // arrays copied the detector's cells for every cell restored.
                var cells: [RateCell] = []
                let cellCount = try Self.count(&decoder)
                for _ in 0..<cellCount {
                    var cell = RateCell()
                    cell.identifier = try decoder.readUInt64()
                    cell.windowStart = try decoder.readUInt64()
                    cell.count = UInt32(clamping: try decoder.readInt())
                    cell.fired = try decoder.readBool()
                    cell.baseline = try decoder.readDouble()
                    cell.peak = try decoder.readDouble()
                    guard position != nil, let slot = (trusted ? miner : userMiner).slot(of: cell.identifier).map(Int.init) else { continue }
                    if slot >= cells.count { cells.append(contentsOf: repeatElement(RateCell(), count: slot - cells.count + 1)) }
                    cells[slot] = cell
                }
                guard let position else { continue }
                if trusted { rateCells[position] = cells } else { userRateCells[position] = cells }
            }
        }
        let processCount = try Self.count(&decoder)
        for _ in 0..<processCount {
            let key = try decoder.readUInt64()
            _ = processes.set(try Self.readSeen(&decoder), forKey: key)
        }
        let loginCount = try Self.count(&decoder)
        for _ in 0..<loginCount {
            let key = try decoder.readUInt64()
            var history = LoginHistory(user: try decoder.readString(), firstSeen: try decoder.readUInt64(), networks: [],
                                       hours: UInt32(truncatingIfNeeded: try decoder.readUInt64()))
            let networkCount = try Self.count(&decoder)
            for _ in 0..<networkCount {
                let hash = try decoder.readUInt64()
                history.networks.append((hash, try Self.readSeen(&decoder)))
            }
            if history.networks.count > limits.networksPerUser { history.networks.removeFirst(history.networks.count - limits.networksPerUser) }
            _ = logins.set(history, forKey: key)
        }
        let budgetCount = try Self.count(&decoder)
        for _ in 0..<budgetCount {
            let key = try decoder.readUInt64()
            budgets[key] = Budget(hour: try decoder.readUInt64(), count: try decoder.readInt(), suppressed: try decoder.readInt(),
                                  carried: try decoder.readInt())
        }
        guard decoder.isAtEnd else { throw StateDecodingError(message: "model has \(bytes.count - decoder.offset) bytes too many") }
        countedMinerEvictions = miner.evictions
        countedUserMinerEvictions = userMiner.evictions
    }

    /// A count read from the snapshot, checked to be sane.
    private static func count(_ decoder: inout StateDecoder) throws(StateDecodingError) -> Int {
        let count = try decoder.readInt()
        guard count >= 0, count <= 100_000_000 else { throw StateDecodingError(message: "bad count \(count) at byte \(decoder.offset)") }
        return count
    }
}
