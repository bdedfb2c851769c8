import Foundation
import Journal
import Logging
import Parse
import Synchronization
import Testing
@testable import Respond

/// Collects the action entries a responder writes.
final class CollectingReporter: ActionReporter {
    let entries = Mutex<[[String: String]]>([])
    func report(_ fields: [JournalField]) {
        let entry = Dictionary(fields.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
        entries.withLock { $0.append(entry) }
    }
    func results(_ verb: String? = nil) -> [String] {
        entries.withLock { $0.filter { verb == nil || $0["CORDON_ACTION_VERB"] == verb }.compactMap { $0["CORDON_ACTION_RESULT"] } }
    }
    /// Waits until `count` entries are there (hooks run on other threads).
    func wait(for count: Int, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if entries.withLock({ $0.count }) >= count { return true }
            usleep(20_000)
        }
        return false
    }
}

/// A directory with a test hook that appends its argv, environment and stdin to `runs`.
struct HookFixture {
    let directory: String
    var hook: String { directory + "/hook" }
    var runs: String { directory + "/runs" }
    var state: String { directory + "/state" }

    init(script: String = "") throws {
        var template = Array("/tmp/cordon-responder-XXXXXX".utf8CString)
        directory = String(cString: mkdtemp(&template)!)
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        let body = """
            #!/bin/sh
            set -eu
            input=$(cat)
            { printf 'run %s %s key=%s address=%s\\n' "$1" "$CORDON_ACTION_ID" "$CORDON_KEY" "${CORDON_ADDRESS-}"
              printf 'stdin %s\\n' "$input"; } >> \(directory)/runs
            \(script)
            """
        try body.write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
    }

