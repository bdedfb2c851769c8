import Alert
import Detect
import Foundation
import Glibc
import Journal
import Logging
import Parse
import Respond
import Synchronization

/// `cordon run --directory`/`--file`: the journals of many hosts (what systemd-journal-remote
/// collects), each host read by its own loop on its own thread.
///
/// Why one loop per host and not one over all files: sd-journal orders entries of different
/// files by their time, and `sd_journal_next` moves past the current position only. A host
/// that uploads an hour-old backlog would have its entries fall behind the position another
/// host's recent entries moved the reader to, and they would be skipped. Each host loop reads
/// only its machine's entries (`_MACHINE_ID=` match), in the order that host wrote them, from
/// its own checkpoint (`<state>/hosts/<machine id>/checkpoint`) with its own correlation and
/// tampering state, so one host's failures never add up with another's.
///
/// The supervisor (the calling thread) finds hosts as their files appear, loads the rules once
/// for all, relays SIGHUP and SIGTERM to every loop, and pings the watchdog only while every
/// loop is making progress. Entries without `_MACHINE_ID` (journald and journal-remote give
/// every entry one) are not read in this mode.
struct FleetRunner {
    let runner: Runner
    var configuration: Configuration { runner.configuration }
    var logger: Logger { runner.logger }

    /// The rules and responder every host loop shares.
    struct Shared {
        let configuration: Configuration
        let detection: LoadedDetection
        let responder: Responder?
    }

    final class Host: @unchecked Sendable {
        let machineID: String
        let control: HostControl
        let heartbeat: HostHeartbeat
        /// Set by the loop's thread when it ends: its counters, or why it failed.
        let ending = Mutex<(done: Bool, statistics: Statistics, failure: Failure?)>((false, Statistics(), nil))

        init(machineID: String, control: HostControl, heartbeat: HostHeartbeat) {
            self.machineID = machineID
            self.control = control
            self.heartbeat = heartbeat
        }
    }

