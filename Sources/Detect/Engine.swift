import Journal
import Parse
import Rules

/// Evaluates Sigma rules against journal entries.
///
/// Rules are grouped by the log source mapping they run under: an entry is tested against a
/// group's selector once, the group's field parser runs at most once per entry and only for
/// entries the selector picks, and only then are the group's rules evaluated. Values are
/// compiled once to byte patterns, PCRE2 programs and the like, and matching works on the
/// entry's bytes without building strings, so binary and invalid UTF-8 values are matched
/// like any other.
///
/// Not thread-safe: `evaluate` reuses buffers; one thread owns an engine.
public struct Engine: Sendable {
    /// The rules the engine evaluates (loaded, compiled and mapped), in the order given.
    public let rules: [Rule]
    /// Rules that compiled but whose log source has no mapping: never evaluated.
    public let unmappedRules: [Rule]
    /// Problems found while compiling: errors for rules left out (an invalid regular
    /// expression …) and for unusable mappings.
    public let diagnostics: [Diagnostic]
    /// Every journal field a rule, selector or parser reads.
    public let fieldNames: Set<String>
    /// Counters since the engine was made.
    public private(set) var statistics = EngineStatistics()
    /// Per compiled rule, the fields whose values matches carry in `Match.captured`, as
    /// (name, name bytes); empty for most rules.
    private var capturedFields: [[(name: String, bytes: [UInt8])]] = []

    let compiledRules: [CompiledRule]
    let groups: [RuleGroup]
    /// The groups that read journal entries, as indexes into `groups`, in mapping order.
    let entryGroupIndexes: [Int]
    /// Which of the entry groups can select an entry (positions in `entryGroupIndexes`).
    let dispatch: GroupDispatch
    /// Scratch of `dispatch.mark`: for each entry group, whether to test its selection.
    private var candidateGroups: [Bool]
    /// The groups that read each kind of assembled event.
    let eventGroupIndexes: [EventKind: [Int]]
    /// The kinds of assembled event some rule reads: `EventAssembly` makes only these.
    public var eventKinds: Set<EventKind> { Set(eventGroupIndexes.keys) }

    /// For each of `rules`, the kind of assembled event it runs on, or nil for journal entries.
    public var ruleEventKinds: [EventKind?] {
        var kinds = [EventKind?](repeating: nil, count: rules.count)
        for group in groups { for index in group.ruleIndexes { kinds[index] = group.events } }
        return kinds
    }
    let parsers: [any FieldParser]
    /// Per-parser output for the current entry, and whether it has been computed yet.
    private var parsed: [ParsedFields]
    private var isParsed: [Bool]
    private var matched: [MatchedSlice] = []
    /// Per group, the prefilter's buffers (empty for groups without a prefilter).
    private var scratches: [GroupPrefilter.Scratch]
    /// Every prefilter's literals, scanned once per field and event.
    let scans: PrefilterScans
    private var scanScratch: PrefilterScans.Scratch

