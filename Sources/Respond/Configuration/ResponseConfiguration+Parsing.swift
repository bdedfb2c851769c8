import Detect
import Rules
import Yams

/// A problem in the `response:` section: the line and what to do.
public struct ResponseConfigurationError: Error, Sendable {
    public let line: Int
    public let message: String
}

extension ResponseConfiguration {
    /// Reads the `response:` mapping of cordon.yaml. Unknown keys are errors, so a typo never
    /// silently disables a guardrail.
    /// - Parameters:
    ///   - node: the value of `response:`.
    ///   - hookExists: whether an executable exists at a path. A missing hook is refused for an
    ///     action that would enforce; in dry-run it is only reported by `missingHooks`.
    /// - Throws: `ResponseConfigurationError` naming the line.
    public static func parse(_ node: Node, hookExists: (String) -> Bool = { _ in true }) throws(ResponseConfigurationError) -> ResponseConfiguration {
        var configuration = ResponseConfiguration()
        let mapping = try Parsing.mapping(node, "response", hint: "see config/cordon.yaml and hooks/README.md")
        var actionsNode: Node?
        for (key, value) in mapping {
            let line = Parsing.line(key)
            switch key.string ?? "" {
            case "mode": configuration.mode = try Parsing.mode(value, "response.mode")
            case "hooks_directory":
                guard let path = value.string, path.hasPrefix("/") else {
                    throw ResponseConfigurationError(line: line, message: "'response.hooks_directory' must be an absolute path")
                }
                configuration.hooksDirectory = path
            case "max_concurrent": configuration.maximumConcurrent = try Parsing.positive(value, "response.max_concurrent", upTo: 64)
            case "max_queued": configuration.maximumQueued = try Parsing.positive(value, "response.max_queued", upTo: 100_000)
            case "timeout": configuration.timeout = try Parsing.seconds(value, "response.timeout")
            case "budget": configuration.budgetPerHour = try Parsing.positive(value, "response.budget", upTo: 1_000_000)
            case "allowlist": configuration.allowlist = try Parsing.allowlist(value)
            case "actions": actionsNode = value
            case let other:
                throw ResponseConfigurationError(line: line, message: "unknown setting 'response.\(other)'; known: mode, hooks_directory, "
                    + "max_concurrent, max_queued, timeout, budget, allowlist, actions")
            }
        }
        if let actionsNode {
            // Parsed last: hook names resolve in hooks_directory wherever it is written.
            guard let list = actionsNode.sequence else {
                throw ResponseConfigurationError(line: Parsing.line(actionsNode), message: "'response.actions' must be a list of actions, each with 'name', 'hook' and 'when'")
            }
            for item in list {
                let action = try Parsing.action(item, hooksDirectory: configuration.hooksDirectory)
                if !hookExists(action.hook) {
                    guard configuration.mode == .dryRun || action.mode == .dryRun else {
                        throw ResponseConfigurationError(line: action.line, message: "action '\(action.name)': hook \(action.hook) is not an executable file; install it or fix the path")
                    }
                    configuration.missingHooks.append(action.hook)
                }
                if configuration.actions.contains(where: { $0.name == action.name }) {
                    throw ResponseConfigurationError(line: action.line, message: "action '\(action.name)' is defined twice; give each action its own name")
                }
                if let unit = Parsing.allowlistedUnit(in: action, allowlist: configuration.allowlist) {
                    throw ResponseConfigurationError(line: action.line, message: "action '\(action.name)' would act on the allowlisted unit '\(unit)'; remove it from the action or the allowlist")
                }
                configuration.actions.append(action)
            }
        }
        return configuration
    }
}

/// The pieces of `response:` parsing.
enum Parsing {
    static func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    static func mapping(_ node: Node, _ name: String, hint: String) throws(ResponseConfigurationError) -> Node.Mapping {
        guard let mapping = node.mapping else {
            throw ResponseConfigurationError(line: line(node), message: "'\(name)' must be a mapping; \(hint)")
        }
        return mapping
    }

    static func mode(_ node: Node, _ name: String) throws(ResponseConfigurationError) -> ActionMode {
        guard let text = node.string, let mode = ActionMode(rawValue: text) else {
            throw ResponseConfigurationError(line: line(node), message: "'\(name)' must be dry-run or enforce")
        }
        return mode
    }

    static func positive(_ node: Node, _ name: String, upTo limit: Int) throws(ResponseConfigurationError) -> Int {
        guard let number = node.int, number > 0, number <= limit else {
            throw ResponseConfigurationError(line: line(node), message: "'\(name)' must be a whole number from 1 to \(limit)")
        }
        return number
    }

