import Glibc
import Journal
import Parse
import Rules

/// The learned model of what is normal on a host, and the anomaly detectors that read it.
///
/// Every entry is categorised (`TemplateMiner`, per source: `EntrySource`); `rare_category`
/// reports a category (or a new variant of one) first seen after its learning period,
/// `category_rate` a category whose count in a window breaks its learned baseline,
/// `rare_process` an executable first seen after learning (journal senders by unit, and the
/// process events of the rules it names), `rare_login` a user logging in from a network or at an
/// hour not seen for them. Time is entry time; the learning period starts at the first entry the
/// model ever saw, and the state (`snapshot()`) is saved with the checkpoint.
///
/// Bounded: categories per source, in all, and of untrusted sources apart (so a local user's
/// flood of messages cannot evict the system's categories); executables; users and networks per
/// user; alerts per detector and source per hour (`limit`), the rest counted as suppressed.
/// Not thread-safe: the pipeline's thread owns it.
public final class AnomalyModel {
    /// How much the model holds at most.
    public struct Limits: Sendable, Equatable {
        /// Categories of trusted sources (system units, kernel, audit, root processes).
        public var miner = TemplateMiner.Limits()
        /// Categories of untrusted sources (commands of local users), held apart.
        public var userMiner: TemplateMiner.Limits = {
            var limits = TemplateMiner.Limits()
            limits.categories = 2_000
            limits.categoriesPerSource = 200
            limits.sources = 200
            return limits
        }()
        /// Executables remembered (rare_process).
        public var processes = 20_000
        /// Users remembered (rare_login), and networks per user.
        public var users = 10_000
        public var networksPerUser = 32

        public init() {}
    }

    /// One category_rate detector's window and baseline for one category.
    struct RateCell: Sendable {
        /// The category it counts (a slot is reused after an eviction).
        var identifier: UInt64 = 0
        var windowStart: UInt64 = 0
        var count: UInt32 = 0
        var fired = false
        /// EWMA of closed windows' counts; negative until a window closed.
        var baseline: Double = -1
        /// The highest window count during learning.
        var peak: Double = 0
    }

    /// An executable (rare_process) or a login network (rare_login) as remembered.
    struct Seen: Sendable {
        var text: String
        var firstSeen: UInt64
        var lastSeen: UInt64
        var count: UInt64
    }

    /// What rare_login remembers of one user.
    struct LoginHistory: Sendable {
        var user: String
        var firstSeen: UInt64
        /// Networks by hash, least recently used first.
        var networks: [(hash: UInt64, seen: Seen)]
        /// Hours of the day (UTC) the user logged in at: bit h for hour h.
        var hours: UInt32
    }

    /// Alerts of one detector and source in one hour of entry time.
    struct Budget: Sendable {
        var hour: UInt64
        var count: Int
        var suppressed: Int
        /// Suppressed in the hour before, not yet mentioned in an alert.
        var carried: Int
    }

    public let detectors: [AnomalyDetector]
    public let limits: Limits
    /// Values an operator marked normal (`cordon model forget`): never reported.
    public var normal: Set<String> = []
    // @exclusivity(unchecked) on the properties written per entry: no dynamic access checks (~2 % of a replay);
    // safe because the pipeline's thread owns the model and no access to one of them overlaps another (see the type's comment).
    @exclusivity(unchecked) public internal(set) var statistics = AnomalyStatistics()

    @exclusivity(unchecked) var miner: TemplateMiner
    @exclusivity(unchecked) var userMiner: TemplateMiner
    /// Entry time of the first entry the model saw: learning periods count from it.
    @exclusivity(unchecked) public internal(set) var learningStart: UInt64?
    /// Per category_rate detector (index in `rateDetectors`), cells by slot, for trusted and untrusted sources.
    @exclusivity(unchecked) var rateCells: [[RateCell]]
    @exclusivity(unchecked) var userRateCells: [[RateCell]]
    @exclusivity(unchecked) var processes: RecencyTable<UInt64, Seen>
    @exclusivity(unchecked) var logins: RecencyTable<UInt64, LoginHistory>
    @exclusivity(unchecked) var budgets: [UInt64: Budget] = [:]

    let rareCategoryDetectors: [Int]
    let rateDetectors: [Int]
    let processDetectors: [Int]
    /// Rule id → detectors (rare_login, rare_process) reading its matches.
    let detectorsByRule: [String: [Int]]
    /// Whether any detector reads entries (else only rules reading `CORDON_CATEGORY` need categories).
    public let readsEntries: Bool

