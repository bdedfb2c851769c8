import Yams

/// A Sigma correlation rule or Cordon detector as parsed from one document, with where its
/// parts are written (references are resolved once every file is read).
struct ParsedCorrelation {
    /// The rule, with `resolvedReferences` and `resolvedAliases` still empty.
    var rule: CorrelationRule
    /// Where its `id` (or, without one, its `name`) is written.
    let identifierLocation: SourceLocation
    /// Where its `name` is written, if it has one.
    let nameLocation: SourceLocation?
    /// Where each of `rule.ruleReferences` is written, in the same order.
    let referenceLocations: [SourceLocation]
    /// Every rule reference under `aliases`, with where it is written.
    let aliasReferences: [(alias: String, reference: String, location: SourceLocation)]
}

/// Correlation and detector documents: `correlation:` (Sigma correlation specification 2.1) or
/// `detector:` (Cordon's extension, rules/CORRELATION.md).
extension RuleDocumentParser {
    /// The keys of a `correlation:` section.
    static let correlationKeys = ["type", "rules", "group-by", "timespan", "condition", "aliases", "generate"]

    /// The keys of a `detector:` section for each detector type.
    static let detectorKeys: [CorrelationRule.Kind: [String]] = [
        .firstSeen: ["type", "rules", "group-by", "fields", "learning"],
        .rateSpike: ["type", "rules", "group-by", "window", "factor", "floor", "learning", "smoothing"],
        .silence: ["type", "rules", "group-by", "timespan"],
        .rareCategory: ["type", "sources", "learning", "limit"],
        .categoryRate: ["type", "sources", "window", "factor", "floor", "learning", "smoothing", "limit"],
        .rareProcess: ["type", "rules", "network_units", "learning", "limit"],
        .rareLogin: ["type", "rules", "user", "address", "ipv4_prefix", "ipv6_prefix", "hours", "learning", "limit"],
    ]

    /// The default learning period of an anomaly detector: a week of entry time.
    static let defaultAnomalyLearning: UInt64 = 7 * 86_400 * 1_000_000

    /// The keys of a correlation `condition`.
    static let conditionKeys = ["gt", "gte", "lt", "lte", "eq", "neq", "field", "percentile"]

    /// The top-level keys a correlation or detector document may have.
    static let correlationDocumentKeys: Set<String> = [
        "title", "id", "name", "related", "taxonomy", "status", "description", "license", "author", "references",
        "date", "modified", "falsepositives", "level", "tags", "generate", "correlation", "detector",
    ]

    /// The default EWMA smoothing factor of a rate_spike detector.
    static let defaultSmoothing = 0.3

