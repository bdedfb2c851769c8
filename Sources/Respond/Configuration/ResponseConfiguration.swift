import Detect
import Rules

/// The `response:` section of cordon.yaml: which actions alerts trigger, and the guardrails
/// around them (hooks/README.md documents the schema).
public struct ResponseConfiguration: Sendable, Equatable {
    /// The global mode: a ceiling. With `dry-run` (the default) no action is enforced, whatever
    /// its own mode says; with `enforce`, an action runs in its own mode (default `enforce`).
    public var mode: ActionMode = .dryRun
    /// Where a hook named without a `/` is found.
    public var hooksDirectory = ResponseConfiguration.defaultHooksDirectory
    /// Hooks running at once; further runs wait in a queue.
    public var maximumConcurrent = 4
    /// Runs waiting at most; past it a run fails at once (reported), it never blocks detection.
    public var maximumQueued = 64
    /// Seconds a hook may run before it is killed, unless the action sets its own.
    public var timeout: Double = 30
    /// Enforced actions per hour (of entry time) at most, over all actions.
    public var budgetPerHour = 10
    /// What is never acted on.
    public var allowlist = Allowlist()
    /// The configured actions, in file order.
    public var actions: [ActionConfiguration] = []
    /// Hooks of dry-run actions that do not exist (yet): reported, not fatal, as nothing runs them.
    public var missingHooks: [String] = []

    /// Where the shipped hooks are installed.
    public static let defaultHooksDirectory = "/usr/lib/cordon/hooks"

    public init() {}

    /// The mode `action` runs in: enforce only when both the global and the action's mode say so.
    public func effectiveMode(of action: ActionConfiguration) -> ActionMode {
        mode == .enforce && action.mode == .enforce ? .enforce : .dryRun
    }
}

/// Whether an action changes anything.
public enum ActionMode: String, Sendable, Codable {
    /// The hook is not run; the journal says what would have been done.
    case dryRun = "dry-run"
    /// The hook is run.
    case enforce
}

/// Addresses, users, units and hosts that no action ever acts on.
public struct Allowlist: Sendable, Equatable {
    /// Addresses and networks (`198.51.100.10`, `10.0.0.0/8`, `2001:db8::/64`).
    public var networks: [IPNetwork] = []
    /// The networks as written, for messages.
    public var networkTexts: [String] = []
    public var users: Set<String> = []
    public var units: Set<String> = []
    public var hosts: Set<String> = []

    public init() {}

    /// Why `value` is allowlisted (`address 198.51.100.10 is in 198.51.100.0/24`), or nil.
    /// An address is checked against the networks; any other value against users and units.
    public func reason(for value: String) -> String? {
        let bytes = Array(value.utf8)[...]
        if let index = networks.firstIndex(where: { $0.contains(bytes) }) {
            return "address \(value) is in the allowlisted \(networkTexts[index])"
        }
        if users.contains(value) { return "user \(value) is allowlisted" }
        if units.contains(value) { return "unit \(value) is allowlisted" }
        return nil
    }
}

/// One named action: the hook, which alerts trigger it, and its guardrails.
public struct ActionConfiguration: Sendable, Equatable {
    /// The name operators see (`block-ssh-source`): `[a-z0-9][a-z0-9_.-]*`.
    public var name: String
    /// The hook's absolute path.
    public var hook: String
    /// Which alerts trigger it.
    public var trigger = ActionTrigger()
    /// The action's own mode (under the global ceiling).
    public var mode: ActionMode = .enforce
    /// The alert field naming what the action acts on (`SourceIp`, `User`): cooldowns are per
    /// value of it, and its value is checked against the allowlist. Nil: one key for all alerts.
    public var keyField: String?
    /// After an action for a key, further alerts for the same key are ignored this long (µs of entry time).
    public var cooldown: UInt64 = 600_000_000
    /// After this long (µs of wall-clock time) an applied action is released; nil: never.
    public var timeToLive: UInt64?
    /// Whether alerts from untrusted sources (`CORDON_TRUSTED=0`) may trigger it.
    public var allowsUntrusted = false
    /// Whose alerts trigger it: this machine's (the default), remote hosts' (fleet mode), or any.
    public var targets: ActionTargets = .local
    /// Seconds the hook may run; nil: the global timeout.
    public var timeout: Double?
    /// Settings passed as `CORDON_<NAME>` variables, in file order.
    public var settings: [ActionSetting] = []
    /// Where the action is defined, for messages.
    public var line: Int

    public init(name: String, hook: String, line: Int) {
        self.name = name
        self.hook = hook
        self.line = line
    }
}

/// Whose alerts an action runs for. An alert is *remote* when it carries a machine id
/// (`CORDON_MACHINE_ID`) that is not this machine's; a remote alert's hook gets the host as its
/// second argument and in `CORDON_TARGET_HOST`.
public enum ActionTargets: String, Sendable, Equatable {
    /// Only this machine's alerts (and alerts without a machine id): the shipped hooks act here.
    case local
    /// Only remote hosts' alerts: the hook must reach the host (ssh, an API).
    case remote
    /// Both.
    case any

    /// Whether an alert that is remote (or not) is for such an action.
    public func includes(remote: Bool) -> Bool {
        switch self {
        case .local: !remote
        case .remote: remote
        case .any: true
        }
    }
}

/// Which alerts trigger an action. Every condition given must hold; an empty trigger matches nothing.
public struct ActionTrigger: Sendable, Equatable {
    /// Rule ids or names (`sshd_brute_force`); any of them.
    public var rules: Set<String> = []
    /// The lowest level that triggers.
    public var minimumLevel: Level?
    /// Tags (`attack.t1110`); any of them. A tag also matches its sub-techniques (`attack.t1110.001`).
    public var tags: [String] = []
    /// true: only correlation alerts; false: only single-entry alerts; nil: either.
    public var correlation: Bool?

    public init() {}

    /// Whether nothing at all is required (such a trigger is refused by the parser).
    public var isEmpty: Bool { rules.isEmpty && minimumLevel == nil && tags.isEmpty && correlation == nil }
}

/// One `CORDON_<NAME>` setting of an action: a constant, or an alert field's value.
public struct ActionSetting: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        /// The value of the alert field with this Sigma name (`SourceIp`).
        case field(String)
    }

    /// The setting's name as written (`address`).
    public var name: String
    public var value: Value

    /// The environment variable: `CORDON_` and the name upper-cased, `-` as `_`.
    public var variable: String {
        "CORDON_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }
}

extension ResponseConfiguration {
    /// Replaces rule names in triggers (`sshd_brute_force`) with rule ids, which alerts carry.
    /// - Parameter identifiers: rule id by name, and every rule id by itself.
    /// - Returns: the references that name no loaded rule, as (action, reference).
    public mutating func resolveRuleNames(_ identifiers: [String: String]) -> [(action: String, reference: String)] {
        var unknown: [(action: String, reference: String)] = []
        for index in actions.indices {
            var resolved = Set<String>()
            for reference in actions[index].trigger.rules.sorted() {
                if let identifier = identifiers[reference] {
                    resolved.insert(identifier)
                } else {
                    resolved.insert(reference)
                    unknown.append((actions[index].name, reference))
                }
            }
            actions[index].trigger.rules = resolved
        }
        return unknown
    }
}