    @exclusivity(unchecked) private var source = EntrySource()
    /// The miners' eviction counts already in `statistics` (which counts since the model was made
    /// or restored).
    @exclusivity(unchecked) var countedMinerEvictions = 0
    @exclusivity(unchecked) var countedUserMinerEvictions = 0
    /// The last entry's category, for `CORDON_CATEGORY`/`CORDON_TEMPLATE`.
    @exclusivity(unchecked) public private(set) var lastCategory: UInt64 = 0
    @exclusivity(unchecked) private var lastSlot: Int32 = -1
    @exclusivity(unchecked) private var lastWasTrusted = true

    /// A fresh model (nothing learned) for `detectors` (anomaly kinds only; others are ignored).
    public init(detectors rules: [CorrelationRule], limits: Limits = Limits()) {
        let detectors = rules.filter(\.kind.isAnomaly).map(AnomalyDetector.init)
        self.detectors = detectors
        self.limits = limits
        miner = TemplateMiner(limits: limits.miner)
        userMiner = TemplateMiner(limits: limits.userMiner)
        processes = RecencyTable(capacity: limits.processes)
        logins = RecencyTable(capacity: limits.users)
        rareCategoryDetectors = detectors.indices.filter { detectors[$0].rule.kind == .rareCategory }
        rateDetectors = detectors.indices.filter { detectors[$0].rule.kind == .categoryRate }
        processDetectors = detectors.indices.filter { detectors[$0].rule.kind == .rareProcess }
        var byRule: [String: [Int]] = [:]
        for (index, detector) in detectors.enumerated() {
            for identifier in detector.rule.resolvedReferences { byRule[identifier, default: []].append(index) }
        }
        detectorsByRule = byRule
        rateCells = Array(repeating: [], count: rateDetectors.count)
        userRateCells = Array(repeating: [], count: rateDetectors.count)
        readsEntries = detectors.contains { $0.rule.kind != .rareLogin }
    }

    /// Categories held, of trusted and untrusted sources.
    public var categoryCount: Int { miner.count + userMiner.count }

    /// Whether some detector reads the matches of the rule with this id.
    public func refers(to ruleIdentifier: String) -> Bool { detectorsByRule[ruleIdentifier] != nil }

    /// Whether the rule's own matches should not alert: anomaly detectors with `generate: false`
    /// name it and none with `generate: true` does.
    public func suppressesStandaloneAlerts(ruleIdentifier: String) -> Bool {
        guard let indices = detectorsByRule[ruleIdentifier] else { return false }
        return !indices.contains { detectors[$0].rule.generate }
    }

    /// The fields the rule's matches must carry for the detectors that read them.
    public func fieldNames(forRule identifier: String) -> [String] {
        Array(Set((detectorsByRule[identifier] ?? []).flatMap { detectors[$0].capturedFields })).sorted()
    }

    /// Entry fields the model reads.
    public static let fieldNames: Set<String> = EntrySource.fieldNames.union(["MESSAGE"])


    // MARK: Entries

    /// Categorises `entry` (learning it) and runs the entry detectors on it.
    public func observe(_ entry: JournalEntry, into findings: inout [AnomalyFinding]) {
        let realtime = entry.realtime
        lastRealtime = realtime
        if learningStart == nil { learningStart = realtime }
        source.read(entry)
        let message = source.message.map { entry.storage[$0] } ?? []
        let trusted = source.isTrusted
        let outcome = source.name.withUnsafeBytes { name in
            message.withUnsafeBytes { text in
                trusted ? miner.categorise(source: name, message: text, realtime: realtime)
                        : userMiner.categorise(source: name, message: text, realtime: realtime)
            }
        }
        statistics.categorised += 1
        lastCategory = outcome.identifier
        lastSlot = outcome.slot
        lastWasTrusted = trusted
        if miner.evictions != countedMinerEvictions {
            _ = miner.takeEvicted()
            statistics.minerEvictions += miner.evictions - countedMinerEvictions
            countedMinerEvictions = miner.evictions
        }
        if userMiner.evictions != countedUserMinerEvictions {
            _ = userMiner.takeEvicted()
            statistics.userMinerEvictions += userMiner.evictions - countedUserMinerEvictions
            countedUserMinerEvictions = userMiner.evictions
        }
        if outcome.isNew || outcome.generalised {
            for index in rareCategoryDetectors { rareCategory(detectors[index], index: index, outcome: outcome, realtime: realtime, into: &findings) }
        }
        for (position, index) in rateDetectors.enumerated() {
            categoryRate(detectors[index], index: index, position: position, outcome: outcome, realtime: realtime, into: &findings)
        }
        // Audit records carry the audited process's `_EXE`: their process events (the rules the
        // detector names) report those, with the parent and user, so they are not counted twice here.
        if !processDetectors.isEmpty, trusted, !source.isAudit,
           let exe = source.exe.map({ entry.storage[$0] }), !exe.isEmpty {
            let isRoot = source.uid.map { entry.storage[$0].elementsEqual([UInt8(ascii: "0")]) } ?? false
            journalProcess(exe: exe, isRoot: isRoot, realtime: realtime, into: &findings)
        }
    }