    /// Parses a correlation or detector document.
    mutating func parseCorrelation(_ mapping: Node.Mapping, at documentLocation: SourceLocation) -> ParsedCorrelation? {
        let count = diagnostics.count
        let isDetector = mapping.entry("correlation") == nil
        let sectionKey = isDetector ? "detector" : "correlation"
        let noun = isDetector ? "detector" : "correlation rule"
        checkTopLevelKeys(of: mapping, sectionKey: sectionKey, noun: noun)

        if mapping.entry("title") == nil {
            let keys = mapping.compactMap { $0.key.text }.filter { !RuleDocumentParser.correlationDocumentKeys.contains($0) }
            let hint = Suggestion.nearest(to: "title", among: keys).map { "rename '\($0)' to 'title'" }
                ?? "add 'title: <what it detects>'"
            diagnostics.append(Diagnostic(at: documentLocation, "\(noun) has no 'title'", hint: hint))
        }
        let title = requiredText("title", in: mapping)
        var identifier: (text: String, location: SourceLocation)? = nil
        let name = mapping.entry("name") == nil ? nil : requiredText("name", in: mapping)
        if mapping.entry("id") != nil {
            identifier = requiredText("id", in: mapping)
        } else if let name {
            identifier = name
        } else if mapping.entry("name") == nil {
            diagnostics.append(Diagnostic(at: documentLocation, "\(noun) has no 'id'",
                                          hint: "add 'id: <a new UUID>'; alerts are keyed on it"))
        }
        let level: Level? = mapping.entry("level") == nil ? .medium : parseLevel(in: mapping)
        let status = parseStatus(in: mapping, at: documentLocation)

        // `parse` only calls this when the key exists.
        guard let entry = mapping.entry(sectionKey) else { return nil }
        let sectionLocation = keyLocation(entry.key)
        guard case .mapping(let section) = entry.value else {
            let keys = isDetector ? "type, rules and the detector's settings" : "type, rules, group-by, timespan and condition"
            diagnostics.append(Diagnostic(at: sectionLocation, "'\(sectionKey)' must be a map with \(keys), not \(entry.value.kindDescription)",
                                          hint: "indent 'type:', 'rules:' and the rest under '\(sectionKey):'"))
            return nil
        }
        let body = isDetector
            ? parseDetector(section, at: sectionLocation)
            : parseCorrelationSection(section, at: sectionLocation)
        let generate = parseGenerate(top: mapping, section: section)

        guard diagnostics[count...].allSatisfy({ !$0.isError }), let title, let identifier, let level,
              let body else { return nil }
        var rule = CorrelationRule(
            identifier: identifier.text, title: title.text, level: level, kind: body.kind,
            ruleReferences: body.references.map(\.text), groupBy: body.groupBy, timespan: body.timespan,
            condition: body.condition, fields: body.fields, location: documentLocation)
        rule.name = name?.text
        rule.description = optionalText("description", in: mapping)
        rule.status = status
        rule.tags = textList("tags", in: mapping)
        rule.author = optionalText("author", in: mapping)
        rule.references = textList("references", in: mapping)
        rule.falsePositives = textList("falsepositives", in: mapping)
        rule.percentile = body.percentile
        rule.aliases = body.aliases
        rule.generate = generate ?? false
        rule.settings = body.settings
        rule.names = body.names
        guard diagnostics[count...].allSatisfy({ !$0.isError }) else { return nil }
        return ParsedCorrelation(
            rule: rule, identifierLocation: identifier.location, nameLocation: name?.location,
            referenceLocations: body.references.map(\.location), aliasReferences: body.aliasReferences)
    }

    /// What a `correlation:` or `detector:` section holds.
    struct SectionBody {
        var kind: CorrelationRule.Kind
        var references: [(text: String, location: SourceLocation)] = []
        var groupBy: [String] = []
        var timespan: UInt64 = 0
        var condition = CorrelationRule.Condition()
        var fields: [String] = []
        var percentile: Double? = nil
        var aliases: [String: [String: String]] = [:]
        var aliasReferences: [(alias: String, reference: String, location: SourceLocation)] = []
        var settings: [String: Double] = [:]
        var names: [String: [String]] = [:]
    }

    /// Reports keys that do not belong in a correlation or detector document.
    private mutating func checkTopLevelKeys(of mapping: Node.Mapping, sectionKey: String, noun: String) {
        for (key, _) in mapping {
            guard let name = key.text else { continue }
            if name == sectionKey { continue }
            if ["correlation", "detector", "filter", "logsources"].contains(name) {
                diagnostics.append(Diagnostic(at: keyLocation(key), "a \(noun) document cannot also have '\(name)'",
                                              hint: "write each as a document of its own, separated by '---'"))
            } else if name == "detection" || name == "logsource" {
                diagnostics.append(Diagnostic(
                    at: keyLocation(key), "a \(noun) document cannot have '\(name)'",
                    hint: "put the base rule in a document of its own (after '---') and name it in '\(sectionKey).rules'"))
            } else if !RuleDocumentParser.correlationDocumentKeys.contains(name),
                      let known = Suggestion.nearest(to: name, among: RuleDocumentParser.correlationDocumentKeys.sorted()) {
                // Other keys are custom attributes, unless they look like a misspelled known key.
                diagnostics.append(Diagnostic(at: keyLocation(key), "unknown key '\(name)'",
                                              hint: "did you mean '\(known)'?", severity: .warning))
            }
        }
    }

