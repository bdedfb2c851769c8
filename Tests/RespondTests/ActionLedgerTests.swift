import Foundation
import Testing
@testable import Respond

@Suite struct ActionLedgerTests {
    func temporaryDirectory() -> String {
        var template = Array("/tmp/cordon-ledger-XXXXXX".utf8CString)
        return String(cString: mkdtemp(&template)!)
    }

    func record(_ id: String, key: String = "203.0.113.9", realtime: UInt64 = 1000, mode: ActionMode = .enforce,
                ttl: UInt64? = 60_000_000) -> ActionRecord {
        ActionRecord(id: id, action: "block", mode: mode, ruleIdentifier: "r", ruleTitle: "Rule", level: "high", host: "h",
                     key: key, alertRealtime: realtime, alertCursor: "s=1", timeToLive: ttl, hook: "/hooks/block-source",
                     environment: [("CORDON_ADDRESS", key)], alertJSON: "{\"MESSAGE\":\"x\"}", status: .applying, decidedAt: 5)
    }

    func outcome(_ id: String, _ verb: ActionVerb, _ result: ActionResult, at: UInt64 = 10) -> LedgerRecord {
        LedgerRecord(kind: .outcome, id: id, verb: verb, at: at, result: result)
    }

    @Test func intentsWithoutOutcomesSurviveAReopen() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try ActionLedger(directory: directory)
        try ledger.append([record("a").intentRecord])
        #expect(ledger.isActive(action: "block", key: "203.0.113.9"))
        let reopened = try ActionLedger(directory: directory)
        let found = try #require(reopened.record("a"))
        #expect(found.status == .applying)
        #expect(found.environment.map(\.0) == ["CORDON_ADDRESS"])
        #expect(found.alertJSON == "{\"MESSAGE\":\"x\"}")
        #expect(reopened.lastDecision(action: "block", key: "203.0.113.9") == 1000)
        #expect(reopened.enforcedCount(since: 0) == 1)
    }

    @Test func outcomesMoveAnActionAlong() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try ActionLedger(directory: directory)
        try ledger.append([record("a").intentRecord])
        try ledger.append([outcome("a", .apply, .applied, at: 100)])
        #expect(ledger.record("a")?.status == .applied)
        #expect(ledger.record("a")?.expiresAt == 60_000_100)
        try ledger.append([LedgerRecord(kind: .intent, id: "a", verb: .release, at: 200, by: "ttl")])
        #expect(ledger.record("a")?.status == .releasing)
        try ledger.append([outcome("a", .release, .failed, at: 300)])
        #expect(ledger.record("a")?.status == .applied)
        #expect(ledger.record("a")?.expiresAt == 300_000_300)
        try ledger.append([LedgerRecord(kind: .intent, id: "a", verb: .release, at: 400, by: "operator"),
                           outcome("a", .release, .released, at: 500)])
        #expect(ledger.record("a")?.status == .released)
        #expect(ledger.record("a")?.releasedBy == "operator")
        #expect(!ledger.isActive(action: "block", key: "203.0.113.9"))
        // A skipped enforced decision does not spend the budget.
        try ledger.append([record("b", key: "x").intentRecord, outcome("b", .apply, .skipped)])
        #expect(ledger.record("b")?.status == .skipped)
        #expect(ledger.enforcedCount(since: 0) == 1)
    }

    @Test func anotherProcessesAppendsAreSeenAfterRefresh() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try ActionLedger(directory: directory)
        try daemon.append([record("a").intentRecord, outcome("a", .apply, .applied)])
        let operatorSide = try ActionLedger(directory: directory)
        try operatorSide.append([LedgerRecord(kind: .intent, id: "a", verb: .release, at: 20, by: "operator"),
                                 outcome("a", .release, .released, at: 30)])
        #expect(daemon.record("a")?.status == .applied)
        try daemon.refresh()
        #expect(daemon.record("a")?.status == .released)
        // The daemon's own next append also reads what came before it.
        try operatorSide.append([record("c", key: "k").intentRecord])
        try daemon.append([record("d", key: "l").intentRecord])
        #expect(daemon.record("c") != nil)
    }

    @Test func aTornLastLineIsIgnoredAndDoesNotSwallowTheNextRecord() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try ActionLedger(directory: directory)
        try ledger.append([record("a").intentRecord])
        let handle = try #require(FileHandle(forWritingAtPath: ledger.path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"kind\":\"outcome\",\"id\":\"a\",\"ve".utf8))
        try handle.close()
        let reopened = try ActionLedger(directory: directory)
        #expect(reopened.record("a")?.status == .applying)
        try reopened.append([outcome("a", .apply, .applied)])
        let again = try ActionLedger(directory: directory)
        #expect(again.record("a")?.status == .applied)
    }

    @Test func compactionKeepsActiveActionsAndTheLatestFinished() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try ActionLedger(directory: directory)
        var batch: [LedgerRecord] = []
        for index in 0..<(ActionLedger.finishedKept + 50) {
            let id = "f\(index)"
            batch += [record(id, key: "k\(index)", mode: .dryRun).intentRecord, outcome(id, .apply, .wouldRun)]
        }
        batch += [record("live", key: "live").intentRecord, outcome("live", .apply, .applied, at: 7)]
        batch += [record("pending", key: "pending").intentRecord]
        try ledger.append(batch)
        let compacted = try ActionLedger(directory: directory, compacting: true)
        #expect(compacted.records.count == ActionLedger.finishedKept + 2)
        #expect(compacted.record("f0") == nil)
        #expect(compacted.record("f\(ActionLedger.finishedKept + 49)")?.status == .wouldRun)
        #expect(compacted.record("live")?.status == .applied)
        #expect(compacted.record("live")?.expiresAt == 60_000_007)
        #expect(compacted.record("pending")?.status == .applying)
        let reread = try ActionLedger(directory: directory)
        #expect(reread.records.count == ActionLedger.finishedKept + 2)
    }
}