    /// Compiles `rules` under the log source mappings `logSources`.
    ///
    /// Each rule runs under the mapping whose category and service equal the rule's (and whose
    /// product equals the rule's, if it names one). Without `logSources`, every rule runs on
    /// every entry, untrusted: the form tests and rule authoring tools use.
    /// - Parameters:
    ///   - rules: the rules to evaluate, in the order matches are reported.
    ///   - logSources: the mappings; nil for one catch-all mapping.
    ///   - options: regular expression limits and the like.
    public init(rules: [Rule], logSources: [LogSourceMapping]? = nil, options: EngineOptions = EngineOptions()) {
        let compiler = ValueCompiler(options: options)
        var diagnostics: [Diagnostic] = []
        var parsers: [any FieldParser] = []
        var groups: [RuleGroup] = []
        var mappings: [LogSourceMapping?] = []
        var fieldNames: Set<String> = []
        for mapping in logSources ?? [] {
            guard let group = Engine.group(for: mapping, compiler: compiler, parsers: &parsers, diagnostics: &diagnostics)
            else { continue }
            groups.append(group)
            mappings.append(mapping)
        }
        if logSources == nil {
            groups.append(RuleGroup(logSource: LogSource(), select: nil, trust: .never, parserIndex: nil))
            mappings.append(nil)
        }
        // The names each parser produces: rule fields a parser fills are not read from the journal.
        let parsedNames = parsers.map { Set($0.fieldNames) }
        var compiledRules: [CompiledRule] = []
        var evaluated: [Rule] = []
        var unmapped: [Rule] = []
        for rule in rules {
            let groupIndex = logSources == nil ? 0 : mappings.firstIndex { $0?.applies(to: rule.logSource) == true }
            guard let groupIndex else {
                // Compiled all the same, so that `cordon check` finds its errors before it is mapped.
                switch CompiledRule.compile(rule, fieldNames: [:], compiler: compiler) {
                case .success: unmapped.append(rule)
                case .failure(let failure): diagnostics += failure.diagnostics
                }
                continue
            }
            let renames = mappings[groupIndex]?.fieldNames ?? [:]
            switch CompiledRule.compile(rule, fieldNames: renames, compiler: compiler) {
            case .success(let compiled):
                groups[groupIndex].ruleIndexes.append(compiledRules.count)
                compiledRules.append(compiled)
                evaluated.append(rule)
                switch groups[groupIndex].events {
                case nil:
                    fieldNames.formUnion(Engine.readFields(of: rule, renames: renames,
                                                           parsed: groups[groupIndex].parserIndex.map { parsedNames[$0] } ?? []))
                case .auditRecord?:
                    // Audit records are journal entries: a rule may name one of their journal fields.
                    fieldNames.formUnion(Engine.readFields(of: rule, renames: renames, parsed: Set(AuditParser().fieldNames)))
                case _?:
                    break  // fields of events Cordon builds; `EventAssembly.inputFieldNames` covers what it reads
                }
            case .failure(let failure):
                diagnostics += failure.diagnostics
            }
        }
        // Groups without rules cost a selector test per entry for nothing.
        var used: [RuleGroup] = []
        for (index, group) in groups.enumerated() where !group.ruleIndexes.isEmpty {
            if let mapping = mappings[index], group.events == nil { fieldNames.formUnion(Engine.readFields(of: mapping)) }
            // The parser runs only for groups whose rules read a field it produces.
            if let parser = group.parserIndex {
                let renames = mappings[index]?.fieldNames ?? [:]
                group.usesParsedFields = group.ruleIndexes.contains {
                    !Engine.readFields(of: evaluated[$0], renames: renames, parsed: []).isDisjoint(with: parsedNames[parser])
                }
                if group.usesParsedFields { fieldNames.formUnion(parsers[parser].inputFieldNames) }
            }
            used.append(group)
        }
        // Index each group's rules by the literals they need, where that pays.
        for index in used.indices {
            used[index].prefilter = GroupPrefilter(
                requirements: used[index].ruleIndexes.map { Requirement.of(compiledRules[$0].detection) })
        }
        self.scratches = used.map {
            $0.prefilter?.makeScratch() ?? GroupPrefilter.noScratch
        }
        self.scans = PrefilterScans(prefilters: used.map(\.prefilter))
        self.scanScratch = scans.makeScratch()
        self.rules = evaluated
        self.unmappedRules = unmapped
        self.diagnostics = diagnostics
        self.compiledRules = compiledRules
        self.groups = used
        self.entryGroupIndexes = used.indices.filter { used[$0].events == nil }
        self.dispatch = GroupDispatch(groups: entryGroupIndexes.map { used[$0] })
        self.candidateGroups = Array(repeating: true, count: entryGroupIndexes.count)
        var eventGroupIndexes: [EventKind: [Int]] = [:]
        for index in used.indices { if let kind = used[index].events { eventGroupIndexes[kind, default: []].append(index) } }
        self.eventGroupIndexes = eventGroupIndexes
        if !eventGroupIndexes.isEmpty { fieldNames.formUnion(EventAssembly.inputFieldNames) }
        self.parsers = parsers
        self.parsed = Array(repeating: ParsedFields(), count: parsers.count)
        self.isParsed = Array(repeating: false, count: parsers.count)
        self.fieldNames = fieldNames
    }