    /// The `type` of a section: one of `choices`, with a diagnostic when missing or unknown.
    private mutating func parseKind(in section: Node.Mapping, at sectionLocation: SourceLocation, sectionKey: String,
                                    choices: [CorrelationRule.Kind]) -> CorrelationRule.Kind? {
        let names = choices.map(\.rawValue)
        guard let entry = section.entry("type") else {
            diagnostics.append(Diagnostic(at: sectionLocation, "'\(sectionKey)' has no 'type'",
                                          hint: "add 'type:' with one of " + names.joined(separator: ", ")))
            return nil
        }
        let location = entry.value.location(in: file, or: keyLocation(entry.key))
        guard let text = entry.value.text else {
            diagnostics.append(Diagnostic(at: location, "'type' must be text, not \(entry.value.kindDescription)",
                                          hint: "use one of " + names.joined(separator: ", ")))
            return nil
        }
        if let kind = CorrelationRule.Kind(rawValue: text), choices.contains(kind) { return kind }
        let choicesText = "use one of " + names.joined(separator: ", ")
        var hint = Suggestion.nearest(to: text, among: names).map { "did you mean '\($0)'? \(choicesText)" } ?? choicesText
        if let kind = CorrelationRule.Kind(rawValue: text) {
            hint = kind.isDetector ? "'\(text)' is a Cordon detector: write it under 'detector:' instead of 'correlation:'"
                                   : "'\(text)' is a Sigma correlation type: write it under 'correlation:' instead of 'detector:'"
        }
        let what = sectionKey == "detector" ? "a detector type" : "a correlation type"
        diagnostics.append(Diagnostic(at: location, "'\(text)' is not \(what)", hint: hint))
        return nil
    }

    /// Reports every key of `section` not in `known`, with the nearest known key.
    private mutating func checkSectionKeys(of section: Node.Mapping, known: [String], sectionKey: String, owner: String) {
        for (key, _) in section {
            guard let name = key.text, !known.contains(name) else { continue }
            let choices = "\(owner) takes " + known.joined(separator: ", ")
            let hint = Suggestion.nearest(to: name, among: known).map { "did you mean '\($0)'?" } ?? choices
            diagnostics.append(Diagnostic(at: keyLocation(key), "unknown key '\(name)' in '\(sectionKey)'", hint: hint))
        }
    }

    /// The body of a `correlation:` section.
    private mutating func parseCorrelationSection(_ section: Node.Mapping, at sectionLocation: SourceLocation) -> SectionBody? {
        let sigmaKinds = CorrelationRule.Kind.allCases.filter { !$0.isDetector }
        checkSectionKeys(of: section, known: RuleDocumentParser.correlationKeys, sectionKey: "correlation",
                         owner: "a correlation")
        let kind = parseKind(in: section, at: sectionLocation, sectionKey: "correlation", choices: sigmaKinds)
        let references = parseRuleReferences(in: section, at: sectionLocation, sectionKey: "correlation")
        if let kind, kind.isTemporal, references.count == 1 {
            diagnostics.append(Diagnostic(
                at: references[0].location, "\(kind.rawValue) correlation needs at least two rules, it names one",
                hint: "add the other rules, or use 'type: event_count' to count one rule's events"))
        }
        let groupBy: [String]
        if section.entry("group-by") == nil {
            diagnostics.append(Diagnostic(
                at: sectionLocation, "'correlation' has no 'group-by'",
                hint: "add 'group-by:' with the fields whose values form a group, or 'group-by: []' for one group of all events"))
            groupBy = []
        } else {
            groupBy = parseFieldList("group-by", in: section, sectionKey: "correlation")
        }
        let timespan = parseTimespan("timespan", in: section, at: sectionLocation, sectionKey: "correlation")
        guard let kind else { return nil }
        var body = SectionBody(kind: kind, references: references, groupBy: groupBy, timespan: timespan ?? 0)
        parseCondition(in: section, at: sectionLocation, into: &body)
        parseAliases(in: section, into: &body)
        return body
    }