    /// The last observed entry's category as 16 hex digits (`CORDON_CATEGORY`).
    public var lastCategoryHex: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeMutableBytes { TemplateMiner.hex(lastCategory, into: $0) }
        return bytes
    }

    /// The last observed entry's category template (`CORDON_TEMPLATE`).
    public var lastTemplate: String {
        guard lastSlot >= 0 else { return "" }
        return (lastWasTrusted ? miner : userMiner).category(at: lastSlot).template
    }

    /// The end of a detector's learning period; nil before the first entry.
    func learningEnd(_ detector: AnomalyDetector) -> UInt64? {
        learningStart.map { $0 &+ detector.learning }
    }

    func isLearning(_ detector: AnomalyDetector, at realtime: UInt64) -> Bool {
        guard let end = learningEnd(detector) else { return true }
        return realtime < end
    }

    private func rareCategory(_ detector: AnomalyDetector, index: Int, outcome: TemplateMiner.Outcome, realtime: UInt64,
                              into findings: inout [AnomalyFinding]) {
        guard !isLearning(detector, at: realtime), detector.watches(source.name) else { return }
        let hex = Self.hex(outcome.identifier)
        guard !normal.contains(hex) else { return }
        let miner = source.isTrusted ? miner : userMiner
        let category = miner.category(at: outcome.slot)
        guard let carried = spend(detector, index: index, sourceHash: FNV1a.hash(source.name)) else { return }
        let sourceName = String(decoding: source.name, as: UTF8.self)
        var explanation: String
        if outcome.isNew {
            explanation = "a message from \(sourceName) unlike any during learning (\(Self.duration(detector.learning)) from \(Self.date(learningStart ?? realtime)))"
        } else {
            explanation = "a new variant of a message \(sourceName) has printed since \(Self.date(category.firstSeen)); its template became '\(category.template)'"
        }
        if carried > 0 { explanation += "; \(carried) more such alerts of this source were suppressed in the hour before (limit \(detector.limit) an hour)" }
        var finding = AnomalyFinding(rule: detector.rule, level: detector.rule.level, realtime: realtime, isTrusted: source.isTrusted,
                                     value: hex, source: sourceName, explanation: explanation)
        finding.category = hex
        finding.template = category.template
        finding.firstSeen = outcome.isNew ? nil : category.firstSeen
        finding.baseline = outcome.isNew ? "no category of \(sourceName) matched it" : "learned as '\(category.example)'"
        findings.append(finding)
    }

    private func categoryRate(_ detector: AnomalyDetector, index: Int, position: Int, outcome: TemplateMiner.Outcome,
                              realtime: UInt64, into findings: inout [AnomalyFinding]) {
        guard detector.watches(source.name) else { return }
        let slot = Int(outcome.slot)
        let trusted = source.isTrusted
        var cells = trusted ? rateCells[position] : userRateCells[position]
        // Move the array out so the cell is changed in place, not copied.
        if trusted { rateCells[position] = [] } else { userRateCells[position] = [] }
        defer { if trusted { rateCells[position] = cells } else { userRateCells[position] = cells } }
        if slot >= cells.count { cells.append(contentsOf: repeatElement(RateCell(), count: slot - cells.count + 1)) }
        if cells[slot].identifier != outcome.identifier || outcome.isNew {
            cells[slot] = RateCell(identifier: outcome.identifier)
        }
        let width = detector.window
        let start = realtime - realtime % width
        let learning = isLearning(detector, at: realtime)
        if cells[slot].windowStart != start, start > cells[slot].windowStart {
            Self.close(&cells[slot], detector: detector, learning: learning, nextStart: start)
            cells[slot].windowStart = start
            cells[slot].count = 0
            cells[slot].fired = false
        }
        cells[slot].count &+= 1
        let cell = cells[slot]
        guard !learning, !cell.fired else { return }
        let usual = max(cell.baseline, cell.peak, 0)
        let threshold = max(detector.floor, detector.factor * usual)
        guard Double(cell.count) >= detector.floor, Double(cell.count) > detector.factor * usual else { return }
        cells[slot].fired = true
        let hex = Self.hex(outcome.identifier)
        guard !normal.contains(hex) else { return }
        guard let carried = spend(detector, index: index, sourceHash: FNV1a.hash(source.name)) else { return }
        let category = (trusted ? miner : userMiner).category(at: outcome.slot)
        let sourceName = String(decoding: source.name, as: UTF8.self)
        var explanation = "\(cell.count) messages of one category from \(sourceName) in the \(Self.duration(width)) window from \(Self.date(start)); the threshold was \(Self.number(threshold))"
        if carried > 0 { explanation += "; \(carried) more such alerts of this source were suppressed in the hour before" }
        var finding = AnomalyFinding(rule: detector.rule, level: detector.rule.level, realtime: realtime, isTrusted: trusted,
                                     value: hex, source: sourceName, explanation: explanation)
        finding.category = hex
        finding.template = category.template
        finding.firstSeen = category.firstSeen
        finding.count = Double(cell.count)
        finding.baseline = "usual \(Self.number(max(cell.baseline, 0))) a window (moving average), highest during learning \(Self.number(cell.peak)); fires at \(Self.number(detector.factor))× that and at least \(Self.number(detector.floor))"
        findings.append(finding)
    }

    /// Folds a closed window into the cell's baseline, with the empty windows up to `nextStart`.
    static func close(_ cell: inout RateCell, detector: AnomalyDetector, learning: Bool, nextStart: UInt64) {
        guard cell.windowStart > 0 || cell.count > 0 else { return }
        let count = Double(cell.count)
        if learning { cell.peak = max(cell.peak, count) }
        // A window that fired enters the baseline clamped: one burst barely raises it.
        let usual = max(cell.baseline, cell.peak, 0)
        let counted = cell.fired ? min(count, max(detector.floor, detector.factor * usual)) : count
        cell.baseline = cell.baseline < 0 ? counted : cell.baseline + detector.smoothing * (counted - cell.baseline)
        let empty = (nextStart - cell.windowStart) / detector.window
        if empty > 1 {
            cell.baseline *= pow(1 - detector.smoothing, Double(min(empty - 1, 10_000)))
            if cell.baseline < 1e-9 { cell.baseline = 0 }
        }
    }

    private func journalProcess(exe: ArraySlice<UInt8>, isRoot: Bool, realtime: UInt64, into findings: inout [AnomalyFinding]) {
        var hasher = FNV1a()
        hasher.add(source.name)
        hasher.add(CollectionOfOne(0))
        hasher.add(exe)
        let hash = hasher.value
        if processes.touch(hash) {
            processes.modify(hash) { (seen: inout Seen) -> Void in
                seen.lastSeen = realtime
                seen.count &+= 1
            }
            return
        }
        let text = String(decoding: source.name, as: UTF8.self) + ": " + Escaping.text(exe, limit: 512)
        remember(hash: hash, text: text, realtime: realtime)
        for index in processDetectors {
            let detector = detectors[index]
            guard !isLearning(detector, at: realtime), !normal.contains(text) else { continue }
            let underNetworkService = source.isUnit && detector.networkUnits.matches(source.name)
            var level = detector.rule.level
            if underNetworkService || isRoot { level = max(level, .high) }
            guard let carried = spend(detector, index: index, sourceHash: 0) else { continue }
            let sourceName = String(decoding: source.name, as: UTF8.self)
            var explanation = "\(Escaping.text(exe, limit: 512)) wrote to the journal from \(sourceName) for the first time"
            if underNetworkService { explanation += ", under a network service" }
            if isRoot { explanation += ", as root" }
            explanation += "; not seen in \(Self.duration(detector.learning)) of learning from \(Self.date(learningStart ?? realtime))"
            if carried > 0 { explanation += "; \(carried) more were suppressed in the hour before" }
            var finding = AnomalyFinding(rule: detector.rule, level: level, realtime: realtime, isTrusted: true,
                                         value: text, source: sourceName, explanation: explanation)
            finding.baseline = "\(processes.count) executables known"
            findings.append(finding)
            }
    }

    private func remember(hash: UInt64, text: String, realtime: UInt64) {
        if processes.count >= limits.processes { statistics.processEvictions += 1 }
        _ = processes.set(Seen(text: text, firstSeen: realtime, lastSeen: realtime, count: 1), forKey: hash)
    }

    // MARK: Matches

    /// Runs the detectors that read matches of `ruleIdentifier` (rare_login, rare_process) on one.
    /// - Parameters:
    ///   - fields: the fields the engine captured for them (`fieldNames(forRule:)`).
    ///   - cursor: the matching entry's or event's cursor.
    public func observe(ruleIdentifier: String, fields: [String: [UInt8]], realtime: UInt64, isTrusted: Bool,
                        cursor: String, into findings: inout [AnomalyFinding]) {
        guard let indices = detectorsByRule[ruleIdentifier] else { return }
        if learningStart == nil { learningStart = realtime }
        lastRealtime = realtime
        // Untrusted matches (a line any local user can forge) neither teach nor alert.
        guard isTrusted else {
            statistics.untrustedIgnored += 1
            return
        }
        for index in indices {
            let detector = detectors[index]
            switch detector.rule.kind {
            case .rareLogin: login(detector, index: index, fields: fields, realtime: realtime, cursor: cursor, into: &findings)
            case .rareProcess: processEvent(detector, index: index, fields: fields, realtime: realtime, cursor: cursor, into: &findings)
            default: break
            }
        }
    }

    private func processEvent(_ detector: AnomalyDetector, index: Int, fields: [String: [UInt8]], realtime: UInt64,
                              cursor: String, into findings: inout [AnomalyFinding]) {
        // An EXECVE record without its SYSCALL record has no Image: its first argument names the program.
        var image = fields["Image"] ?? []
        if image.isEmpty, let commandLine = fields["CommandLine"] {
            image = Array(commandLine.prefix { $0 != UInt8(ascii: " ") })
        }
        guard !image.isEmpty else { return }
        let prefix = Array("process: ".utf8)
        let hash = FNV1a.hash(image, basis: FNV1a.hash(prefix))
        if processes.touch(hash) {
            processes.modify(hash) { (seen: inout Seen) -> Void in
                seen.lastSeen = realtime
                seen.count &+= 1
            }
            return
        }
        let text = "process: " + Escaping.text(image, limit: 512)
        remember(hash: hash, text: text, realtime: realtime)
        guard !isLearning(detector, at: realtime), !normal.contains(text) else { return }
        let user = fields["User"].map { String(decoding: $0, as: UTF8.self) }
        let parent = fields["ParentImage"].map { Escaping.text($0, limit: 512) }
        let isRoot = user == "root" || user == "0"
        let parentName = parent.map { String($0.split(separator: "/").last ?? "") } ?? ""
        let underNetworkService = Self.networkDaemons.contains { NamePattern.matches(name: parentName, pattern: $0) }
        var level = detector.rule.level
        if isRoot || underNetworkService { level = max(level, .high) }
        guard let carried = spend(detector, index: index, sourceHash: 1) else { return }
        var explanation = "\(Escaping.text(image, limit: 512)) ran for the first time"
        if let parent { explanation += ", started by \(parent)" }
        if let user { explanation += ", as \(Escaping.text(Array(user.utf8), limit: 64))" }
        explanation += "; not seen in \(Self.duration(detector.learning)) of learning from \(Self.date(learningStart ?? realtime))"
        if carried > 0 { explanation += "; \(carried) more were suppressed in the hour before" }
        var finding = AnomalyFinding(rule: detector.rule, level: level, realtime: realtime, isTrusted: true,
                                     value: text, source: parent.map { "child of \($0)" }, explanation: explanation)
        finding.cursor = cursor
        finding.baseline = "\(processes.count) executables known"
        findings.append(finding)
    }

    /// Binaries whose children are suspect: network daemons and interpreters serving requests.
    static let networkDaemons = ["nginx", "apache2", "httpd", "sshd", "postgres", "java", "php-fpm*", "node", "tomcat*", "mysqld", "mariadbd"]

    private func login(_ detector: AnomalyDetector, index: Int, fields: [String: [UInt8]], realtime: UInt64, cursor: String,
                       into findings: inout [AnomalyFinding]) {
        guard let user = fields[detector.userField], !user.isEmpty,
              let addressText = fields[detector.addressField], let address = IPAddress(addressText[...])?.unmapped else { return }
        let network = Self.network(address, ipv4Prefix: detector.ipv4Prefix, ipv6Prefix: detector.ipv6Prefix)
        let userHash = FNV1a.hash(user)
        let hour = Int((realtime / 3_600_000_000) % 24)
        let learning = isLearning(detector, at: realtime)
        var history = logins.value(forKey: userHash)
            ?? LoginHistory(user: Escaping.text(user, limit: 128), firstSeen: realtime, networks: [], hours: 0)
        let isNewUser = history.networks.isEmpty && history.hours == 0
        var newNetwork = false
        if let position = history.networks.firstIndex(where: { $0.hash == network.hash }) {
            var entry = history.networks.remove(at: position)
            entry.seen.lastSeen = realtime
            entry.seen.count &+= 1
            history.networks.append(entry)
        } else {
            newNetwork = true
            if history.networks.count >= limits.networksPerUser { history.networks.removeFirst() }
            history.networks.append((network.hash, Seen(text: network.text, firstSeen: realtime, lastSeen: realtime, count: 1)))
        }
        let neighbours = (UInt32(1) << UInt32(hour)) | (UInt32(1) << UInt32((hour + 23) % 24)) | (UInt32(1) << UInt32((hour + 1) % 24))
        let newHour = detector.watchesHours && history.hours & neighbours == 0
        let knownHours = history.hours
        history.hours |= UInt32(1) << UInt32(hour)
        if logins.count >= limits.users, !logins.contains(userHash) { statistics.userEvictions += 1 }
        _ = logins.set(history, forKey: userHash)
        guard !learning, newNetwork || newHour else { return }
        let userText = history.user
        var parts: [String] = []
        var values: [String] = []
        if newNetwork {
            values.append("\(userText) from \(network.text)")
            parts.append(isNewUser ? "\(userText) logged in for the first time since learning began, from \(network.text)"
                                   : "\(userText) logged in from \(network.text), a network not seen for this user")
        }
        if newHour {
            values.append("\(userText) at \(Self.twoDigits(hour)):00")
            parts.append("at \(Self.twoDigits(hour)):00 UTC, an hour not seen for this user (nor the hours either side)")
        }
        let value = values.joined(separator: ", ")
        guard !values.allSatisfy({ normal.contains($0) }) else { return }
        guard let carried = spend(detector, index: index, sourceHash: 2) else { return }
        var explanation = parts.joined(separator: ", ")
        if carried > 0 { explanation += "; \(carried) more were suppressed in the hour before" }
        var finding = AnomalyFinding(rule: detector.rule, level: detector.rule.level, realtime: realtime, isTrusted: true,
                                     value: value, source: nil, explanation: explanation)
        finding.cursor = cursor
        finding.firstSeen = isNewUser ? nil : history.firstSeen
        let known = history.networks.dropLast(newNetwork ? 1 : 0).suffix(5).map(\.seen.text)
        finding.baseline = "networks known for \(userText): \(known.isEmpty ? "none" : known.joined(separator: " "))"
            + (detector.watchesHours ? "; hours: \(Self.hours(knownHours))" : "")
        findings.append(finding)
    }

    /// The network of `address` at the detector's prefix, its text and a hash.
    static func network(_ address: IPAddress, ipv4Prefix: Int, ipv6Prefix: Int) -> (hash: UInt64, text: String) {
        if address.isIPv4 {
            let mask: UInt64 = ipv4Prefix == 0 ? 0 : (0xffff_ffff << UInt64(32 - ipv4Prefix)) & 0xffff_ffff
            let bits = address.low & mask
            let text = "\(bits >> 24).\((bits >> 16) & 255).\((bits >> 8) & 255).\(bits & 255)/\(ipv4Prefix)"
            return (bits ^ 0x4_0000_0000 ^ UInt64(ipv4Prefix) << 40, text)
        }
        func leading(_ count: Int) -> UInt64 { count <= 0 ? 0 : count >= 64 ? ~0 : ~0 << UInt64(64 - count) }
        let high = address.high & leading(ipv6Prefix), low = address.low & leading(ipv6Prefix - 64)
        var groups: [String] = []
        for word in [high, low] { for shift in stride(from: 48, through: 0, by: -16) { groups.append(String((word >> UInt64(shift)) & 0xffff, radix: 16)) } }
        let text = groups.joined(separator: ":") + "/\(ipv6Prefix)"
        return (FNV1a.hash(text.utf8), text)
    }

    // MARK: Budgets

    /// Spends one alert of the detector's hourly limit for a source; nil when it is spent (the
    /// finding is counted as suppressed), else how many were suppressed in the hour before.
    private func spend(_ detector: AnomalyDetector, index: Int, sourceHash: UInt64) -> Int? {
        let key = sourceHash ^ (UInt64(index) &* 0x9e37_79b9_7f4a_7c15)
        let hour = (lastRealtime ?? 0) / 3_600_000_000
        var budget = budgets[key] ?? Budget(hour: hour, count: 0, suppressed: 0, carried: 0)
        if budget.hour != hour {
            budget = Budget(hour: hour, count: 0, suppressed: 0, carried: budget.carried + budget.suppressed)
        }
        defer { budgets[key] = budget }
        guard budget.count < detector.limit else {
            budget.suppressed += 1
            statistics.suppressed += 1
            return nil
        }
        budget.count += 1
        let carried = budget.carried
        budget.carried = 0
        if budgets.count > 4_096 { budgets = budgets.filter { $0.value.hour == hour } }
        return carried
    }

    /// Entry time of the entry or match being looked at (budgets count its hour).
    @exclusivity(unchecked) var lastRealtime: UInt64?
}