    /// Appends a `Match` to `matches` for each rule that matches `entry`, in rule order within
    /// each log source (log sources in mapping order).
    /// - Parameters:
    ///   - entry: the journal entry.
    ///   - matches: where matches are appended; existing elements are kept.
    public mutating func evaluate(_ entry: JournalEntry, into matches: inout [Match]) {
        var context = EvaluationContext()
        for index in isParsed.indices { isParsed[index] = false }
        scans.reset(&scanScratch)
        let plain = Event(entry: entry)
        let isAuditRecord = Engine.isAuditRecord(entry)
        dispatch.mark(plain, into: &candidateGroups)
        for (position, groupIndex) in entryGroupIndexes.enumerated() where candidateGroups[position] {
            let group = groups[groupIndex]
            if isAuditRecord, !group.readsAuditRecords { continue }
            guard group.selects(plain, context: &context) else { continue }
            var event = plain
            if let parserIndex = group.parserIndex, group.usesParsedFields {
                if !isParsed[parserIndex] {
                    parsed[parserIndex].removeAll()
                    parsers[parserIndex].parse(entry, into: &parsed[parserIndex])
                    isParsed[parserIndex] = true
                }
                event.parsed = parsed[parserIndex]
            }
            var trusted: Bool? = nil
            if let prefilter = group.prefilter {
                let candidates = candidates(of: prefilter, group: groupIndex, in: event)
                candidates.forEach { position in
                    evaluate(group.ruleIndexes[position], in: group, event, trusted: &trusted, context: &context, into: &matches)
                }
            } else {
                for ruleIndex in group.ruleIndexes {
                    evaluate(ruleIndex, in: group, event, trusted: &trusted, context: &context, into: &matches)
                }
            }
        }
        statistics.regexLimitHits += context.regexLimitHits
    }

    /// Makes matches of the rule `identifier` carry the values of `names` (`Match.captured`),
    /// as correlation rules need them: group-by fields, counted fields. The reader must also
    /// fetch those fields: `fieldNames` grows by the names that are journal fields.
    public mutating func capture(_ names: [String], forRule identifier: String) {
        guard !names.isEmpty else { return }
        if capturedFields.count < rules.count { capturedFields = Array(repeating: [], count: rules.count) }
        for (index, rule) in rules.enumerated() where rule.identifier == identifier {
            for name in names where !capturedFields[index].contains(where: { $0.name == name }) {
                capturedFields[index].append((name, Array(name.utf8)))
            }
            extraFieldNames.formUnion(names)
            // A captured field the group's parser produces needs the parser, on matched entries.
            for group in groups where group.ruleIndexes.contains(index) {
                guard let parser = group.parserIndex, !Set(parsers[parser].fieldNames).isDisjoint(with: names) else { continue }
                group.capturesParsedFields = true
                extraFieldNames.formUnion(parsers[parser].inputFieldNames)
            }
        }
    }

    /// Fields `capture` added to what the reader fetches.
    private var extraFieldNames: Set<String> = []

    /// Every journal field a rule, selector, parser or capture reads.
    public var readFieldNames: Set<String> { fieldNames.union(extraFieldNames) }

    private static let transportName = Array("_TRANSPORT".utf8)
    private static let audit = Array("audit".utf8)

    /// Whether `entry` is a kernel audit record as journald stores it (`_TRANSPORT=audit`).
    static func isAuditRecord(_ entry: JournalEntry) -> Bool {
        transportName.withUnsafeBytes { entry.value(ofName: $0) }?.elementsEqual(audit) ?? false
    }