    /// The correlation `condition`: bounds, `field` and `percentile`, checked against the type.
    private mutating func parseCondition(in section: Node.Mapping, at sectionLocation: SourceLocation, into body: inout SectionBody) {
        let kind = body.kind
        guard let entry = section.entry("condition"), !entry.value.isNull else {
            if kind.isTemporal {
                // Spec: the condition counts distinct rules; without one, every rule must be seen.
                body.condition = CorrelationRule.Condition(greaterThanOrEqual: Double(body.references.count))
            } else {
                let example = kind.readsValueField ? "'condition: {field: <field>, gte: 10}'" : "'condition: {gte: 10}'"
                diagnostics.append(Diagnostic(at: sectionLocation, "\(kind.rawValue) correlation has no 'condition'",
                                              hint: "add one, e.g. \(example)"))
            }
            return
        }
        let conditionLocation = keyLocation(entry.key)
        guard case .mapping(let condition) = entry.value else {
            diagnostics.append(Diagnostic(
                at: entry.value.location(in: file, or: conditionLocation),
                "'condition' must be a map such as 'gte: 10', not \(entry.value.kindDescription)",
                hint: "write the bounds as keys: gt, gte, lt, lte, eq, neq (several make a range)"))
            return
        }
        var bounds = CorrelationRule.Condition()
        var hasBoundKey = false
        for (key, value) in condition {
            guard let name = key.text else { continue }
            let location = keyLocation(key)
            switch name {
            case "field":
                body.fields = parseConditionField(value, at: location, kind: kind)
            case "percentile":
                guard kind == .valuePercentile else {
                    diagnostics.append(Diagnostic(at: location, "'percentile' is only for value_percentile correlations",
                                                  hint: "remove it"))
                    continue
                }
                guard let number = number(value, key: name, at: location) else { continue }
                guard (0...100).contains(number) else {
                    diagnostics.append(Diagnostic(at: value.location(in: file, or: location),
                                                  "'percentile' must be between 0 and 100, not \(number.ruleText)",
                                                  hint: "write e.g. 'percentile: 95'"))
                    continue
                }
                body.percentile = number
            case "gt", "gte", "lt", "lte", "eq", "neq":
                hasBoundKey = true
                guard let number = number(value, key: name, at: location) else { continue }
                switch name {
                case "gt": bounds.greaterThan = number
                case "gte": bounds.greaterThanOrEqual = number
                case "lt": bounds.lessThan = number
                case "lte": bounds.lessThanOrEqual = number
                case "eq": bounds.equal = number
                default: bounds.notEqual = number
                }
            default:
                let known = RuleDocumentParser.conditionKeys
                let hint = Suggestion.nearest(to: name, among: known).map { "did you mean '\($0)'?" }
                    ?? "use gt, gte, lt, lte, eq or neq (several make a range), and 'field' for value_* types"
                diagnostics.append(Diagnostic(at: location, "unknown condition key '\(name)'", hint: hint))
            }
        }
        if kind.readsValueField, condition.entry("field") == nil {
            diagnostics.append(Diagnostic(at: conditionLocation, "\(kind.rawValue) correlation's condition has no 'field'",
                                          hint: "add 'field: <the field whose values it \(kind == .valueCount ? "counts" : "aggregates")>'"))
        }
        if bounds.isEmpty {
            if kind.isTemporal {
                bounds.greaterThanOrEqual = Double(body.references.count)
            } else if !hasBoundKey {
                diagnostics.append(Diagnostic(at: conditionLocation, "'condition' has no bound",
                                              hint: "add one of gt, gte, lt, lte, eq, neq, e.g. 'gte: 10'"))
            }
        }
        body.condition = bounds
    }