    /// A duration: `30s`, `10m`, `1h`, `7d`, or a number of seconds.
    static func microseconds(_ node: Node, _ name: String) throws(ResponseConfigurationError) -> UInt64 {
        if let number = node.int, number > 0 { return UInt64(number) * 1_000_000 }
        guard let text = node.string, let value = Timespan.microseconds(text) else {
            throw ResponseConfigurationError(line: line(node), message: "'\(name)' must be a duration; \(Timespan.formatHint)")
        }
        return value
    }

    static func seconds(_ node: Node, _ name: String) throws(ResponseConfigurationError) -> Double {
        let value = try microseconds(node, name)
        guard value <= 3_600_000_000 else {
            throw ResponseConfigurationError(line: line(node), message: "'\(name)' must be at most 1h: a hook that runs longer holds a slot")
        }
        return Double(value) / 1_000_000
    }

    static func texts(_ node: Node, _ name: String) throws(ResponseConfigurationError) -> [String] {
        if let single = node.string, node.scalar != nil { return [single] }
        guard let list = node.sequence else {
            throw ResponseConfigurationError(line: line(node), message: "'\(name)' must be a value or a list of values")
        }
        var values: [String] = []
        for item in list {
            guard let text = item.string, item.scalar != nil else {
                throw ResponseConfigurationError(line: line(item), message: "'\(name)' must list plain values")
            }
            values.append(text)
        }
        return values
    }

    static func allowlist(_ node: Node) throws(ResponseConfigurationError) -> Allowlist {
        var allowlist = Allowlist()
        for (key, value) in try mapping(node, "response.allowlist", hint: "with addresses, users, units and hosts") {
            let name = key.string ?? ""
            let values = try texts(value, "response.allowlist.\(name)")
            switch name {
            case "addresses":
                for text in values {
                    guard let network = IPNetwork(text) else {
                        throw ResponseConfigurationError(line: line(value), message: "'\(text)' in response.allowlist.addresses is not an address or network (e.g. 198.51.100.10, 10.0.0.0/8, 2001:db8::/64)")
                    }
                    allowlist.networks.append(network)
                    allowlist.networkTexts.append(text)
                }
            case "users": allowlist.users.formUnion(values)
            case "units": allowlist.units.formUnion(values)
            case "hosts": allowlist.hosts.formUnion(values)
            case let other:
                throw ResponseConfigurationError(line: line(key), message: "unknown setting 'response.allowlist.\(other)'; use addresses, users, units or hosts")
            }
        }
        return allowlist
    }

    static func action(_ node: Node, hooksDirectory: String) throws(ResponseConfigurationError) -> ActionConfiguration {
        let entries = try mapping(node, "response.actions[]", hint: "each action needs 'name', 'hook' and 'when'")
        let start = line(node)
        guard let name = entries["name"]?.string, isActionName(name) else {
            throw ResponseConfigurationError(line: start, message: "an action needs a 'name' of lowercase letters, digits, '-', '_' or '.' (e.g. block-ssh-source)")
        }
        guard let hookName = entries["hook"]?.string, !hookName.isEmpty else {
            throw ResponseConfigurationError(line: start, message: "action '\(name)' needs a 'hook': a shipped hook's name (block-source) or an absolute path")
        }
        let hook: String
        if hookName.hasPrefix("/") {
            hook = hookName
        } else {
            guard !hookName.contains("/"), hookName != ".", hookName != ".." else {
                throw ResponseConfigurationError(line: start, message: "action '\(name)': hook '\(hookName)' must be a name in \(hooksDirectory) or an absolute path")
            }
            hook = hooksDirectory + "/" + hookName
        }
        var action = ActionConfiguration(name: name, hook: hook, line: start)
        for (key, value) in entries {
            let setting = key.string ?? ""
            let qualified = "action '\(name)': '\(setting)'"
            switch setting {
            case "name", "hook": break
            case "when": action.trigger = try trigger(value, action: name)
            case "mode": action.mode = try mode(value, "\(name).mode")
            case "key":
                guard let field = value.string, isFieldName(field) else {
                    throw ResponseConfigurationError(line: line(value), message: "\(qualified) must name an alert field (e.g. SourceIp, User)")
                }
                action.keyField = field
            case "cooldown": action.cooldown = try microseconds(value, "\(name).cooldown")
            case "ttl":
                if value.string == "never" { action.timeToLive = nil } else { action.timeToLive = try microseconds(value, "\(name).ttl") }
            case "allow_untrusted":
                guard let flag = value.bool else { throw ResponseConfigurationError(line: line(value), message: "\(qualified) must be true or false") }
                action.allowsUntrusted = flag
            case "timeout": action.timeout = try seconds(value, "\(name).timeout")
            case "targets":
                guard let text = value.string, value.scalar != nil, let targets = ActionTargets(rawValue: text) else {
                    throw ResponseConfigurationError(line: line(value), message: "\(qualified) must be local (this machine's alerts), remote (other hosts' alerts, fleet mode) or any")
                }
                action.targets = targets
            case "settings": action.settings = try settings(value, action: name)
            case let other:
                throw ResponseConfigurationError(line: line(key), message: "action '\(name)': unknown setting '\(other)'; known: name, hook, when, mode, key, cooldown, ttl, allow_untrusted, timeout, targets, settings")
            }
        }
        guard !action.trigger.isEmpty else {
            throw ResponseConfigurationError(line: start, message: "action '\(name)' needs 'when' with at least one of rules, min_level, tags or correlation")
        }
        return action
    }

