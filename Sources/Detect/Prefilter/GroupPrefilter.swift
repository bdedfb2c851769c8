import Parse

/// The literal prefilter of one rule group: which of its rules can possibly match an entry,
/// found with one Aho–Corasick scan per indexed field instead of evaluating every rule.
///
/// A rule with requirements (`Requirement`) is a candidate only when each of its clauses has a
/// literal that occurs; a rule without is always a candidate. Candidates keep the group's rule order.
/// A class, immutable, so that the per-entry loop does not copy its tables.
final class GroupPrefilter: Sendable {
    /// One field scanned and its automaton; a class so that looping over fields copies no tables.
    final class Field: Sendable {
        /// The field name's bytes.
        let name: [UInt8]
        /// The literals wanted in it.
        let automaton: LiteralPrefilter

        init(name: [UInt8], automaton: LiteralPrefilter) {
            self.name = name
            self.automaton = automaton
        }
    }

    /// A field holding an address, tested against the networks of `|cidr` values: the address
    /// is parsed once and each network checked, instead of evaluating each rule that lists one.
    final class NetworkField: Sendable {
        /// The field name's bytes.
        let name: [UInt8]
        /// The networks, each with its literal id.
        let networks: [(network: IPNetwork, id: Int)]

        init(name: [UInt8], networks: [(network: IPNetwork, id: Int)]) {
            self.name = name
            self.networks = networks
        }

        /// Inserts into `seen` the id of each network the address written in `value` is in.
        func scan(_ value: ArraySlice<UInt8>, into seen: inout PatternSet) {
            guard let address = IPAddress(value)?.unmapped else { return }
            for entry in networks where entry.network.contains(address) { seen.insert(entry.id) }
        }
    }

    /// The fields scanned.
    let fields: [Field]
    /// The fields whose address is tested against networks.
    let networkFields: [NetworkField]
    /// For each literal id, the rule (position in the group's rule list) and the clause it satisfies.
    let owners: [(position: Int, clause: Int)]
    /// For each rule position, the mask of all its clauses (0 for rules always evaluated).
    let fullMasks: [UInt64]
    /// The positions of rules evaluated whatever the entry holds.
    let always: PatternSet
    /// How many rules the group has.
    let ruleCount: Int

    /// A group with a single indexable rule evaluates it directly: one scan costs about what the
    /// rule's own patterns cost. From two on the scan pays (measured on the 1M-entry bench
    /// journal with SigmaHQ's Linux rules, whose syslog and keyword groups hold two to five rules:
    /// 133k entries/s with a minimum of 8, 166k with 2; the shipped rules, one per group, unchanged).
    static let minimumIndexedRules = 2

    /// Builds the prefilter of a group whose rules have `requirements` (by position); nil when
    /// too few rules can be indexed for it to pay.
    init?(requirements: [[Requirement.Clause]?]) {
        guard requirements.filter({ $0 != nil }).count >= GroupPrefilter.minimumIndexedRules else { return nil }
        var byField: [[UInt8]: [(bytes: [UInt8], id: Int)]] = [:]
        var networksByField: [[UInt8]: [(network: IPNetwork, id: Int)]] = [:]
        var owners: [(position: Int, clause: Int)] = []
        var fullMasks: [UInt64] = []
        var always = PatternSet(capacity: requirements.count)
        for (position, requirement) in requirements.enumerated() {
            guard let requirement else {
                always.insert(position)
                fullMasks.append(0)
                continue
            }
            for (clauseIndex, clause) in requirement.enumerated() {
                for literal in clause {
                    if let network = literal.network {
                        networksByField[literal.field, default: []].append((network, owners.count))
                    } else {
                        byField[literal.field, default: []].append((literal.bytes, owners.count))
                    }
                    owners.append((position, clauseIndex))
                }
            }
            fullMasks.append(requirement.count == 64 ? ~0 : (1 << UInt64(requirement.count)) - 1)
        }
        fields = byField.sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map { Field(name: $0.key, automaton: LiteralPrefilter(patterns: $0.value)) }
        networkFields = networksByField.sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map { NetworkField(name: $0.key, networks: $0.value) }
        self.owners = owners
        self.fullMasks = fullMasks
        self.always = always
        ruleCount = requirements.count
    }

    /// The reusable buffers of one evaluation.
    struct Scratch: Sendable {
        /// Literal ids found in the entry.
        var seen: PatternSet
        /// The rule positions to evaluate.
        var candidates: PatternSet
        /// Per rule position, the clauses satisfied so far.
        var satisfied: [UInt64]
        /// The positions whose `satisfied` is not zero, to clear them afterwards.
        var touched: [Int]
    }

    /// Fresh buffers sized for this prefilter.
    func makeScratch() -> Scratch {
        Scratch(seen: PatternSet(capacity: owners.count), candidates: PatternSet(capacity: ruleCount),
                satisfied: Array(repeating: 0, count: ruleCount), touched: [])
    }

    /// Empty buffers, for a group without a prefilter.
    static let noScratch = Scratch(seen: PatternSet(), candidates: PatternSet(), satisfied: [], touched: [])

    /// Turns the literals found (`scratch.seen`) into the candidate rule positions.
    func selectCandidates(_ scratch: inout Scratch) {
        scratch.candidates.assign(always)
        scratch.seen.forEach { literal in
            let owner = owners[literal]
            if scratch.satisfied[owner.position] == 0 { scratch.touched.append(owner.position) }
            scratch.satisfied[owner.position] |= 1 << UInt64(owner.clause)
        }
        for position in scratch.touched {
            if scratch.satisfied[position] == fullMasks[position] { scratch.candidates.insert(position) }
            scratch.satisfied[position] = 0
        }
        scratch.touched.removeAll(keepingCapacity: true)
    }
}