    /// `condition.field`: one field, or (value_count only) a list whose values count together.
    private mutating func parseConditionField(_ value: Node, at location: SourceLocation, kind: CorrelationRule.Kind) -> [String] {
        guard kind.readsValueField else {
            diagnostics.append(Diagnostic(at: location, "'field' is only for value_count, value_sum, value_avg and value_percentile correlations",
                                          hint: "remove it; \(kind.rawValue) counts \(kind.isTemporal ? "distinct rules" : "events")"))
            return []
        }
        var fields: [String] = []
        if let text = value.text {
            fields = [text]
        } else if case .sequence(let sequence) = value, kind == .valueCount {
            for element in sequence {
                guard let text = element.text else {
                    diagnostics.append(Diagnostic(at: element.location(in: file, or: location),
                                                  "items of 'field' must be field names, not \(element.kindDescription)",
                                                  hint: "write each as '- <field>'"))
                    continue
                }
                fields.append(text)
            }
        } else {
            let what = kind == .valueCount ? "a field name or a list of field names" : "one field name"
            diagnostics.append(Diagnostic(at: value.location(in: file, or: location),
                                          "'field' must be \(what), not \(value.kindDescription)",
                                          hint: "write 'field: <field>'"))
            return []
        }
        if fields.isEmpty || fields.contains(where: { $0.allSatisfy(\.isWhitespace) }) {
            diagnostics.append(Diagnostic(at: value.location(in: file, or: location), "'field' is empty",
                                          hint: "write 'field: <field>'"))
        }
        return fields
    }

    /// `aliases`: alias name → (rule reference → field name).
    private mutating func parseAliases(in section: Node.Mapping, into body: inout SectionBody) {
        guard let entry = section.entry("aliases"), !entry.value.isNull else { return }
        let hint = "write 'aliases:' with '<alias>:' maps of '<rule name>: <field>'"
        guard case .mapping(let aliases) = entry.value else {
            diagnostics.append(Diagnostic(at: entry.value.location(in: file, or: keyLocation(entry.key)),
                                          "'aliases' must be a map, not \(entry.value.kindDescription)", hint: hint))
            return
        }
        for (aliasKey, aliasValue) in aliases {
            guard let alias = aliasKey.text else { continue }
            guard case .mapping(let fieldsByRule) = aliasValue else {
                diagnostics.append(Diagnostic(at: keyLocation(aliasKey),
                                              "alias '\(alias)' must be a map of rule names to field names, not \(aliasValue.kindDescription)",
                                              hint: hint))
                continue
            }
            var mapped: [String: String] = [:]
            for (ruleKey, fieldValue) in fieldsByRule {
                guard let reference = ruleKey.text else { continue }
                guard let field = fieldValue.text, !field.allSatisfy(\.isWhitespace) else {
                    diagnostics.append(Diagnostic(at: keyLocation(ruleKey),
                                                  "alias '\(alias)' gives no field name for rule '\(reference)'",
                                                  hint: "write '\(reference): <field in that rule's events>'"))
                    continue
                }
                mapped[reference] = field
                body.aliasReferences.append((alias, reference, keyLocation(ruleKey)))
            }
            body.aliases[alias] = mapped
        }
    }