    /// Appends a `Match` for each rule of the event's kind that matches it.
    /// - Parameters:
    ///   - assembled: an event `EventAssembly` made.
    ///   - matches: where matches are appended; existing elements are kept.
    public mutating func evaluate(_ assembled: AssembledEvent, into matches: inout [Match]) {
        guard let indexes = eventGroupIndexes[assembled.kind] else { return }
        var context = EvaluationContext()
        scans.reset(&scanScratch)
        let event = assembled.event
        for groupIndex in indexes {
            let group = groups[groupIndex]
            guard group.selects(event, context: &context) else { continue }
            var trusted: Bool? = nil
            if let prefilter = group.prefilter {
                candidates(of: prefilter, group: groupIndex, in: event).forEach { position in
                    evaluate(group.ruleIndexes[position], in: group, event, trusted: &trusted, context: &context, into: &matches)
                }
            } else {
                for ruleIndex in group.ruleIndexes {
                    evaluate(ruleIndex, in: group, event, trusted: &trusted, context: &context, into: &matches)
                }
            }
        }
        statistics.regexLimitHits += context.regexLimitHits
    }

    /// Evaluates one rule; on a match, decides trust (once per group and entry) and appends the match.
    private mutating func evaluate(_ ruleIndex: Int, in group: RuleGroup, _ event: Event, trusted: inout Bool?,
                                   context: inout EvaluationContext, into matches: inout [Match]) {
        matched.removeAll(keepingCapacity: true)
        statistics.ruleEvaluations += 1
        let limitHits = context.regexLimitHits
        let holds = compiledRules[ruleIndex].evaluate(event, into: &matched, context: &context)
        if context.regexLimitHits != limitHits { statistics.lastRegexLimitRule = rules[ruleIndex].identifier }
        guard holds else { return }
        let isTrusted = trusted ?? group.isTrusted(event, context: &context)
        trusted = isTrusted
        var match = Match(rule: rules[ruleIndex], fields: Engine.unique(matched), isTrusted: isTrusted,
                          logSource: group.logSource)
        if ruleIndex < capturedFields.count, !capturedFields[ruleIndex].isEmpty {
            var source = event
            if source.parsed.isEmpty, group.capturesParsedFields, let parser = group.parserIndex {
                var fields = ParsedFields()
                parsers[parser].parse(event.entry, into: &fields)
                source.parsed = fields
            }
            for field in capturedFields[ruleIndex] {
                if let value = field.bytes.withUnsafeBytes({ source.value(ofName: $0) }) { match.captured[field.name] = Array(value) }
            }
        }
        matches.append(match)
    }

    /// The positions of the group's rules that can match `event`: those without requirements
    /// and those each of whose clauses has a literal the scan of the indexed fields found.
    private mutating func candidates(of prefilter: GroupPrefilter, group: Int, in event: Event) -> PatternSet {
        scans.scan(for: group, in: event, into: &scanScratch)
        prefilter.selectCandidates(&scratches[group], seen: scanScratch.seen, base: scans.bases[group])
        statistics.prefilteredOut += prefilter.ruleCount - scratches[group].candidates.count
        return scratches[group].candidates
    }

    /// Evaluates `event`'s entry; see `evaluate(_:into:)` for entries.
    public mutating func evaluate(_ event: Event, into matches: inout [Match]) {
        evaluate(event.entry, into: &matches)
    }

    /// The matched fields in first-seen order, each name once, copied out of the event.
    private static func unique(_ matched: [MatchedSlice]) -> [MatchedField] {
        var fields: [MatchedField] = []
        for slice in matched where !fields.contains(where: { $0.name == slice.name }) {
            fields.append(MatchedField(name: slice.name, value: Array(slice.value)))
        }
        return fields
    }
}

/// Counters of an engine.
public struct EngineStatistics: Sendable {
    /// `|re` matches stopped by PCRE2's match or depth limit (each counted as no match).
    public var regexLimitHits = 0
    /// The id of the last rule whose `|re` value hit a limit.
    public var lastRegexLimitRule: String?
    /// Rule evaluations: rules whose log source selected the entry and the prefilter kept.
    public var ruleEvaluations = 0
    /// Rules the literal prefilter left out because none of their required literals occurred.
    public var prefilteredOut = 0
}
