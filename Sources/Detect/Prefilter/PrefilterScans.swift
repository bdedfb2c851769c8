import Parse

/// The literals of every group's prefilter, one automaton per field: an event's field is
/// scanned once for all the groups that select the event, not once per group.
///
/// Why: an entry usually belongs to two or three groups (a catch-all `product: linux` source,
/// `syslog`, the program's own), and each scanned MESSAGE with its own automaton. With 1,000
/// synthetic rules those scans were the largest part of detection (`perf record` on `make
/// bench`'s journal); one scan of a merged automaton costs about what one of them did.
///
/// Literal ids are engine-wide: group `g`'s literal `i` is `bases[g] + i`. A field's value can
/// differ between groups (a group's parser may produce a field of the same name); a value not
/// yet scanned is scanned too and its literals added: the candidates can only grow, and the
/// rules are evaluated in full afterwards, so results are exact either way.
final class PrefilterScans: Sendable {
    /// One field and the literals wanted in it.
    final class Field: Sendable {
        let name: [UInt8]
        /// Literals to contain; nil when the field has only networks.
        let automaton: LiteralPrefilter?
        /// `|cidr` networks the field's address may be in, with their ids.
        let networks: [(network: IPNetwork, id: Int)]

        init(name: [UInt8], automaton: LiteralPrefilter?, networks: [(network: IPNetwork, id: Int)]) {
            self.name = name
            self.automaton = automaton
            self.networks = networks
        }
    }

    let fields: [Field]
    /// Per group (engine group index), the first id of its literals.
    let bases: [Int]
    /// Per group, the positions in `fields` of the fields its literals are on.
    let groupFields: [[Int]]
    /// How many literal ids there are.
    let idCount: Int

    /// Merges the literals of `prefilters` (by engine group index; nil for groups without one).
    init(prefilters: [GroupPrefilter?]) {
        var bases: [Int] = []
        var next = 0
        var byField: [[UInt8]: (literals: [(bytes: [UInt8], id: Int)], networks: [(network: IPNetwork, id: Int)])] = [:]
        var namesByGroup: [Set<[UInt8]>] = []
        for prefilter in prefilters {
            bases.append(next)
            var names: Set<[UInt8]> = []
            for (local, literal) in (prefilter?.literals ?? []).enumerated() {
                let id = next + local
                names.insert(literal.field)
                if let network = literal.network {
                    byField[literal.field, default: ([], [])].networks.append((network, id))
                } else {
                    byField[literal.field, default: ([], [])].literals.append((literal.bytes, id))
                }
            }
            namesByGroup.append(names)
            next += prefilter?.owners.count ?? 0
        }
        let sorted = byField.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        fields = sorted.map { name, wanted in
            Field(name: name, automaton: wanted.literals.isEmpty ? nil : LiteralPrefilter(patterns: wanted.literals),
                  networks: wanted.networks)
        }
        let positions = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($0.element.key, $0.offset) })
        groupFields = namesByGroup.map { names in names.compactMap { positions[$0] }.sorted() }
        self.bases = bases
        idCount = next
    }

    /// The buffers of one event's scans.
    struct Scratch: Sendable {
        /// Literal ids found so far in the event.
        var seen: PatternSet
        /// Per field, the value scanned (its first byte's address and its length), if any.
        var scanned: [(address: UInt, count: Int)?]
    }

    func makeScratch() -> Scratch {
        Scratch(seen: PatternSet(capacity: idCount), scanned: Array(repeating: nil, count: fields.count))
    }

    /// Forgets the previous event's scans.
    func reset(_ scratch: inout Scratch) {
        scratch.seen.removeAll()
        for index in scratch.scanned.indices { scratch.scanned[index] = nil }
    }

    /// Scans the fields group `group`'s literals are on, in `event`, unless already scanned
    /// with the same value.
    func scan(for group: Int, in event: Event, into scratch: inout Scratch) {
        for position in groupFields[group] {
            let field = fields[position]
            guard let value = field.name.withUnsafeBytes({ event.value(ofName: $0) }) else { continue }
            let identity = value.withUnsafeBytes { (address: UInt(bitPattern: $0.baseAddress), count: $0.count) }
            if let done = scratch.scanned[position], done.address == identity.address, done.count == identity.count { continue }
            scratch.scanned[position] = identity
            if let automaton = field.automaton { value.withUnsafeBytes { automaton.scan($0, into: &scratch.seen) } }
            if !field.networks.isEmpty, let address = IPAddress(value)?.unmapped {
                for entry in field.networks where entry.network.contains(address) { scratch.seen.insert(entry.id) }
            }
        }
    }
}