    /// The body of a `detector:` section.
    private mutating func parseDetector(_ section: Node.Mapping, at sectionLocation: SourceLocation) -> SectionBody? {
        let detectorKinds = CorrelationRule.Kind.allCases.filter(\.isDetector)
        let kind = parseKind(in: section, at: sectionLocation, sectionKey: "detector", choices: detectorKinds)
        let known = kind.flatMap { RuleDocumentParser.detectorKeys[$0] }
            ?? ["type", "rules", "group-by", "fields", "learning", "window", "factor", "floor", "smoothing", "timespan"]
        checkSectionKeys(of: section, known: known, sectionKey: "detector",
                         owner: kind.map { "a \($0.rawValue) detector" } ?? "a detector")
        // Anomaly detectors other than rare_login read every entry: `rules` is optional for them.
        let rulesOptional = kind.map { $0.isAnomaly && $0 != .rareLogin } ?? false
        let references = rulesOptional && section.entry("rules") == nil
            ? [] : parseRuleReferences(in: section, at: sectionLocation, sectionKey: "detector")
        let groupBy = section.entry("group-by") == nil ? [] : parseFieldList("group-by", in: section, sectionKey: "detector")
        guard let kind else { return nil }
        var body = SectionBody(kind: kind, references: references, groupBy: groupBy)
        if kind.isAnomaly {
            parseAnomalyDetector(section, at: sectionLocation, into: &body)
            return body
        }
        switch kind {
        case .firstSeen:
            if section.entry("fields") == nil {
                diagnostics.append(Diagnostic(at: sectionLocation, "a first_seen detector has no 'fields'",
                                              hint: "add 'fields:' with the field (or fields) whose new values it reports"))
            } else {
                body.fields = parseFieldList("fields", in: section, sectionKey: "detector")
                if body.fields.isEmpty, let entry = section.entry("fields") {
                    diagnostics.append(Diagnostic(at: keyLocation(entry.key), "'fields' is empty",
                                                  hint: "name the field (or fields) whose new values it reports"))
                }
            }
            let learning = parseTimespan("learning", in: section, at: sectionLocation, sectionKey: "detector")
            body.timespan = learning ?? 0
            body.settings["learning"] = learning.map { Double($0) }
        case .rateSpike:
            let window = parseTimespan("window", in: section, at: sectionLocation, sectionKey: "detector")
            body.timespan = window ?? 0
            body.settings["window"] = window.map { Double($0) }
            body.settings["learning"] = parseTimespan("learning", in: section, at: sectionLocation, sectionKey: "detector")
                .map { Double($0) }
            body.settings["factor"] = setting("factor", in: section, at: sectionLocation, required: true,
                                              valid: { $0 > 1 }, rule: "greater than 1", example: "factor: 5")
            body.settings["floor"] = setting("floor", in: section, at: sectionLocation, required: true,
                                             valid: { $0 >= 0 }, rule: "0 or more", example: "floor: 20")
            body.settings["smoothing"] = setting("smoothing", in: section, at: sectionLocation, required: false,
                                                 valid: { $0 > 0 && $0 <= 1 }, rule: "greater than 0 and at most 1",
                                                 example: "smoothing: 0.3") ?? RuleDocumentParser.defaultSmoothing
        case .silence:
            body.timespan = parseTimespan("timespan", in: section, at: sectionLocation, sectionKey: "detector") ?? 0
        default:
            return nil
        }
        return body
    }

    /// The settings of an anomaly detector (rules/CORRELATION.md, "Learned anomaly detectors"):
    /// each has a default, so only what is given is checked.
    private mutating func parseAnomalyDetector(_ section: Node.Mapping, at sectionLocation: SourceLocation,
                                               into body: inout SectionBody) {
        let learning = section.entry("learning") == nil
            ? RuleDocumentParser.defaultAnomalyLearning
            : parseTimespan("learning", in: section, at: sectionLocation, sectionKey: "detector")
        body.timespan = learning ?? 0
        body.settings["learning"] = learning.map { Double($0) }
        body.settings["limit"] = setting("limit", in: section, at: sectionLocation, required: false,
                                         valid: { $0 >= 1 && $0 == $0.rounded() }, rule: "a whole number, 1 or more",
                                         example: "limit: 5")
        for key in ["sources", "network_units"] where section.entry(key) != nil {
            let names = parseFieldList(key, in: section, sectionKey: "detector")
            if names.isEmpty, let entry = section.entry(key) {
                diagnostics.append(Diagnostic(at: keyLocation(entry.key), "'\(key)' is empty",
                                              hint: "list at least one unit, command or source name, or leave '\(key)' out for the default"))
            }
            body.names[key] = names
        }
        for key in ["user", "address"] where section.entry(key) != nil {
            let names = parseFieldList(key, in: section, sectionKey: "detector")
            if names.count != 1, let entry = section.entry(key) {
                diagnostics.append(Diagnostic(at: keyLocation(entry.key), "'\(key)' must name one field",
                                              hint: "write e.g. '\(key): \(key == "user" ? "User" : "SourceIp")'"))
            }
            body.names[key] = names
        }
        switch body.kind {
        case .categoryRate:
            if section.entry("window") != nil {
                let window = parseTimespan("window", in: section, at: sectionLocation, sectionKey: "detector")
                body.settings["window"] = window.map { Double($0) }
            }
            body.settings["factor"] = setting("factor", in: section, at: sectionLocation, required: false,
                                              valid: { $0 > 1 }, rule: "greater than 1", example: "factor: 10")
            body.settings["floor"] = setting("floor", in: section, at: sectionLocation, required: false,
                                             valid: { $0 >= 0 }, rule: "0 or more", example: "floor: 100")
            body.settings["smoothing"] = setting("smoothing", in: section, at: sectionLocation, required: false,
                                                 valid: { $0 > 0 && $0 <= 1 }, rule: "greater than 0 and at most 1",
                                                 example: "smoothing: 0.3")
        case .rareLogin:
            body.settings["ipv4_prefix"] = setting("ipv4_prefix", in: section, at: sectionLocation, required: false,
                                                   valid: { (0...32).contains($0) && $0 == $0.rounded() },
                                                   rule: "a whole number from 0 to 32", example: "ipv4_prefix: 24")
            body.settings["ipv6_prefix"] = setting("ipv6_prefix", in: section, at: sectionLocation, required: false,
                                                   valid: { (0...128).contains($0) && $0 == $0.rounded() },
                                                   rule: "a whole number from 0 to 128", example: "ipv6_prefix: 64")
            if let entry = section.entry("hours") {
                let location = entry.value.location(in: file, or: keyLocation(entry.key))
                if let text = entry.value.text, let value = ["true": 1.0, "false": 0.0][text.lowercased()] {
                    body.settings["hours"] = value
                } else {
                    diagnostics.append(Diagnostic(at: location, "'hours' must be true or false",
                                                  hint: "write 'hours: false' to report new networks only"))
                }
            }
        default:
            break
        }
    }

