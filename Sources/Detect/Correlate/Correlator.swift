import Journal
import Rules

/// Evaluates correlation rules: routes each base rule's match to the correlation rules that
/// refer to it, feeds correlation matches on to the correlation rules that refer to them, and
/// owns one `CorrelationState` per rule.
///
/// Sigma's seven correlation types are `SigmaCorrelationState`s; other kinds (Cordon's
/// detectors) come from the `makeState` factory given to `init`. Not thread-safe: one task owns
/// a correlator (it is a class so the pipeline can hold it without copying the windows).
///
/// `observe` and `advance` return every match, those of correlation rules that other
/// correlation rules refer to included; ask `suppressesStandaloneAlerts(ruleIdentifier:)`
/// before alerting on one, as for base rules.
public final class Correlator {
    /// Makes the state of a rule kind the correlator does not evaluate itself, with the group cap;
    /// nil when it does not know the kind either.
    public typealias StateFactory = (CorrelationRule, Int) -> (any CorrelationState)?

    /// A correlation rule that refers to a rule, and how it may spell that rule.
    struct Consumer {
        /// Index in `states`.
        let index: Int
        /// The rule's identifier, its name and the reference as written: the keys its aliases may use.
        let spellings: [String]
        /// For each `group-by` name and `condition.field` of the consumer: the field of the
        /// referenced rule's events it reads (its alias for that rule, else the same name).
        var fieldMap: [(name: String, source: String)] = []
        /// How many of `fieldMap`'s first entries are group-by names.
        var groupCount = 0
    }

    /// The rules evaluated, in the order given (rules of an unknown kind are left out).
    public var rules: [CorrelationRule] { states.map(\.rule) }
    /// The group cap of each rule.
    public let maximumGroupsPerRule: Int
    /// Problems found while making the states (kinds nobody evaluates, a repeated identifier);
    /// warnings: the rest is evaluated.
    public let diagnostics: [Diagnostic]

    /// The learned anomaly model and its detectors (`rare_category` …), when some are loaded.
    /// Saved in the same snapshot, but restored apart: a change of correlation rules does not
    /// cost the model its learning.
    public internal(set) var anomalies: AnomalyModel?
    let anomalyLimits: AnomalyModel.Limits

    var states: [any CorrelationState]
    /// The same rules' states for untrusted matches (`Observation.isTrusted` false), kept apart:
    /// a line any local user can forge (`logger -t sshd`) neither counts towards a trusted
    /// correlation nor fills, quiets, teaches or evicts its groups, so it can raise only an
    /// untrusted alert (which no response acts on) and cannot hide or taint a real one.
    var untrustedStates: [any CorrelationState]
    /// Rule identifier (base or correlation) → the correlation rules referring to it.
    let consumers: [String: [Consumer]]
    /// Names of base and correlation rules by identifier.
    let names: [String: String]
    /// `states` indices, each correlation rule after the correlation rules it refers to.
    let advanceOrder: [Int]
    /// Rules referred to by a correlation rule with `generate: true`, and by one without.
    let referencedByGenerating: Set<String>
    let referencedBySuppressing: Set<String>

