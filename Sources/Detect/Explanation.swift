import Journal
import Parse
import Rules

/// Why each rule did or did not match one entry: what `--explain` prints.
public struct Explanation: Sendable {
    /// One log source mapping's view of the entry.
    public struct Source: Sendable {
        /// The mapping's log source.
        public let logSource: LogSource
        /// Whether the mapping's selector picked the entry (its rules were considered).
        public let isSelected: Bool
        /// Whether journald vouches for the entry under this mapping (only computed when selected).
        public let isTrusted: Bool
        /// The fields the mapping's parser derived, as text.
        public let parsedFields: [(name: String, value: String)]
        /// The rules of the mapping, when it selected the entry.
        public let rules: [RuleResult]
        /// How many rules the mapping has.
        public let ruleCount: Int
    }

    /// One rule's result.
    public struct RuleResult: Sendable {
        /// The rule.
        public let rule: Rule
        /// Each selection's name and whether it held, sorted by name.
        public let selections: [(name: String, holds: Bool)]
        /// Whether the condition held.
        public let conditionHolds: Bool
        /// Titles of filters that held and so cancelled the match.
        public let cancellingFilters: [String]

        /// Whether the rule matched: the condition held and no filter cancelled it.
        public var matched: Bool { conditionHolds && cancellingFilters.isEmpty }
    }

    /// The entry's cursor.
    public let cursor: String
    /// Every mapping, in order.
    public let sources: [Source]

    /// The explanation as indented lines of text. Log text is escaped.
    public var text: String {
        var lines = ["entry \(cursor)"]
        for source in sources {
            guard source.isSelected else {
                lines.append("  log source \(source.logSource): not selected (\(source.ruleCount) rules not considered)")
                continue
            }
            lines.append("  log source \(source.logSource): selected, \(source.isTrusted ? "trusted" : "untrusted")")
            if !source.parsedFields.isEmpty {
                lines.append("    parsed: " + source.parsedFields.map { "\($0.name)=\($0.value)" }.joined(separator: " "))
            }
            for result in source.rules {
                let verdict = result.matched ? "MATCH" : "no match"
                let selections = result.selections.map { "\($0.name)=\($0.holds)" }.joined(separator: " ")
                var line = "    rule \(result.rule.identifier) '\(result.rule.title)': \(verdict) — condition '\(result.rule.detection.conditionText)' is \(result.conditionHolds) with \(selections)"
                if !result.cancellingFilters.isEmpty {
                    line += "; cancelled by filter " + result.cancellingFilters.map { "'\($0)'" }.joined(separator: ", ")
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension Engine {
    /// Evaluates every rule on `entry` and says why each did or did not match, selection by
    /// selection. Slower than `evaluate`: for people, not the hot path.
    public func explain(_ entry: JournalEntry) -> Explanation {
        explain(Event(entry: entry), groupIndexes: entryGroupIndexes,
                cursor: entry.cursor?.rawValue ?? "at __REALTIME_TIMESTAMP=\(entry.realtime)")
    }

    /// Says why each rule of the event's kind did or did not match an assembled event.
    public func explain(_ assembled: AssembledEvent) -> Explanation {
        explain(assembled.event, groupIndexes: eventGroupIndexes[assembled.kind] ?? [],
                cursor: "\(assembled.cursor.rawValue) (\(assembled.kind.rawValue) event)", showsEntryFields: true)
    }

    /// - Parameter showsEntryFields: list the entry's own fields as the ones rules see (an
    ///   event Cordon built holds its fields there).
    private func explain(_ plain: Event, groupIndexes: [Int], cursor: String, showsEntryFields: Bool = false) -> Explanation {
        let entry = plain.entry
        var context = EvaluationContext()
        var sources: [Explanation.Source] = []
        var unused: [MatchedSlice] = []
        let skipsAuditRecords = !showsEntryFields && Engine.isAuditRecord(entry)
        for group in groupIndexes.map({ groups[$0] }) where !(skipsAuditRecords && !group.readsAuditRecords) {
            guard group.selects(plain, context: &context) else {
                sources.append(Explanation.Source(logSource: group.logSource, isSelected: false, isTrusted: false,
                                                  parsedFields: [], rules: [], ruleCount: group.ruleIndexes.count))
                continue
            }
            var event = plain
            if let parserIndex = group.parserIndex {
                var fields = ParsedFields()
                parsers[parserIndex].parse(entry, into: &fields)
                event.parsed = fields
            }
            var results: [Explanation.RuleResult] = []
            for ruleIndex in group.ruleIndexes {
                let compiled = compiledRules[ruleIndex]
                let selections = zip(compiled.detection.names, compiled.detection.selections).map { name, selection in
                    (name: name, holds: selection.holds(for: event, context: &context))
                }
                unused.removeAll()
                let holds = compiled.detection.evaluate(event, into: &unused, context: &context)
                var cancelling: [String] = []
                for (filter, source) in zip(compiled.filters, rules[ruleIndex].filters) {
                    unused.removeAll()
                    if filter.evaluate(event, into: &unused, context: &context) { cancelling.append(source.title) }
                }
                results.append(Explanation.RuleResult(rule: rules[ruleIndex], selections: selections, conditionHolds: holds,
                                                      cancellingFilters: cancelling))
            }
            var parsed = event.parsed.fields.map { (name: $0.name, value: Escaping.text($0.value, limit: 200)) }
            if showsEntryFields, parsed.isEmpty {
                parsed = entry.fields.map { (name: $0.nameString, value: Escaping.text($0.value, limit: 200)) }
            }
            sources.append(Explanation.Source(logSource: group.logSource, isSelected: true,
                                              isTrusted: group.isTrusted(event, context: &context), parsedFields: parsed,
                                              rules: results, ruleCount: group.ruleIndexes.count))
        }
        return Explanation(cursor: cursor, sources: sources)
    }
}
