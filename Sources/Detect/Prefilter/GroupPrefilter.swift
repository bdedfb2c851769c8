/// The literal prefilter of one rule group: which of its rules can possibly match an entry,
/// found with one Aho–Corasick scan per indexed field instead of evaluating every rule.
///
/// A rule with required literals (`Requirement`) is a candidate only when one of them occurs;
/// a rule without is always a candidate. Candidates keep the group's rule order.
struct GroupPrefilter: Sendable {
    /// The fields scanned, as bytes, and each field's automaton.
    let fields: [(name: [UInt8], automaton: LiteralPrefilter)]
    /// For each literal id, the position (in the group's rule list) of the rule it belongs to.
    let owners: [Int]
    /// The positions of rules evaluated whatever the entry holds.
    let always: PatternSet
    /// How many rules the group has.
    let ruleCount: Int

    /// Groups with fewer indexable rules evaluate them directly: the scan costs about as much as
    /// a few short patterns (measured with `make bench`: 4 shipped rules are faster unfiltered).
    static let minimumIndexedRules = 8

    /// Builds the prefilter of a group whose rules have `requirements` (by position); nil when
    /// too few rules can be indexed for it to pay.
    init?(requirements: [[RequiredLiteral]?]) {
        guard requirements.filter({ $0 != nil }).count >= GroupPrefilter.minimumIndexedRules else { return nil }
        var byField: [[UInt8]: [(bytes: [UInt8], id: Int)]] = [:]
        var owners: [Int] = []
        var always = PatternSet(capacity: requirements.count)
        for (position, requirement) in requirements.enumerated() {
            guard let requirement else {
                always.insert(position)
                continue
            }
            for literal in requirement {
                byField[literal.field, default: []].append((literal.bytes, owners.count))
                owners.append(position)
            }
        }
        fields = byField.sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map { (name: $0.key, automaton: LiteralPrefilter(patterns: $0.value)) }
        self.owners = owners
        self.always = always
        ruleCount = requirements.count
    }

    /// The reusable buffers of one evaluation.
    struct Scratch: Sendable {
        var seen: PatternSet
        var candidates: PatternSet
    }

    /// Fresh buffers sized for this prefilter.
    func makeScratch() -> Scratch {
        Scratch(seen: PatternSet(capacity: owners.count), candidates: PatternSet(capacity: ruleCount))
    }
}