    static func trigger(_ node: Node, action: String) throws(ResponseConfigurationError) -> ActionTrigger {
        var trigger = ActionTrigger()
        for (key, value) in try mapping(node, "\(action).when", hint: "with rules, min_level, tags or correlation") {
            switch key.string ?? "" {
            case "rules": trigger.rules = Set(try texts(value, "\(action).when.rules"))
            case "tags": trigger.tags = try texts(value, "\(action).when.tags").map { $0.lowercased() }
            case "min_level":
                guard let text = value.string, let level = Level(rawValue: text) else {
                    throw ResponseConfigurationError(line: line(value), message: "'\(action).when.min_level' must be informational, low, medium, high or critical")
                }
                trigger.minimumLevel = level
            case "correlation":
                guard let flag = value.bool else {
                    throw ResponseConfigurationError(line: line(value), message: "'\(action).when.correlation' must be true (only correlation alerts) or false")
                }
                trigger.correlation = flag
            case let other:
                throw ResponseConfigurationError(line: line(key), message: "unknown condition '\(action).when.\(other)'; use rules, min_level, tags or correlation")
            }
        }
        return trigger
    }

    /// Setting names that would shadow a variable Cordon sets itself.
    static let reservedSettings: Set<String> = [
        "action", "action_id", "verb", "ttl", "rule_id", "rule_title", "rule_author", "level", "tags", "trusted",
        "host", "machine_id", "logsource", "group", "evidence", "correlation_type", "correlation_value", "key", "message",
    ]

    static func settings(_ node: Node, action: String) throws(ResponseConfigurationError) -> [ActionSetting] {
        var result: [ActionSetting] = []
        for (key, value) in try mapping(node, "\(action).settings", hint: "of names to values") {
            guard let name = key.string, isSettingName(name) else {
                throw ResponseConfigurationError(line: line(key), message: "'\(action).settings': '\(key.string ?? "")' is not a setting name (lowercase letters, digits, '-', '_')")
            }
            let normalized = name.replacingOccurrences(of: "-", with: "_")
            guard !reservedSettings.contains(normalized), !normalized.hasPrefix("field_"), !normalized.hasPrefix("source_"),
                  !normalized.hasPrefix("action_"), !normalized.hasPrefix("target_") else {
                throw ResponseConfigurationError(line: line(key), message: "'\(action).settings.\(name)' would shadow a variable Cordon sets itself (CORDON_\(normalized.uppercased())); rename it")
            }
            if let field = value.mapping?["field"], value.mapping?.count == 1 {
                guard let fieldName = field.string, isFieldName(fieldName) else {
                    throw ResponseConfigurationError(line: line(field), message: "'\(action).settings.\(name).field' must name an alert field (e.g. SourceIp)")
                }
                result.append(ActionSetting(name: name, value: .field(fieldName)))
                continue
            }
            if value.mapping != nil {
                throw ResponseConfigurationError(line: line(value), message: "'\(action).settings.\(name)' must be a value, a list, or {field: NAME} for an alert field")
            }
            let values = try texts(value, "\(action).settings.\(name)")
            for text in values where text.utf8.contains(0) || text.utf8.contains(UInt8(ascii: ",")) && value.sequence != nil {
                throw ResponseConfigurationError(line: line(value), message: "'\(action).settings.\(name)': list values cannot contain ',' or NUL ('\(text)')")
            }
            result.append(ActionSetting(name: name, value: .text(values.joined(separator: ","))))
        }
        return result
    }

    /// The first unit named in the action's constant `unit`/`units` settings that is allowlisted.
    static func allowlistedUnit(in action: ActionConfiguration, allowlist: Allowlist) -> String? {
        for setting in action.settings where setting.name == "units" || setting.name == "unit" {
            guard case .text(let text) = setting.value else { continue }
            if let unit = text.split(separator: ",").map(String.init).first(where: allowlist.units.contains) { return unit }
        }
        return nil
    }

    static func isActionName(_ text: String) -> Bool {
        guard let first = text.utf8.first, text.utf8.count <= 64,
              (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func isSettingName(_ text: String) -> Bool {
        guard let first = text.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), text.utf8.count <= 48 else { return false }
        return text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func isFieldName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128 && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "|") }
    }
}