/// Counters of the anomaly model.
public struct AnomalyStatistics: Sendable, Equatable {
    public var categorised = 0
    /// Findings over a detector's hourly limit, not reported.
    public var suppressed = 0
    public var minerEvictions = 0
    public var userMinerEvictions = 0
    public var processEvictions = 0
    public var userEvictions = 0
    /// Untrusted matches of watched rules, which neither teach nor alert.
    public var untrustedIgnored = 0
    public init() {}

    /// Adds the counters of another model (an earlier part of a run, another host). Each field
    /// is a count of events, so they add up.
    public mutating func accumulate(_ other: AnomalyStatistics) {
        for path in [\AnomalyStatistics.categorised, \.suppressed, \.minerEvictions, \.userMinerEvictions,
                     \.processEvictions, \.userEvictions, \.untrustedIgnored] {
            self[keyPath: path] += other[keyPath: path]
        }
    }
}

extension AnomalyModel {
    /// A number for the model's texts: `12` for whole numbers, else up to two decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String((value * 100).rounded() / 100)
    }

    /// The id as 16 hex digits (as `CORDON_CATEGORY` has it).
    public static func hex(_ identifier: UInt64) -> String {
        FNV1a.hex(identifier)
    }

    /// Entry time as `2024-03-08 14:05:09 UTC`.
    public static func date(_ realtime: UInt64) -> String {
        var seconds = time_t(realtime / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return "\(parts.tm_year + 1900)-\(twoDigits(Int(parts.tm_mon) + 1))-\(twoDigits(Int(parts.tm_mday))) "
            + "\(twoDigits(Int(parts.tm_hour))):\(twoDigits(Int(parts.tm_min))):\(twoDigits(Int(parts.tm_sec))) UTC"
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// A duration as `7d`, `10m`, `90s`.
    public static func duration(_ microseconds: UInt64) -> String {
        let seconds = microseconds / 1_000_000
        if seconds > 0, seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds > 0, seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// The hours set in a mask, as `08-17, 22`.
    static func hours(_ mask: UInt32) -> String {
        var runs: [String] = []
        var hour = 0
        while hour < 24 {
            guard mask & (1 << UInt32(hour)) != 0 else { hour += 1; continue }
            var end = hour
            while end + 1 < 24, mask & (1 << UInt32(end + 1)) != 0 { end += 1 }
            runs.append(end == hour ? twoDigits(hour) : "\(twoDigits(hour))-\(twoDigits(end))")
            hour = end + 1
        }
        return runs.isEmpty ? "none" : runs.joined(separator: ", ")
    }
}