    /// Resolves the rules' references and makes a fresh state per rule.
    ///
    /// A reference is, in this order, a correlation rule's id or name, or a base rule's name
    /// (from `ruleNames`); anything else is taken as a base rule's id.
    /// - Parameters:
    ///   - rules: the correlation rules and detectors.
    ///   - ruleNames: base rule identifier → its Sigma `name`, for the base rules that have one.
    ///   - maximumGroupsPerRule: groups each rule holds at most (at least 1).
    ///   - makeState: makes states for the kinds `SigmaCorrelationState` does not evaluate.
    ///   - anomalyLimits: the bounds of the anomaly model (when anomaly detectors are among `rules`).
    public init(rules: [CorrelationRule], ruleNames: [String: String], maximumGroupsPerRule: Int,
                makeState: StateFactory? = nil, anomalyLimits: AnomalyModel.Limits = AnomalyModel.Limits()) {
        let cap = max(1, maximumGroupsPerRule)
        self.maximumGroupsPerRule = cap
        var diagnostics: [Diagnostic] = []
        var states: [any CorrelationState] = []
        var untrustedStates: [any CorrelationState] = []
        var seen = Set<String>()
        // Learned anomaly detectors share one model, evaluated beside the correlation states.
        let anomalyRules = rules.filter(\.kind.isAnomaly)
        anomalies = anomalyRules.isEmpty ? nil : AnomalyModel(detectors: anomalyRules, limits: anomalyLimits)
        self.anomalyLimits = anomalyLimits
        for rule in rules where !rule.kind.isAnomaly {
            guard seen.insert(rule.identifier).inserted else {
                diagnostics.append(Self.warning(rule, "correlation rule id '\(rule.identifier)' is used twice; only the first is evaluated",
                                                hint: "give each rule its own id"))
                continue
            }
            if SigmaCorrelationState.supports(rule.kind) {
                states.append(SigmaCorrelationState(rule: rule, maximumGroups: cap))
                untrustedStates.append(SigmaCorrelationState(rule: rule, maximumGroups: cap))
            } else if let state = makeState?(rule, cap), let untrusted = makeState?(rule, cap) {
                states.append(state)
                untrustedStates.append(untrusted)
            } else {
                diagnostics.append(Self.warning(rule, "'\(rule.kind.rawValue)' rules are not evaluated by this build",
                                                hint: "remove the rule or use a Sigma correlation type"))
            }
        }
        var names = ruleNames
        for state in states { names[state.rule.identifier] = state.rule.name }
        // Reference spellings → identifier: correlation ids, correlation names, base ids, base names.
        var identifiers: [String: String] = [:]
        for (identifier, name) in ruleNames.sorted(by: { $0.key < $1.key }) where identifiers[name] == nil {
            identifiers[name] = identifier
        }
        for identifier in ruleNames.keys { identifiers[identifier] = identifier }
        for state in states { if let name = state.rule.name { identifiers[name] = state.rule.identifier } }
        for state in states { identifiers[state.rule.identifier] = state.rule.identifier }

        var consumers: [String: [Consumer]] = [:]
        var dependencies: [[Int]] = Array(repeating: [], count: states.count)
        let indexOfCorrelation = Dictionary(states.enumerated().map { ($0.element.rule.identifier, $0.offset) },
                                            uniquingKeysWith: { first, _ in first })
        var generating = Set<String>(), suppressing = Set<String>()
        for (index, state) in states.enumerated() {
            var resolved = Set<String>()
            for reference in state.rule.ruleReferences {
                // Not a correlation rule nor a named base rule: a base rule's id (the loader
                // checks that it exists; base rules without a name are not in `ruleNames`).
                let identifier = identifiers[reference] ?? reference
                if state.rule.generate { generating.insert(identifier) } else { suppressing.insert(identifier) }
                guard resolved.insert(identifier).inserted else { continue }
                let spellings = [reference, identifier] + (names[identifier].map { [$0] } ?? [])
                var consumer = Consumer(index: index, spellings: spellings)
                consumer.fieldMap = (state.rule.groupBy + state.rule.fields).map {
                    ($0, Self.field($0, of: state.rule, for: spellings))
                }
                consumer.groupCount = state.rule.groupBy.count
                consumers[identifier, default: []].append(consumer)
                if let inner = indexOfCorrelation[identifier] { dependencies[index].append(inner) }
            }
        }
        self.states = states
        self.untrustedStates = untrustedStates
        self.consumers = consumers
        self.names = names
        self.diagnostics = diagnostics
        self.advanceOrder = Self.order(dependencies)
        self.referencedByGenerating = generating
        self.referencedBySuppressing = suppressing
    }

    /// The fields of a rule's events (base or correlation rule) that correlation needs: the
    /// `group-by` names and `condition.field`s of every correlation rule referring to it, through
    /// their `aliases` for that rule (a name with no alias for it is the field's own name).
    /// - Parameter identifier: the rule's `id`.
    /// - Returns: field names, sorted, each once; empty when no correlation refers to the rule.
    public func fieldNames(forRule identifier: String) -> [String] {
        var fields = Set(anomalies?.fieldNames(forRule: identifier) ?? [])
        for consumer in consumers[identifier] ?? [] {
            let rule = states[consumer.index].rule
            for name in rule.groupBy + rule.fields { fields.insert(Self.field(name, of: rule, for: consumer.spellings)) }
        }
        return fields.sorted()
    }

    /// Takes one base rule's match: feeds it to every correlation rule referring to the rule and
    /// their matches on to the correlation rules referring to those.
    /// - Parameters:
    ///   - observation: the match (its `ruleName` may be nil: the correlator knows the names).
    ///   - matches: where matches are appended.
    public func observe(_ observation: Observation, into matches: inout [CorrelationMatch]) {
        route(observation, visiting: [], into: &matches)
    }

    /// Entry time has reached `realtime` (the newest entry time read, or the clock while the
    /// journal is idle): windows close, `lt`/`lte`/`eq` conditions are judged, silences noticed.
    /// Inner correlation rules advance before the rules referring to them, which see their matches.
    public func advance(to realtime: UInt64, into matches: inout [CorrelationMatch]) {
        for index in advanceOrder {
            var fired: [CorrelationMatch] = []
            states[index].advance(to: realtime, into: &fired)
            untrustedStates[index].advance(to: realtime, into: &fired)
            for match in fired {
                matches.append(match)
                feed(match, visiting: [index], into: &matches)
            }
        }
    }

