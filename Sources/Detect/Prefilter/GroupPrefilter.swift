import Parse

/// The literal prefilter of one rule group: which of its rules can possibly match an entry,
/// from the literals `PrefilterScans` found in the entry's fields instead of evaluating every rule.
///
/// A rule with requirements (`Requirement`) is a candidate only when each of its clauses has a
/// literal that occurs; a rule without is always a candidate. Candidates keep the group's rule order.
/// A class, immutable, so that the per-entry loop does not copy its tables.
final class GroupPrefilter: Sendable {
    /// Every literal of the group's rules, by id (its position here, as in `owners`);
    /// `PrefilterScans` puts them into its automata.
    let literals: [RequiredLiteral]
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
        var literals: [RequiredLiteral] = []
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
                    literals.append(literal)
                    owners.append((position, clauseIndex))
                }
            }
            fullMasks.append(requirement.count == 64 ? ~0 : (1 << UInt64(requirement.count)) - 1)
        }
        self.literals = literals
        self.owners = owners
        self.fullMasks = fullMasks
        self.always = always
        ruleCount = requirements.count
    }

    /// The reusable buffers of one evaluation.
    struct Scratch: Sendable {
        /// The rule positions to evaluate.
        var candidates: PatternSet
        /// Per rule position, the clauses satisfied so far.
        var satisfied: [UInt64]
        /// The positions whose `satisfied` is not zero, to clear them afterwards.
        var touched: [Int]
    }

    /// Fresh buffers sized for this prefilter.
    func makeScratch() -> Scratch {
        Scratch(candidates: PatternSet(capacity: ruleCount),
                satisfied: Array(repeating: 0, count: ruleCount), touched: [])
    }

    /// Empty buffers, for a group without a prefilter.
    static let noScratch = Scratch(candidates: PatternSet(), satisfied: [], touched: [])

    /// Turns the literals found into the candidate rule positions (`scratch.candidates`).
    /// - Parameters:
    ///   - seen: the literal ids found, engine-wide; this group's are `base` on.
    func selectCandidates(_ scratch: inout Scratch, seen: PatternSet, base: Int) {
        scratch.candidates.assign(always)
        seen.forEach(in: base..<base + owners.count) { global in
            let owner = owners[global - base]
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
