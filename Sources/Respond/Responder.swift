import Alert
import Foundation
import Journal
import Logging
import Synchronization

/// Turns alerts into actions, exactly once: decides (`ActionPlanner`), records the intent in the
/// ledger (synced), runs the hook on the pool, records the outcome and writes a journal entry for
/// each step; releases applied actions when their TTL passes, also after a restart.
///
/// `handle(_:)` is called by the detection loop and never waits for a hook.
public final class Responder: Sendable {
    public let configuration: ResponseConfiguration
    public let ledger: ActionLedger
    private let planner: ActionPlanner
    private let pool: HookPool
    private let reporter: any ActionReporter
    private let logger: Logger
    private let counters = Mutex(ResponseStatistics())
    /// Held while an alert is decided (`handle`).
    private let deciding = Mutex(())
    /// Wakes the release timer when an action is applied or the responder stops.
    private let timer = NSCondition()
    private let timerState = Mutex(TimerState())
    /// The wall clock (µs); tests move it.
    private let clock: @Sendable () -> UInt64

    private struct TimerState {
        var stopped = false
        var started = false
        var finished = false
        var lastUntrustedWarning: UInt64 = 0
    }

    /// The environment every hook starts from (nothing is inherited from the daemon).
    static let baseEnvironment = [("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), ("LANG", "C.UTF-8")]

    /// - Parameter localMachineID: this machine's id (by default `/etc/machine-id`): alerts with
    ///   another one are remote hosts' (`ActionTarget`).
    public init(configuration: ResponseConfiguration, ledger: ActionLedger, reporter: any ActionReporter = JournalActionReporter(),
                logger: Logger, clock: @escaping @Sendable () -> UInt64 = realtimeMicroseconds,
                localMachineID: String? = ActionPlanner.thisMachineID) {
        self.configuration = configuration
        self.ledger = ledger
        planner = ActionPlanner(configuration: configuration, localMachineID: localMachineID)
        pool = HookPool(maxConcurrent: configuration.maximumConcurrent, maxQueued: configuration.maximumQueued)
        self.reporter = reporter
        self.logger = logger
        self.clock = clock
    }

    /// The counters so far.
    public var statistics: ResponseStatistics { counters.withLock { $0 } }

    /// Whether any action is configured.
    public var hasActions: Bool { !configuration.actions.isEmpty }

    /// Runs again what a crash interrupted (intents without outcomes, with the same action ids)
    /// and starts the release timer.
    /// - Parameter recovering: false on a reload, when the responder before this one may still be
    ///   running those hooks.
    public func start(recovering: Bool = true) {
        for record in ledger.records where recovering {
            switch record.status {
            case .applying where record.mode == .enforce:
                logger.info("Running an action again that a restart interrupted", metadata: ["action.id": "\(record.id)", "action.name": "\(record.action)"])
                run(record, verb: .apply, by: "restart")
            case .applying:
                finish(record, verb: .apply, result: .wouldRun, by: "restart", detail: nil, outcome: nil)
            case .releasing:
                run(record, verb: .release, by: record.releasedBy ?? "restart")
            default:
                break
            }
        }
        let begin = timerState.withLock { state -> Bool in
            guard !state.started else { return false }
            state.started = true
            return true
        }
        if begin {
            let thread = Thread { [self] in releaseLoop() }
            thread.name = "cordon-release"
            thread.start()
        }
    }

    /// Stops the release timer and waits up to `timeout` seconds for running hooks. A hook still
    /// running then is run again at the next start (its intent has no outcome).
    public func stop(timeout: Double) {
        timer.lock()
        timerState.withLock { $0.stopped = true }
        timer.broadcast()
        timer.unlock()
        _ = pool.drain(timeout: timeout)
    }

    /// Decides every configured action for `alert`; records and starts what is to be done.
    /// - Throws: `LedgerError` when an intent cannot be recorded: the alert's entry must then not
    ///   count as processed.
    ///
    /// Host loops in fleet mode call it from their threads: one alert is decided at a time, so
    /// the cooldowns and the budget they read are those the alert before it left.
    public func handle(_ alert: Alert) throws(LedgerError) {
        try deciding.withLock { _ throws(LedgerError) in try decide(alert) }
    }

    private func decide(_ alert: Alert) throws(LedgerError) {
        // The alert's JSON is made once, and only when some action decides on it.
        var json: String?
        func alertJSON() -> String {
            if let json { return json }
            let made = alert.json
            json = made
            return made
        }
        for action in configuration.actions {
            switch planner.plan(action, for: alert, alertJSON: alertJSON(), ledger: ledger, now: clock()) {
            case .ignored(.untrusted):
                counters.withLock { $0.untrustedIgnored += 1 }
                warnAboutUntrusted(action, alert)
            case .ignored(.active), .ignored(.coolingDown):
                counters.withLock { $0.coolingDown += 1 }
            case .ignored:
                break
            case .decided(let record, let skipReason):
                let intent = record.intentRecord
                if let skipReason {
                    try ledger.append([intent, outcomeRecord(record.id, .apply, .skipped, detail: skipReason)])
                    counters.withLock { $0.skipped += 1 }
                    report(record, .init(verb: .apply, result: .skipped, by: "alert", detail: skipReason))
                } else if record.mode == .dryRun {
                    try ledger.append([intent, outcomeRecord(record.id, .apply, .wouldRun, detail: nil)])
                    counters.withLock { $0.wouldRun += 1 }
                    report(record, .init(verb: .apply, result: .wouldRun, by: "alert"))
                } else {
                    try ledger.append([intent])
                    run(record, verb: .apply, by: "alert")
                }
            }
        }
    }

    /// Releases an action now (`cordon release`): records the intent, runs the hook on this
    /// thread, records the outcome. Returns the outcome's result.
    public func release(_ id: String, by: String) throws(LedgerError) -> (ActionResult, String?) {
        try ledger.refresh()
        guard let record = ledger.record(id), record.status == .applied else {
            return (.skipped, "action \(id) is not in place")
        }
        try ledger.append([LedgerRecord(kind: .intent, id: id, verb: .release, at: clock(), by: by)])
        let outcome = HookProcess.run(invocation(for: record, verb: .release))
        return try complete(record, verb: .release, by: by, outcome: outcome)
    }

    // MARK: - Running hooks

    /// Signals that end a hook from outside, not a fault of the hook: a service manager stopping
    /// the daemon (systemd's `systemctl stop|restart` sends SIGTERM to the unit's whole cgroup,
    /// running hooks included, then SIGKILL), an operator, a shutdown.
    static let interruptingSignals: Set<Int32> = [SIGTERM, SIGKILL, SIGINT, SIGHUP]

    private func run(_ record: ActionRecord, verb: ActionVerb, by: String) {
        let accepted = pool.submit(invocation(for: record, verb: verb)) { [self] outcome in
            // An interrupted run is not a failed one: without an outcome, its intent makes the next
            // start run it again with the same action id (hooks are idempotent). Recorded as failed,
            // the action would never be applied.
            if case .signalled(let signal) = outcome.termination, Self.interruptingSignals.contains(signal) {
                counters.withLock { $0.interrupted += 1 }
                logger.warning("A hook was killed by a signal Cordon did not send; it runs again at the next start", metadata: [
                    "action.id": "\(record.id)", "action.name": "\(record.action)", "action.verb": "\(verb.rawValue)",
                    "hook.signal": "\(signal)",
                ])
                return
            }
            do {
                _ = try complete(record, verb: verb, by: by, outcome: outcome)
            } catch {
                logger.error("Cannot record an action's outcome; it runs again at the next start",
                             metadata: ["action.id": "\(record.id)", "error": "\(error)"])
            }
        }
        if !accepted {
            counters.withLock { $0.queueFull += 1 }
            let detail = "\(configuration.maximumQueued) hook runs are already waiting (response.max_queued)"
            finish(record, verb: verb, result: .failed, by: by, detail: detail, outcome: nil)
        }
    }

    /// Records a finished run and reports it; returns its result.
    private func complete(_ record: ActionRecord, verb: ActionVerb, by: String,
                          outcome: HookOutcome) throws(LedgerError) -> (ActionResult, String?) {
        let result: ActionResult = outcome.succeeded ? (verb == .apply ? .applied : .released) : .failed
        let detail = outcome.succeeded ? nil : "the hook \(ActionEntries.describe(outcome.termination))"
            + (outcome.standardError.isEmpty ? "" : ": " + String(decoding: outcome.standardError.prefix(512), as: UTF8.self)
                .split(separator: "\n").joined(separator: " / "))
        try ledger.append([outcomeRecord(record.id, verb, result, detail: detail)])
        counters.withLock {
            switch result {
            case .applied: $0.applied += 1
            case .released: $0.released += 1
            default: $0.failed += 1
            }
        }
        report(ledger.record(record.id) ?? record, .init(verb: verb, result: result, by: by, detail: detail, outcome: outcome))
        if result == .applied { wakeTimer() }
        return (result, detail)
    }

    /// Records an outcome that needed no hook run, and reports it.
    private func finish(_ record: ActionRecord, verb: ActionVerb, result: ActionResult, by: String, detail: String?, outcome: HookOutcome?) {
        do {
            try ledger.append([outcomeRecord(record.id, verb, result, detail: detail)])
        } catch {
            logger.error("Cannot record an action's outcome", metadata: ["action.id": "\(record.id)", "error": "\(error)"])
        }
        counters.withLock {
            if result == .failed { $0.failed += 1 } else if result == .wouldRun { $0.wouldRun += 1 }
        }
        report(record, .init(verb: verb, result: result, by: by, detail: detail, outcome: outcome))
    }

    private func outcomeRecord(_ id: String, _ verb: ActionVerb, _ result: ActionResult, detail: String?) -> LedgerRecord {
        LedgerRecord(kind: .outcome, id: id, verb: verb, at: clock(), result: result, detail: detail)
    }

    /// The hook run for `record`: argv `HOOK apply|release` (and the target host for a remote
    /// host's alert), the recorded environment, the alert on stdin.
    func invocation(for record: ActionRecord, verb: ActionVerb) -> HookInvocation {
        let timeout = configuration.actions.first { $0.name == record.action }?.timeout ?? configuration.timeout
        return HookInvocation(executable: record.hook, arguments: [verb.rawValue] + (record.targetHost.map { [$0] } ?? []),
                              environment: Self.baseEnvironment + record.environment + [("CORDON_VERB", verb.rawValue)],
                              standardInput: Array((record.alertJSON + "\n").utf8), timeout: timeout, killGrace: 2,
                              outputLimit: 16384)
    }

    private func report(_ record: ActionRecord, _ step: ActionEntries.Step) {
        reporter.report(ActionEntries.fields(for: record, step: step))
        let metadata: Logger.Metadata = [
            "action.id": "\(record.id)", "action.name": "\(record.action)", "action.verb": "\(step.verb.rawValue)",
            "action.result": "\(step.result.rawValue)", "action.key": "\(record.key)", "rule.id": "\(record.ruleIdentifier)",
            "action.target": "\(record.targetHost ?? "local")",
        ]
        switch step.result {
        case .failed: logger.error("Action failed", metadata: metadata.merging(["reason": "\(step.detail ?? "")"]) { $1 })
        case .skipped: logger.warning("Action not run", metadata: metadata.merging(["reason": "\(step.detail ?? "")"]) { $1 })
        default: logger.info("Action", metadata: metadata)
        }
    }

    /// At most one warning an hour that untrusted alerts triggered an action: an attacker can
    /// write any number of them.
    private func warnAboutUntrusted(_ action: ActionConfiguration, _ alert: Alert) {
        let now = clock()
        let due = timerState.withLock { state -> Bool in
            guard now >= state.lastUntrustedWarning &+ 3_600_000_000 || state.lastUntrustedWarning == 0 else { return false }
            state.lastUntrustedWarning = now
            return true
        }
        if due {
            logger.warning("An untrusted alert (its source is not vouched for by journald) matched an action; not acted on", metadata: [
                "action.name": "\(action.name)", "rule.id": "\(alert.ruleIdentifier)", "alert.source_cursor": "\(alert.sourceCursor.rawValue)",
            ])
        }
    }

    // MARK: - Releases on time

    private func wakeTimer() {
        timer.lock()
        timer.broadcast()
        timer.unlock()
    }

    /// Sleeps until the next expiry (at most a minute, to see what `cordon release` changed),
    /// then releases what expired.
    private func releaseLoop() {
        while true {
            timer.lock()
            if timerState.withLock({ $0.stopped }) {
                timer.unlock()
                break
            }
            let now = clock()
            let next = ledger.records.compactMap { $0.status == .applied ? $0.expiresAt : nil }.min()
            let wait = min(next.map { $0 > now ? $0 - now : 0 } ?? 60_000_000, 60_000_000)
            if wait > 0 { _ = timer.wait(until: Date(timeIntervalSinceNow: Double(wait) / 1_000_000)) }
            let stopped = timerState.withLock { $0.stopped }
            timer.unlock()
            if stopped { break }
            releaseExpired()
        }
        timerState.withLock { $0.finished = true }
    }

    /// Releases every applied action whose time has come.
    func releaseExpired() {
        do {
            try ledger.refresh()
        } catch {
            logger.error("Cannot read the action ledger", metadata: ["error": "\(error)"])
            return
        }
        let now = clock()
        for record in ledger.records where record.status == .applied {
            guard let expires = record.expiresAt, expires <= now else { continue }
            do {
                try ledger.append([LedgerRecord(kind: .intent, id: record.id, verb: .release, at: now, by: "ttl")])
            } catch {
                logger.error("Cannot record a release; retrying in a minute", metadata: ["action.id": "\(record.id)", "error": "\(error)"])
                return
            }
            run(record, verb: .release, by: "ttl")
        }
    }
}