    /// A numeric detector setting, checked by `valid`.
    private mutating func setting(_ key: String, in section: Node.Mapping, at sectionLocation: SourceLocation,
                                  required: Bool, valid: (Double) -> Bool, rule: String, example: String) -> Double? {
        guard let entry = section.entry(key), !entry.value.isNull else {
            if required {
                diagnostics.append(Diagnostic(at: sectionLocation, "'detector' has no '\(key)'", hint: "add e.g. '\(example)'"))
            }
            return nil
        }
        let location = keyLocation(entry.key)
        guard let value = number(entry.value, key: key, at: location) else { return nil }
        guard valid(value) else {
            diagnostics.append(Diagnostic(at: entry.value.location(in: file, or: location),
                                          "'\(key)' must be \(rule), not \(value.ruleText)", hint: "write e.g. '\(example)'"))
            return nil
        }
        return value
    }

    /// `rules`: the ids or names of the rules correlated, at least one, each once.
    private mutating func parseRuleReferences(in section: Node.Mapping, at sectionLocation: SourceLocation,
                                              sectionKey: String) -> [(text: String, location: SourceLocation)] {
        guard let entry = section.entry("rules"), !entry.value.isNull else {
            diagnostics.append(Diagnostic(at: sectionLocation, "'\(sectionKey)' has no 'rules'",
                                          hint: "add 'rules:' with the ids or names of the rules it \(sectionKey == "detector" ? "watches" : "correlates")"))
            return []
        }
        let rulesLocation = keyLocation(entry.key)
        let nodes: [Node]
        if case .sequence(let sequence) = entry.value { nodes = Array(sequence) } else { nodes = [entry.value] }
        var references: [(text: String, location: SourceLocation)] = []
        for node in nodes {
            let location = node.location(in: file, or: rulesLocation)
            guard let text = node.text, !text.allSatisfy(\.isWhitespace) else {
                diagnostics.append(Diagnostic(at: location, "items of 'rules' must be rule ids or names, not \(node.kindDescription)",
                                              hint: "write '- <rule id or name>'"))
                continue
            }
            if let first = references.first(where: { $0.text == text }) {
                diagnostics.append(Diagnostic(at: location, "rule '\(text)' is already named at \(first.location)",
                                              hint: "name each rule once"))
                continue
            }
            references.append((text, location))
        }
        if nodes.isEmpty {
            diagnostics.append(Diagnostic(at: rulesLocation, "'rules' is empty", hint: "add the ids or names of the rules"))
        }
        return references
    }