    /// The earliest entry time at which `advance(to:)` would fire something, over every rule
    /// (trusted and untrusted states); nil when only new matches can.
    public var nextDeadline: UInt64? {
        var earliest: UInt64?
        for case let deadline? in states.lazy.map(\.nextDeadline) { earliest = min(earliest ?? deadline, deadline) }
        for case let deadline? in untrustedStates.lazy.map(\.nextDeadline) { earliest = min(earliest ?? deadline, deadline) }
        return earliest
    }

    /// Whether some correlation rule or detector refers to the rule (base or correlation rule).
    public func refers(to ruleIdentifier: String) -> Bool {
        consumers[ruleIdentifier] != nil
    }

    /// Whether a rule's own matches should not alert: some correlation rule with `generate: false`
    /// refers to it and none with `generate: true` does.
    /// - Parameter ruleIdentifier: a base or correlation rule's `id`.
    public func suppressesStandaloneAlerts(ruleIdentifier: String) -> Bool {
        referencedBySuppressing.contains(ruleIdentifier) && !referencedByGenerating.contains(ruleIdentifier)
    }

    /// Groups evicted at the cap, over all rules (cheap: for a check after every observation).
    public var evictionCount: Int {
        states.reduce(0) { $0 + $1.evictions } + untrustedStates.reduce(0) { $0 + $1.evictions }
    }

    /// Groups held and evictions, per rule (trusted and untrusted together) and in all.
    public var statistics: CorrelationStatistics {
        CorrelationStatistics(rules: zip(states, untrustedStates).map { trusted, untrusted in
            CorrelationStatistics.Rule(identifier: trusted.rule.identifier, groups: trusted.groupCount + untrusted.groupCount,
                                       evictions: trusted.evictions + untrusted.evictions)
        })
    }

    // MARK: Routing

    private func route(_ observation: Observation, visiting: Set<Int>, into matches: inout [CorrelationMatch]) {
        guard let targets = consumers[observation.ruleIdentifier] else { return }
        let named = observation.ruleName != nil ? observation : Observation(
            ruleIdentifier: observation.ruleIdentifier, ruleName: names[observation.ruleIdentifier],
            realtime: observation.realtime, cursor: observation.cursor, isTrusted: observation.isTrusted,
            fields: observation.fields, evidence: observation.evidence)
        for consumer in targets where !visiting.contains(consumer.index) {
            // An event without a group-by field belongs to no group (as `stats … by` in SIEMs):
            // ten failures whose source address could not be read are no brute force from "".
            guard consumer.fieldMap.prefix(consumer.groupCount).allSatisfy({ named.fields[$0.source] != nil }) else { continue }
            var fields: [String: [UInt8]] = [:]
            for (name, source) in consumer.fieldMap { fields[name] = named.fields[source] }
            var fired: [CorrelationMatch] = []
            if named.isTrusted {
                states[consumer.index].observe(named, fields: fields, into: &fired)
            } else {
                untrustedStates[consumer.index].observe(named, fields: fields, into: &fired)
            }
            for match in fired {
                matches.append(match)
                feed(match, visiting: visiting.union([consumer.index]), into: &matches)
            }
        }
    }

    /// Feeds a correlation rule's match to the correlation rules referring to it.
    private func feed(_ match: CorrelationMatch, visiting: Set<Int>, into matches: inout [CorrelationMatch]) {
        guard consumers[match.rule.identifier] != nil else { return }
        var fields: [String: [UInt8]] = [:]
        for (name, value) in match.group { fields[name] = value }
        let observation = Observation(ruleIdentifier: match.rule.identifier, ruleName: match.rule.name,
                                      realtime: match.realtime, cursor: match.cursor, isTrusted: match.isTrusted,
                                      fields: fields, evidence: match.evidence)
        route(observation, visiting: visiting, into: &matches)
    }

    /// The field of the referenced rule's events that `name` (a group-by or condition field of
    /// `rule`) reads: its alias for that rule, else `name` itself.
    static func field(_ name: String, of rule: CorrelationRule, for spellings: [String]) -> String {
        guard let alias = rule.aliases[name] else { return name }
        for spelling in spellings { if let field = alias[spelling] { return field } }
        return name
    }

    /// Indices ordered so each comes after those it depends on; the rest of a cycle at the end.
    private static func order(_ dependencies: [[Int]]) -> [Int] {
        var order: [Int] = [], state = Array(repeating: 0, count: dependencies.count)  // 1 visiting, 2 done
        func visit(_ index: Int) {
            guard state[index] == 0 else { return }
            state[index] = 1
            for dependency in dependencies[index] { visit(dependency) }
            state[index] = 2
            order.append(index)
        }
        for index in dependencies.indices { visit(index) }
        return order
    }

    private static func warning(_ rule: CorrelationRule, _ message: String, hint: String) -> Diagnostic {
        Diagnostic(severity: .warning, file: rule.location.file, line: rule.location.line,
                   column: rule.location.column, message: message, hint: hint)
    }
}