    func run() throws(Failure) -> Statistics {
        let signals = try ControlSignals([SIGTERM, SIGINT, SIGHUP, SIGUSR1])
        FleetRunner.raiseDescriptorLimit(logger: logger)
        let service = ServiceNotifier()
        try CheckpointStore(directory: configuration.stateDirectory).prepare()
        var shared = try loadShared(configuration, reusing: nil)
        let discovery = try JournalOpening.open(runner.source, dataThreshold: configuration.dataThreshold)

        // Every host's checkpoint first: alerts written since the oldest of them are found once.
        var known = try machineIDs(discovery)
        var checkpoints: [String: Checkpoint] = [:]
        for id in known {
            if let checkpoint = try CheckpointStore(directory: hostDirectory(id)).load() { checkpoints[id] = checkpoint }
        }
        let summary = "\(shared.detection.engine.rules.count) rules, \(known.count) hosts, state in \(configuration.stateDirectory)"
        if try !WrittenAlerts.writeStartMarker(summary: summary, timeoutMilliseconds: 5000, dataThreshold: configuration.dataThreshold) {
            logger.warning("The start marker did not reach the journal within 5 s; alerts written just before a crash may be written again")
        }
        var earlier = WrittenAlerts.Found()
        if let oldest = checkpoints.values.map(\.savedRealtime).min() {
            earlier = try WrittenAlerts.search(since: oldest, ownEntries: OwnEntries(userID: geteuid()),
                                               dataThreshold: configuration.dataThreshold)
        }
        let alreadyWritten = earlier.keys

        var hosts: [Host] = []
        let pingInterval = service.pingInterval
        defer {
            // However the supervisor ends, no loop is left running.
            for host in hosts { host.control.send(.stop(SIGTERM)) }
            for host in hosts { waitForEnd(host) }
            shared.responder?.stop(timeout: 5)
        }
        // On a first start, hosts begin at the tail (or the head with --from-start); once Cordon
        // has run here, a host without a checkpoint is one it never saw, so all its entries are new.
        let firstStart = checkpoints.isEmpty
        for id in known.sorted() {
            hosts.append(try startHost(id, shared: shared, checkpoint: checkpoints[id], alreadyWritten: alreadyWritten,
                                       earlierAlerts: checkpoints[id].flatMap { earlier.bound(since: $0.savedRealtime, machineID: id) },
                                       fromStart: runner.fromStart || !firstStart, pingInterval: pingInterval))
        }
        if known.isEmpty, hasEntries(discovery) {
            logger.warning("These journal files have entries but none with _MACHINE_ID; per-host reading skips such entries")
        }
        logger.info("Cordon started", metadata: [
            "rules.count": "\(shared.detection.engine.rules.count)", "hosts": "\(known.count)",
            "restart.known_alerts": "\(alreadyWritten.count)",
        ])
        shared.responder?.start()
        service.ready(status: statusLine(shared, hosts))

        /// When to look for new hosts again after entries were appended (monotonic ms).
        var discoveryDue: Int? = nil
        /// When to update the status line (monotonic ms): a second after entries were appended
        /// (the host loops have read them by then), at most every `Loop.statusInterval`; nil while
        /// the journal is idle, when the counts do not change and nothing needs to wake for them.
        var statusDue: Int? = nil
        var lastStatus = monotonicMilliseconds()
        var reloads = 0
        while true {
            // Every loop pings its heartbeat at least every half watchdog interval; the watchdog
            // is fed only while all of them do, so one stuck host loop gets the daemon restarted.
            var timeout = pingInterval.map { max(1, $0 / 2) }
            for case let due? in [discoveryDue, statusDue] {
                timeout = max(0, min(timeout ?? Int.max, due - monotonicMilliseconds()))
            }
            let change: Journal.Change
            do {
                change = try discovery.wait(timeoutMilliseconds: timeout, interrupt: signals.descriptor)
            } catch {
                throw Failure(.software, "cannot watch the journal files (\(error)); check the directory")
            }
            if let failure = hosts.lazy.compactMap({ host in host.ending.withLock { $0.failure } }).first {
                throw failure
            }
            let now = monotonicMilliseconds()
            if let interval = service.watchdogMilliseconds,
               hosts.allSatisfy({ now - $0.heartbeat.lastAlive < interval * 3 / 4 }) {
                service.alive()
            }
            if change == .appended, statusDue == nil { statusDue = max(now + 1000, lastStatus + Loop.statusInterval) }
            if let due = statusDue, now >= due {
                statusDue = nil
                lastStatus = now
                service.status(statusLine(shared, hosts))
            }
            // New hosts: a new file (invalidated) at once; entries appended to a file, at most
            // once a second (a new file's first entries, or a host new to a file shared by many).
            if change == .appended, discoveryDue == nil { discoveryDue = now + 1000 }
            if change == .invalidated || discoveryDue.map({ now >= $0 }) == true {
                discoveryDue = nil
                let found = try machineIDs(discovery)
                for id in found.subtracting(known).sorted() {
                    // Every entry of a host seen for the first time is new: read it from its start.
                    let checkpoint = try CheckpointStore(directory: hostDirectory(id)).load()
                    hosts.append(try startHost(id, shared: shared, checkpoint: checkpoint, alreadyWritten: alreadyWritten,
                                               earlierAlerts: checkpoint.flatMap { earlier.bound(since: $0.savedRealtime, machineID: id) },
                                               fromStart: true, pingInterval: pingInterval))
                    logger.info("New host", metadata: ["host.machine_id": "\(id)", "hosts": "\(hosts.count)"])
                }
                known.formUnion(found)
            }
            guard change == .interrupted else { continue }
            while let signal = signals.takeSignal() {
                switch signal {
                case SIGHUP:
                    if let next = reload(shared, hosts, service: service) {
                        shared = next
                        reloads += 1
                    }
                case SIGUSR1:
                    break  // a loop ended; its failure is read above
                default:
                    logger.info("Stopping", metadata: ["signal": "\(signal)"])
                    service.stopping()
                    for host in hosts { host.control.send(.stop(signal)) }
                    var statistics = Statistics()
                    for host in hosts {
                        waitForEnd(host)
                        let ending = host.ending.withLock { $0 }
                        if let failure = ending.failure { throw failure }
                        statistics.accumulate(ending.statistics)
                    }
                    hosts.removeAll()
                    logger.info("Cordon stopped", metadata: [
                        "hosts": "\(known.count)", "entries": "\(statistics.entries)", "alerts": "\(statistics.alerts)",
                        "duplicates_suppressed": "\(statistics.duplicatesSuppressed)", "reloads": "\(reloads)",
                    ])
                    ServiceEntries.stopped(entries: statistics.entries, alerts: statistics.alerts, logger: logger)
                    return statistics
                }
            }
        }
    }