    /// A list of field names (`group-by`, `fields`); a single name counts as a one-item list.
    private mutating func parseFieldList(_ key: String, in section: Node.Mapping, sectionKey: String) -> [String] {
        guard let entry = section.entry(key), !entry.value.isNull else { return [] }
        let location = keyLocation(entry.key)
        if let text = entry.value.text { return [text] }
        guard case .sequence(let sequence) = entry.value else {
            diagnostics.append(Diagnostic(at: location, "'\(key)' must be a list of field names, not \(entry.value.kindDescription)",
                                          hint: "write each field as '- <field>'"))
            return []
        }
        var fields: [String] = []
        for element in sequence {
            let here = element.location(in: file, or: location)
            guard let text = element.text, !text.allSatisfy(\.isWhitespace) else {
                diagnostics.append(Diagnostic(at: here, "items of '\(key)' must be field names, not \(element.kindDescription)",
                                              hint: "write each field as '- <field>'"))
                continue
            }
            if fields.contains(text) {
                diagnostics.append(Diagnostic(at: here, "'\(text)' is in '\(key)' twice", hint: "list each field once"))
                continue
            }
            fields.append(text)
        }
        return fields
    }

    /// A duration key (`timespan`, `learning`, `window`) in µs; nil with a diagnostic when missing or bad.
    private mutating func parseTimespan(_ key: String, in section: Node.Mapping, at sectionLocation: SourceLocation,
                                        sectionKey: String) -> UInt64? {
        guard let entry = section.entry(key), !entry.value.isNull else {
            diagnostics.append(Diagnostic(at: sectionLocation, "'\(sectionKey)' has no '\(key)'",
                                          hint: "add e.g. '\(key): \(key == "learning" ? "7d" : "10m")'"))
            return nil
        }
        let location = entry.value.location(in: file, or: keyLocation(entry.key))
        guard let text = entry.value.text else {
            diagnostics.append(Diagnostic(at: location, "'\(key)' must be a duration such as '10m', not \(entry.value.kindDescription)",
                                          hint: Timespan.formatHint))
            return nil
        }
        guard let microseconds = Timespan.microseconds(text) else {
            diagnostics.append(Diagnostic(at: location, "'\(text)' is not a duration", hint: Timespan.formatHint))
            return nil
        }
        return microseconds
    }

    /// A number; nil with a diagnostic when `value` is not one.
    private mutating func number(_ value: Node, key: String, at location: SourceLocation) -> Double? {
        if let text = value.text, let number = Double(text), number.isFinite,
           !text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) {
            return number
        }
        diagnostics.append(Diagnostic(at: value.location(in: file, or: location),
                                      "'\(key)' must be a number, not \(value.text.map { "'\($0)'" } ?? value.kindDescription)",
                                      hint: "write e.g. '\(key): 10'"))
        return nil
    }

    /// `generate`, at the top level (where the specification puts it) or in the section.
    private mutating func parseGenerate(top: Node.Mapping, section: Node.Mapping) -> Bool? {
        var result: (value: Bool, location: SourceLocation)? = nil
        for entry in [top.entry("generate"), section.entry("generate")].compactMap({ $0 }) {
            let location = entry.value.location(in: file, or: keyLocation(entry.key))
            guard let text = entry.value.text, let value = ["true": true, "false": false][text.lowercased()] else {
                diagnostics.append(Diagnostic(at: location, "'generate' must be true or false", hint: "write 'generate: true' or leave it out"))
                continue
            }
            if let first = result, first.value != value {
                diagnostics.append(Diagnostic(at: location, "'generate' is \(value) here but \(first.value) at \(first.location)",
                                              hint: "give it once, at the top level"))
                continue
            }
            result = result ?? (value, location)
        }
        return result?.value
    }
}

extension Double {
    /// The number as written in a rule: `5`, not `5.0`.
    var ruleText: String {
        rounded() == self && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
