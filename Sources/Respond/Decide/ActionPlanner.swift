import Alert
import Journal
import Parse
import Rules

/// What the ledger tells the planner: what was decided before, what is in place. `machine` is a
/// remote target's machine id, nil for this machine: two hosts' same key are separate.
public protocol LedgerView {
    func contains(_ id: String) -> Bool
    func isActive(action: String, key: String, machine: String?) -> Bool
    func lastDecision(action: String, key: String, machine: String?) -> UInt64?
    func enforcedCount(since realtime: UInt64) -> Int
}

extension ActionLedger: LedgerView {}

/// What an alert means for one configured action.
public enum PlannedAction: Sendable {
    /// Not for this action, or nothing to do and nothing to record: the trigger does not hold,
    /// the alert is from a host the action does not target (`targets`), the alert is untrusted,
    /// the action was decided for this alert before (a restart), it is in place for this key, or
    /// the key is cooling down.
    case ignored(IgnoreReason)
    /// Record and act on it: run the hook (enforce), say what would run (dry-run), or say which
    /// guardrail stopped it (`skipReason`).
    case decided(ActionRecord, skipReason: String?)
}

/// Why an alert led to nothing recorded for an action.
public enum IgnoreReason: String, Sendable {
    case notTriggered, otherTarget, untrusted, alreadyDecided, active, coolingDown
}

/// Decides, for one alert and one action, whether to act: trigger, target, trust, cooldown,
/// allowlist, budget.
public struct ActionPlanner: Sendable {
    public let configuration: ResponseConfiguration
    /// This machine's id: alerts with another one are remote (`ActionTarget`).
    public let localMachineID: String?

    /// This machine's id (`/etc/machine-id`), read once.
    public static let thisMachineID: String? = ID128.currentMachine?.description

    /// - Parameter localMachineID: this machine's id; by default `/etc/machine-id`.
    public init(configuration: ResponseConfiguration, localMachineID: String? = ActionPlanner.thisMachineID) {
        self.configuration = configuration
        self.localMachineID = localMachineID
    }

    /// Whether `action`'s trigger holds for `alert`.
    public static func triggers(_ action: ActionConfiguration, _ alert: Alert) -> Bool {
        let trigger = action.trigger
        if !trigger.rules.isEmpty, !trigger.rules.contains(alert.ruleIdentifier) { return false }
        if let minimum = trigger.minimumLevel, alert.level < minimum { return false }
        if let correlation = trigger.correlation, correlation != (alert.correlationType != nil) { return false }
        if !trigger.tags.isEmpty {
            let tags = alert.tags.map { $0.lowercased() }
            guard trigger.tags.contains(where: { wanted in tags.contains { $0 == wanted || $0.hasPrefix(wanted + ".") } }) else {
                return false
            }
        }
        return true
    }

    /// The value of the alert field with this Sigma name (case-insensitive), escaped, or nil.
    public static func value(of field: String, in alert: Alert) -> String? {
        let wanted = field.lowercased()
        guard let found = (alert.fields + alert.group).first(where: { $0.name.lowercased() == wanted }) else { return nil }
        return Escaping.text(found.value, limit: 1024)
    }

    /// Plans `action` for `alert`.
    /// - Parameters:
    ///   - alertJSON: the alert as JSON (the hook's stdin); evaluated only for a decision.
    ///   - now: the wall clock (µs), the decision's time in the ledger.
    public func plan(_ action: ActionConfiguration, for alert: Alert, alertJSON: @autoclosure () -> String, ledger: some LedgerView,
                     now: UInt64) -> PlannedAction {
        guard Self.triggers(action, alert) else { return .ignored(.notTriggered) }
        let target = ActionTarget(alert: alert, localMachineID: localMachineID)
        guard action.targets.includes(remote: target != nil) else { return .ignored(.otherTarget) }
        guard alert.isTrusted || action.allowsUntrusted else { return .ignored(.untrusted) }
        let machine = target?.machineID
        let id = ActionIdentifier.make(action: action.name, alert: alert.key, machine: machine)
        guard !ledger.contains(id) else { return .ignored(.alreadyDecided) }
        var skipReason: String?
        var key = ""
        if let keyField = action.keyField {
            if let value = Self.value(of: keyField, in: alert) {
                key = value
            } else {
                skipReason = "the alert has no field \(keyField), the action's key"
            }
        }
        if skipReason == nil {
            guard !ledger.isActive(action: action.name, key: key, machine: machine) else { return .ignored(.active) }
            // Either side of the last decision: alerts of a replayed or merged journal may come out of order.
            if let last = ledger.lastDecision(action: action.name, key: key, machine: machine),
               max(alert.sourceRealtime, last) - min(alert.sourceRealtime, last) < action.cooldown {
                return .ignored(.coolingDown)
            }
        }
        var environment: [(String, String)] = [
            ("CORDON_ACTION_ID", id), ("CORDON_ACTION", action.name), ("CORDON_KEY", key),
            ("CORDON_TTL", String((action.timeToLive ?? 0) / 1_000_000)),
        ]
        if let target {
            environment += [("CORDON_TARGET_HOST", target.host), ("CORDON_TARGET_MACHINE_ID", target.machineID)]
        }
        for field in alert.journalFields where field.name.hasPrefix("CORDON_") && !field.value.contains(0) {
            environment.append((field.name, String(decoding: field.value, as: UTF8.self)))
        }
        var subjects = key.isEmpty ? [] : [key]
        for setting in action.settings {
            switch setting.value {
            case .text(let text):
                environment.append((setting.variable, text))
            case .field(let name):
                guard let value = Self.value(of: name, in: alert) else {
                    if skipReason == nil { skipReason = "the alert has no field \(name) for setting \(setting.name)" }
                    continue
                }
                environment.append((setting.variable, value))
                subjects.append(value)
            }
        }
        subjects += alert.group.map { Escaping.text($0.value, limit: 1024) }
        let allowlist = configuration.allowlist
        if skipReason == nil, allowlist.hosts.contains(alert.host) {
            skipReason = "host \(alert.host) is allowlisted"
        }
        if skipReason == nil, let reason = subjects.lazy.compactMap(allowlist.reason(for:)).first {
            skipReason = reason
        }
        let mode = configuration.effectiveMode(of: action)
        if skipReason == nil, mode == .enforce,
           ledger.enforcedCount(since: alert.sourceRealtime &- 3_600_000_000) >= configuration.budgetPerHour {
            skipReason = "the budget of \(configuration.budgetPerHour) enforced actions per hour is spent"
        }
        let record = ActionRecord(
            id: id, action: action.name, mode: mode, ruleIdentifier: alert.ruleIdentifier, ruleTitle: alert.ruleTitle,
            level: alert.level.rawValue, host: alert.host, key: key, alertRealtime: alert.sourceRealtime,
            alertCursor: alert.sourceCursor.rawValue, timeToLive: action.timeToLive, hook: action.hook,
            environment: environment, alertJSON: alertJSON(), status: .applying, decidedAt: now,
            targetHost: target?.host, targetMachineID: target?.machineID)
        return .decided(record, skipReason: skipReason)
    }
}