    /// Each host's view opens every journal file of the directory (sd-journal has no per-host
    /// file set that follows rotation), so hosts × files descriptors are open: the soft limit
    /// (1,024 by default) goes up to the hard one, as daemons with many files do.
    static func raiseDescriptorLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        let previous = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            logger.warning("Cannot raise the open-file limit; many hosts' journal files may not all open",
                           metadata: ["limit": "\(previous)"])
        }
    }

    /// Whether the journal files hold any entry at all.
    func hasEntries(_ journal: Journal) -> Bool {
        (try? journal.seekHead()) != nil && (try? journal.next()) == true
    }

    /// The state directory of one host.
    func hostDirectory(_ machineID: String) -> String {
        configuration.stateDirectory + "/hosts/" + machineID
    }

    /// The machine ids in the journal files (32 lower-case hex digits each; anything else is ignored).
    func machineIDs(_ journal: Journal) throws(Failure) -> Set<String> {
        do {
            var ids = Set<String>()
            for value in try journal.uniqueValues(of: "_MACHINE_ID") {
                // As journald writes it: a match on any other spelling would select nothing.
                let text = String(decoding: value, as: UTF8.self)
                guard ID128(text)?.description == text else { continue }
                ids.insert(text)
            }
            return ids
        } catch {
            throw Failure(.software, "cannot list the hosts in the journal files (\(error)); check the files")
        }
    }

    /// Loads the rules and makes the responder once for every host.
    func loadShared(_ configuration: Configuration, reusing: Responder?) throws(Failure) -> Shared {
        let (detection, _) = try RuleLoading.detection(
            paths: configuration.rulePaths, placeholders: configuration.placeholders,
            maximumGroups: configuration.correlationMaximumGroups,
                                                       anomalyLimits: configuration.anomalyLimits)
        RuleLoading.log(detection.warnings, engine: detection.engine, logger: logger)
        let responder = try runner.makeResponder(configuration.response, detection, reusing: reusing)
        return Shared(configuration: configuration, detection: detection, responder: responder)
    }

    /// One host's pipeline over the shared rules, with its own correlation and tampering state.
    func makeGeneration(_ shared: Shared, machineID: String, snapshot: [UInt8]?, alreadyWritten: Set<AlertKey>) -> Generation {
        let (correlator, snapshotProblem) = shared.detection.makeCorrelator(snapshot)
        correlator?.applyNormalValues(from: ModelStore(directory: shared.configuration.stateDirectory), logger: logger)
        if let snapshotProblem {
            logger.info("A host's correlation state starts afresh", metadata: ["host.machine_id": "\(machineID)", "reason": "\(snapshotProblem)"])
        }
        return runner.makeGeneration(shared.configuration, engine: shared.detection.engine, correlator: correlator,
                                     responder: shared.responder, alreadyWritten: alreadyWritten)
    }

    /// Opens the host's view of the journal, positions its loop and starts its thread.
    /// - Parameter earlierAlerts: the bound of the alerts the start's search found for this host's
    ///   entries, which its checkpoints keep until the loop is past them (see `WrittenAlerts.Bound`).
    func startHost(_ machineID: String, shared: Shared, checkpoint: Checkpoint?, alreadyWritten: Set<AlertKey>,
                   earlierAlerts: WrittenAlerts.Bound?, fromStart: Bool, pingInterval: Int?) throws(Failure) -> Host {
        let journal = try JournalOpening.open(runner.source, dataThreshold: configuration.dataThreshold)
        do {
            try journal.addMatch(field: "_MACHINE_ID", value: machineID)
        } catch {
            throw Failure(.software, "cannot select host \(machineID) in the journal (\(error))")
        }
        let store = CheckpointStore(directory: hostDirectory(machineID))
        try store.prepare()
        let host = Host(machineID: machineID, control: try HostControl(), heartbeat: HostHeartbeat(pingInterval: pingInterval))
        let generation = makeGeneration(shared, machineID: machineID, snapshot: checkpoint?.state, alreadyWritten: alreadyWritten)
        var loop = Loop(journal: journal, generation: generation, store: store, configuration: shared.configuration,
                        service: nil, heartbeat: host.heartbeat,
                        logger: logger.with(metadata: "host.machine_id", "\(machineID)"),
                        stallMarker: FaultInjection.stallMarker)
        loop.managesResponder = false
        loop.earlierAlerts = earlierAlerts
        try loop.position(at: checkpoint, fromStart: fromStart)
        let box = LoopBox(loop)
        let thread = Thread {
            var loop = box.loop
            var failure: Failure? = nil
            do throws(Failure) { try loop.run(control: host.control) } catch { failure = error }
            var statistics = loop.generation.pipeline.statistics
            statistics.accumulate(loop.earlierStatistics)
            host.ending.withLock { $0 = (true, statistics, failure) }
            if failure != nil { kill(getpid(), SIGUSR1) }  // wakes the supervisor
        }
        thread.name = "cordon-host"
        thread.stackSize = 8 << 20
        thread.start()
        return host
    }

    /// Waits until the host's loop has ended (it saves its checkpoint first).
    func waitForEnd(_ host: Host) {
        while !host.ending.withLock({ $0.done }) { usleep(5_000) }
    }

    /// Loads the rules and configuration again and has every host loop put them into effect; on
    /// an error the rules in effect stay. Returns the new shared rules, or nil.
    func reload(_ shared: Shared, _ hosts: [Host], service: ServiceNotifier) -> Shared? {
        service.reloading()
        logger.info("Reloading rules and configuration")
        do throws(Failure) {
            guard let reconfigure = runner.reloadConfiguration else { throw Failure(.software, "reload is not available") }
            let next = Loop.keepingRestartSettings(try reconfigure(), of: shared.configuration, logger: logger)
            let loaded = try loadShared(next, reusing: shared.responder)
            let reloads = hosts.map { host in
                let prepared = PreparedReload(configuration: next) { (snapshot, alreadyWritten, _) throws(Failure) in
                    makeGeneration(loaded, machineID: host.machineID, snapshot: snapshot, alreadyWritten: alreadyWritten)
                }
                host.control.send(.apply(prepared))
                return prepared
            }
            for prepared in reloads {
                let outcome = prepared.wait(milliseconds: 120_000)
                if let failure = outcome.failure { throw failure }
            }
            if loaded.responder !== shared.responder {
                shared.responder?.stop(timeout: 5)
                loaded.responder?.start(recovering: false)
            }
            logger.info("Reloaded", metadata: ["rules.count": "\(loaded.detection.engine.rules.count)"])
            ServiceEntries.reloaded(ruleCount: loaded.detection.engine.rules.count, logger: logger)
            service.ready(status: statusLine(loaded, hosts))
            return loaded
        } catch {
            logger.error("Rules not reloaded; the rules loaded before stay active", metadata: ["error": "\(error.message)"])
            ServiceEntries.loadFailed(error.message, ruleCount: shared.detection.engine.rules.count, logger: logger)
            service.ready(status: "Reload failed, previous rules active: \(error.message)")
            return nil
        }
    }

    func statusLine(_ shared: Shared, _ hosts: [Host]) -> String {
        let figures = hosts.map(\.heartbeat.status)
        var line = "\(shared.detection.engine.rules.count) rules; \(hosts.count) hosts; "
            + "\(figures.map(\.entryRate).reduce(0, +)) entries/s; \(figures.map(\.entries).reduce(0, +)) entries, "
            + "\(figures.map(\.alerts).reduce(0, +)) alerts"
        if let response = shared.responder?.statistics {
            line += ", actions: \(response.applied) applied, \(response.wouldRun) dry-run, \(response.failed) failed"
        }
        return line
    }
}

/// Hands a loop to its thread, which alone uses it from then on.
final class LoopBox: @unchecked Sendable {
    let loop: Loop
    init(_ loop: Loop) { self.loop = loop }
}

extension Logger {
    /// This logger with one more metadata item on every message.
    func with(metadata key: String, _ value: String) -> Logger {
        var copy = self
        copy[metadataKey: key] = "\(value)"
        return copy
    }
}
