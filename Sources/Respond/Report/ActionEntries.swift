import Glibc
import Journal
import Parse

/// Where action entries go: the journal, or a test's list.
public protocol ActionReporter: Sendable {
    func report(_ fields: [JournalField])
}

/// Writes action entries to the local journal (`sd_journal_sendv`, safe from any thread).
public struct JournalActionReporter: ActionReporter {
    public init() {}
    public func report(_ fields: [JournalField]) {
        try? JournalWriter().send(fields)
    }
}

/// The journal entry for each step of an action: its own MESSAGE_ID per result, the action's
/// CORDON_ACTION_* fields (`CORDON_ACTION_TARGET` for a remote host's alert) and the alert's rule,
/// level, host and source cursor.
enum ActionEntries {
    /// What happened, for the entry.
    struct Step {
        var verb: ActionVerb
        var result: ActionResult
        /// Who asked: `alert`, `ttl`, `operator`, `restart`.
        var by: String
        /// Why it was skipped or failed, or how the hook ended.
        var detail: String?
        var outcome: HookOutcome?
    }

    static func fields(for record: ActionRecord, step: Step) -> [JournalField] {
        let messageID: String
        let priority: Int
        switch step.result {
        case .applied: (messageID, priority) = (CordonMessageID.actionApplied, 4)
        case .wouldRun: (messageID, priority) = (CordonMessageID.actionWouldRun, 5)
        case .skipped: (messageID, priority) = (CordonMessageID.actionSkipped, 4)
        case .failed: (messageID, priority) = (CordonMessageID.actionFailed, 3)
        case .released: (messageID, priority) = (CordonMessageID.actionReleased, 5)
        }
        let hookName = record.hook.split(separator: "/").last.map(String.init) ?? record.hook
        // The argv after the verb: the remote host, as the hook gets it.
        let target = record.targetHost.map { " " + $0 } ?? ""
        let subject = record.key.isEmpty ? "" : " for \(record.key)"
        var summary: String
        switch (step.result, step.verb) {
        case (.applied, _): summary = "applied: \(hookName) apply\(target)\(subject)"
        case (.wouldRun, _): summary = "would run (dry-run, nothing changed): \(hookName) apply\(target)\(subject)"
        case (.skipped, _): summary = "not run\(subject): \(step.detail ?? "a guardrail stopped it")"
        case (.failed, let verb): summary = "failed: \(hookName) \(verb.rawValue)\(target)\(subject): \(step.detail ?? "the hook failed")"
        case (.released, _): summary = "released (\(step.by)): \(hookName) release\(target)\(subject)"
        }
        if step.result == .applied, let expires = record.expiresAt { summary += "; release at \(isoTime(expires))" }
        let message = "cordon: action \(record.action) \(summary) — rule \(record.ruleTitle) [\(record.level)] on \(record.host)"
        var fields = [
            JournalField("MESSAGE", Escaping.text(Array(message.utf8), limit: 2048)),
            JournalField("MESSAGE_ID", messageID),
            JournalField("PRIORITY", String(priority)),
            JournalField("SYSLOG_IDENTIFIER", "cordon"),
            JournalField("CORDON_ACTION_ID", record.id),
            JournalField("CORDON_ACTION_NAME", record.action),
            JournalField("CORDON_ACTION_VERB", step.verb.rawValue),
            JournalField("CORDON_ACTION_RESULT", step.result.rawValue),
            JournalField("CORDON_ACTION_MODE", record.mode.rawValue),
            JournalField("CORDON_ACTION_HOOK", record.hook),
            JournalField("CORDON_ACTION_BY", step.by),
            JournalField("CORDON_RULE_ID", record.ruleIdentifier),
            JournalField("CORDON_RULE_TITLE", record.ruleTitle),
            JournalField("CORDON_LEVEL", record.level),
            JournalField("CORDON_HOST", record.host),
            JournalField("CORDON_SOURCE_CURSOR", record.alertCursor),
        ]
        if !record.key.isEmpty { fields.append(JournalField("CORDON_ACTION_KEY", record.key)) }
        if let host = record.targetHost { fields.append(JournalField("CORDON_ACTION_TARGET", host)) }
        if let machine = record.targetMachineID { fields.append(JournalField("CORDON_ACTION_TARGET_MACHINE_ID", machine)) }
        if let detail = step.detail { fields.append(JournalField("CORDON_ACTION_REASON", Escaping.text(Array(detail.utf8), limit: 1024))) }
        if step.result == .applied, let expires = record.expiresAt {
            fields.append(JournalField("CORDON_ACTION_EXPIRES", String(expires)))
        }
        if let outcome = step.outcome {
            fields.append(JournalField("CORDON_ACTION_EXIT", describe(outcome.termination)))
            fields.append(JournalField("CORDON_ACTION_DURATION_MS", String(Int(outcome.duration * 1000))))
            if !outcome.standardOutput.isEmpty {
                fields.append(JournalField("CORDON_ACTION_STDOUT", Escaping.text(outcome.standardOutput, limit: 16384)))
            }
            if !outcome.standardError.isEmpty {
                fields.append(JournalField("CORDON_ACTION_STDERR", Escaping.text(outcome.standardError, limit: 16384)))
            }
        }
        return fields
    }

    /// `exited 0`, `signal 9`, `timed out`, `did not start: No such file or directory`.
    static func describe(_ termination: HookOutcome.Termination) -> String {
        switch termination {
        case .exited(let status): "exited \(status)"
        case .signalled(let signal): "signal \(signal)"
        case .timedOut: "timed out"
        case .failedToStart(let code): "did not start: \(String(cString: strerror(code)))"
        }
    }

    /// `2026-11-26T12:00:00Z` for µs since the epoch.
    static func isoTime(_ microseconds: UInt64) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