    var runLines: [String] {
        ((try? String(contentsOfFile: runs, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasPrefix("run ") }.map(String.init)
    }

    func configuration(mode: String = "enforce", ttl: String = "1h", extra: String = "") throws -> ResponseConfiguration {
        try responseConfiguration("""
            mode: \(mode)
            timeout: 5s
            actions:
              - name: block
                hook: \(hook)
                when: {min_level: high}
                key: SourceIp
                ttl: \(ttl)
                settings: {address: {field: SourceIp}}
            \(extra)
            """)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite(.serialized) struct ResponderTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func enforceRunsTheHookOnceWithTheContract() throws {
        let fixture = try HookFixture()
        defer { fixture.remove() }
        let reporter = CollectingReporter()
        let responder = Responder(configuration: try fixture.configuration(), ledger: try ActionLedger(directory: fixture.state),
                                  reporter: reporter, logger: logger)
        responder.start()
        defer { responder.stop(timeout: 5) }
        let alert = bruteForceAlert()
        try responder.handle(alert)
        try responder.handle(alert)  // read again (a restart): decided already
        #expect(reporter.wait(for: 1))
        usleep(200_000)
        #expect(reporter.results() == ["applied"])
        let runs = fixture.runLines
        #expect(runs.count == 1)
        let id = try #require(responder.ledger.records.first?.id)
        #expect(runs.first == "run apply \(id) key=203.0.113.9 address=203.0.113.9")
        let stdin = try String(contentsOfFile: fixture.runs, encoding: .utf8)
        #expect(stdin.contains("stdin " + alert.json))
        #expect(responder.ledger.record(id)?.status == .applied)
        let entry = try #require(reporter.entries.withLock { $0.first })
        #expect(entry["MESSAGE_ID"] == CordonMessageID.actionApplied)
        #expect(entry["CORDON_ACTION_ID"] == id)
        #expect(entry["CORDON_ACTION_KEY"] == "203.0.113.9")
        #expect(entry["CORDON_ACTION_EXPIRES"] != nil)
        #expect(entry["MESSAGE"]?.contains("applied: hook apply for 203.0.113.9") == true)
    }

    @Test func dryRunRunsNothingAndSaysWhatWouldRun() throws {
        let fixture = try HookFixture()
        defer { fixture.remove() }
        let reporter = CollectingReporter()
        let responder = Responder(configuration: try fixture.configuration(mode: "dry-run"),
                                  ledger: try ActionLedger(directory: fixture.state), reporter: reporter, logger: logger)
        try responder.handle(bruteForceAlert())
        #expect(reporter.results() == ["would-run"])
        #expect(reporter.entries.withLock { $0.first?["MESSAGE_ID"] } == CordonMessageID.actionWouldRun)
        usleep(200_000)
        #expect(fixture.runLines.isEmpty)
    }

    @Test func anInterruptedApplyRunsAgainWithTheSameIdentifierAtStart() throws {
        let fixture = try HookFixture()
        defer { fixture.remove() }
        // The crash: an intent recorded, no outcome.
        let configuration = try fixture.configuration()
        let first = Responder(configuration: configuration, ledger: try ActionLedger(directory: fixture.state),
                              reporter: CollectingReporter(), logger: logger)
        guard case .decided(let record, nil) = ActionPlanner(configuration: configuration).plan(
            configuration.actions[0], for: bruteForceAlert(), alertJSON: bruteForceAlert().json, ledger: first.ledger, now: 1) else {
            Issue.record("not decided"); return
        }
        try first.ledger.append([record.intentRecord])
        // The restart.
        let reporter = CollectingReporter()
        let second = Responder(configuration: configuration, ledger: try ActionLedger(directory: fixture.state, compacting: true),
                               reporter: reporter, logger: logger)
        try second.handle(bruteForceAlert())  // the alert read again: no second decision
        second.start()
        defer { second.stop(timeout: 5) }
        #expect(reporter.wait(for: 1))
        usleep(200_000)
        #expect(fixture.runLines == ["run apply \(record.id) key=203.0.113.9 address=203.0.113.9"])
        #expect(reporter.entries.withLock { $0.first?["CORDON_ACTION_BY"] } == "restart")
        #expect(second.ledger.record(record.id)?.status == .applied)
    }

    @Test func aHookKilledFromOutsideRunsAgainAtTheNextStartInsteadOfFailing() throws {
        // `systemctl stop cordon` sends SIGTERM to the unit's whole cgroup: running hooks too.
        // Here the first run sends it to itself.
        let fixture = try HookFixture(script: #"[ -e "$(dirname "$0")/killed" ] || { touch "$(dirname "$0")/killed"; kill -TERM $$; }"#)
        defer { fixture.remove() }
        let configuration = try fixture.configuration()
        let firstReporter = CollectingReporter()
        let first = Responder(configuration: configuration, ledger: try ActionLedger(directory: fixture.state),
                              reporter: firstReporter, logger: logger)
        try first.handle(bruteForceAlert())
        first.stop(timeout: 5)  // waits for the run
        let id = try #require(first.ledger.records.first?.id)
        #expect(fixture.runLines.count == 1)
        #expect(first.ledger.record(id)?.status == .applying)  // an intent without an outcome
        #expect(firstReporter.results().isEmpty)
        #expect(first.statistics.interrupted == 1 && first.statistics.failed == 0)
        // The restart runs it again, with the same id.
        let reporter = CollectingReporter()
        let second = Responder(configuration: configuration, ledger: try ActionLedger(directory: fixture.state, compacting: true),
                               reporter: reporter, logger: logger)
        second.start()
        defer { second.stop(timeout: 5) }
        #expect(reporter.wait(for: 1))
        #expect(reporter.results() == ["applied"])
        #expect(fixture.runLines.map { $0.split(separator: " ")[2] } == [Substring(id), Substring(id)])
        #expect(second.ledger.record(id)?.status == .applied)
    }

    @Test func theTTLReleasesOnTimeAlsoAfterARestart() throws {
        let fixture = try HookFixture()
        defer { fixture.remove() }
        let configuration = try fixture.configuration(ttl: "2s")
        let first = Responder(configuration: configuration, ledger: try ActionLedger(directory: fixture.state),
                              reporter: CollectingReporter(), logger: logger)
        try first.handle(bruteForceAlert())
        first.stop(timeout: 5)  // applied; the daemon stops before the TTL
        #expect(first.ledger.record(first.ledger.records[0].id)?.status == .applied)
        let reporter = CollectingReporter()
        let second = Responder(configuration: configuration, ledger: try ActionLedger(directory: fixture.state, compacting: true),
                               reporter: reporter, logger: logger)
        second.start()
        defer { second.stop(timeout: 5) }
        #expect(reporter.wait(for: 1, timeout: 15))
        #expect(reporter.results() == ["released"])
        #expect(reporter.entries.withLock { $0.first?["CORDON_ACTION_BY"] } == "ttl")
        #expect(fixture.runLines.map { $0.split(separator: " ")[1] } == ["apply", "release"])
        #expect(second.ledger.records[0].status == .released)
    }

    @Test func aFailingHookIsReportedWithItsStandardError() throws {
        let fixture = try HookFixture(script: "echo 'block-source: CORDON_ADDRESS is not an address' >&2; exit 2")
        defer { fixture.remove() }
        let reporter = CollectingReporter()
        let responder = Responder(configuration: try fixture.configuration(), ledger: try ActionLedger(directory: fixture.state),
                                  reporter: reporter, logger: logger)
        try responder.handle(bruteForceAlert())
        #expect(reporter.wait(for: 1))
        let entry = try #require(reporter.entries.withLock { $0.first })
        #expect(entry["MESSAGE_ID"] == CordonMessageID.actionFailed)
        #expect(entry["CORDON_ACTION_EXIT"] == "exited 2")
        #expect(entry["CORDON_ACTION_STDERR"]?.contains("is not an address") == true)
        #expect(responder.ledger.records[0].status == .failed)
        responder.stop(timeout: 5)
    }

    @Test func anOperatorReleaseIsRecordedAndNotRepeatedByTheTimer() throws {
        let fixture = try HookFixture()
        defer { fixture.remove() }
        let reporter = CollectingReporter()
        let daemon = Responder(configuration: try fixture.configuration(ttl: "3s"), ledger: try ActionLedger(directory: fixture.state),
                               reporter: reporter, logger: logger)
        daemon.start()
        defer { daemon.stop(timeout: 5) }
        try daemon.handle(bruteForceAlert())
        #expect(reporter.wait(for: 1))
        let id = daemon.ledger.records[0].id
        // `cordon release` in another process: its own ledger and responder.
        let command = Responder(configuration: try fixture.configuration(), ledger: try ActionLedger(directory: fixture.state),
                                reporter: reporter, logger: logger)
        let (result, _) = try command.release(id, by: "operator")
        #expect(result == .released)
        let (again, detail) = try command.release(id, by: "operator")
        #expect(again == .skipped && detail?.contains("not in place") == true)
        sleep(5)  // past the TTL: the daemon's timer must see the release and not run it again
        #expect(fixture.runLines.map { $0.split(separator: " ")[1] } == ["apply", "release"])
        #expect(reporter.results() == ["applied", "released"])
    }

    @Test func logContentReachesTheHookOnlyAsData() throws {
        let fixture = try HookFixture()
        defer { fixture.remove() }
        let marker = fixture.directory + "/pwned"
        let hostile = "$(touch \(marker)); `touch \(marker)` | touch \(marker) & \n\u{1}'\""
        let responder = Responder(configuration: try fixture.configuration(), ledger: try ActionLedger(directory: fixture.state),
                                  reporter: CollectingReporter(), logger: logger)
        try responder.handle(bruteForceAlert(source: hostile))
        #expect(responder.statistics.applied + responder.statistics.failed <= 1)
        responder.stop(timeout: 5)
        #expect(fixture.runLines.count == 1)
        #expect(!FileManager.default.fileExists(atPath: marker))
        // The value arrives escaped (no control characters), never interpreted.
        let runs = try String(contentsOfFile: fixture.runs, encoding: .utf8)
        #expect(runs.contains("key=$(touch \(marker)); `touch \(marker)` | touch \(marker) & \\n\\x01'\""))
    }
}
