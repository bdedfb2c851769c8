import Alert
import Foundation
import Logging
import Testing
@testable import Respond

/// Fleet mode: alerts of remote hosts (another `CORDON_MACHINE_ID`) and the `targets` option.
@Suite struct ActionTargetTests {
    static let local = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
    static let web02 = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
    static let web03 = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"

    static func yaml(targets: String?) -> String {
        """
        mode: enforce
        actions:
          - name: block
            hook: /hooks/block-remote
            when: {rules: [3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14]}
            key: SourceIp
        \(targets.map { "    targets: \($0)" } ?? "")
        """
    }

    func plan(_ alert: Alert, targets: String?, ledger: FakeLedger = FakeLedger(), localMachineID: String? = ActionTargetTests.local)
        throws -> PlannedAction {
        let configuration = try responseConfiguration(Self.yaml(targets: targets))
        return ActionPlanner(configuration: configuration, localMachineID: localMachineID)
            .plan(configuration.actions[0], for: alert, alertJSON: alert.json, ledger: ledger, now: 42)
    }

    func decided(_ planned: PlannedAction) -> ActionRecord? {
        if case .decided(let record, nil) = planned { return record }
        return nil
    }

    func isOtherTarget(_ planned: PlannedAction) -> Bool {
        if case .ignored(.otherTarget) = planned { return true }
        return false
    }

    @Test func targetsDecideWhoseAlertsAnActionRunsFor() throws {
        let remote = bruteForceAlert(host: "web02", machine: Self.web02)
        let local = bruteForceAlert(host: "collector", machine: Self.local)
        let withoutMachine = bruteForceAlert()
        #expect(try responseConfiguration(Self.yaml(targets: nil)).actions[0].targets == .local)
        // local (the default): this machine's alerts and alerts without a machine id only.
        for targets in [nil, "local"] {
            #expect(decided(try plan(local, targets: targets)) != nil)
            #expect(decided(try plan(withoutMachine, targets: targets)) != nil)
            #expect(isOtherTarget(try plan(remote, targets: targets)))
        }
        #expect(decided(try plan(remote, targets: "remote")) != nil)
        #expect(isOtherTarget(try plan(local, targets: "remote")))
        #expect(isOtherTarget(try plan(withoutMachine, targets: "remote")))
        #expect(decided(try plan(remote, targets: "any")) != nil)
        #expect(decided(try plan(local, targets: "any")) != nil)
        // This machine's id unknown: an alert with a machine id counts as remote, never as local.
        #expect(isOtherTarget(try plan(local, targets: nil, localMachineID: nil)))
    }

    @Test func aRemoteAlertNamesItsTargetInTheRecordAndTheEnvironment() throws {
        let record = try #require(decided(try plan(bruteForceAlert(host: "web02.example.org", machine: Self.web02), targets: "remote")))
        #expect(record.targetHost == "web02.example.org")
        #expect(record.targetMachineID == Self.web02)
        let environment = Dictionary(record.environment, uniquingKeysWith: { first, _ in first })
        #expect(environment["CORDON_TARGET_HOST"] == "web02.example.org")
        #expect(environment["CORDON_TARGET_MACHINE_ID"] == Self.web02)
        #expect(environment["CORDON_MACHINE_ID"] == Self.web02)
        #expect(environment["CORDON_HOST"] == "web02.example.org")
        #expect(record.alertJSON.contains(#""CORDON_MACHINE_ID":"\#(Self.web02)""#))

        let local = try #require(decided(try plan(bruteForceAlert(host: "collector", machine: Self.local), targets: "any")))
        #expect(local.targetHost == nil && local.targetMachineID == nil)
        #expect(!local.environment.contains { $0.0.hasPrefix("CORDON_TARGET_") })
    }

    @Test(arguments: ["unknown", "-oProxyCommand=id", ".hidden", "bad host", "web_02", String(repeating: "a", count: 254)])
    func aHostThatIsNoHostnameIsReplacedByTheMachineID(host: String) throws {
        let record = try #require(decided(try plan(bruteForceAlert(host: host, machine: Self.web02), targets: "remote")))
        #expect(record.targetHost == Self.web02)
    }

    @Test func twoHostsSameKeyAreSeparateActions() throws {
        let sequence = 7
        let onWeb02 = bruteForceAlert(source: "203.0.113.7", sequence: sequence, host: "web02", machine: Self.web02)
        let onWeb03 = bruteForceAlert(source: "203.0.113.7", sequence: sequence, host: "web03", machine: Self.web03)
        let first = try #require(decided(try plan(onWeb02, targets: "remote")))
        let second = try #require(decided(try plan(onWeb03, targets: "remote")))
        #expect(first.id != second.id)
        #expect(first.key == second.key)
        // The same alert key on this machine keeps the id it had before fleet mode.
        let localRecord = try #require(decided(try plan(bruteForceAlert(source: "203.0.113.7", sequence: sequence), targets: nil)))
        #expect(localRecord.id == ActionIdentifier.make(action: "block", alert: onWeb02.key))
        #expect(localRecord.id != first.id)

        // In place on web02: web03 is not affected, web02 is.
        var ledger = FakeLedger()
        ledger.active.insert(FakeLedger.slot("block", "203.0.113.7", Self.web02))
        guard case .ignored(.active) = try plan(onWeb02, targets: "remote", ledger: ledger) else { Issue.record("web02 not active"); return }
        #expect(decided(try plan(onWeb03, targets: "remote", ledger: ledger)) != nil)
        // Cooling down on web03 only.
        ledger = FakeLedger()
        ledger.last[FakeLedger.slot("block", "203.0.113.7", Self.web03)] = onWeb03.sourceRealtime
        guard case .ignored(.coolingDown) = try plan(onWeb03, targets: "remote", ledger: ledger) else { Issue.record("web03 not cooling down"); return }
        #expect(decided(try plan(onWeb02, targets: "remote", ledger: ledger)) != nil)
    }

    @Test func theLedgerKeepsTheTargetAndReadsOldLines() throws {
        var template = Array("/tmp/cordon-ledger-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A line as a ledger before fleet mode wrote it: no target.
        let old = #"{"action":"block","alert":"{}","at":5,"environment":[["CORDON_ADDRESS","203.0.113.7"]],"hook":"\/hooks\/block-source","id":"old1","key":"203.0.113.7","kind":"intent","mode":"enforce","verb":"apply"}"#
        try (old + "\n").write(toFile: directory + "/actions", atomically: true, encoding: .utf8)
        let ledger = try ActionLedger(directory: directory)
        #expect(ledger.record("old1")?.targetHost == nil)
        #expect(ledger.isActive(action: "block", key: "203.0.113.7"))
        #expect(!ledger.isActive(action: "block", key: "203.0.113.7", machine: Self.web02))

        let record = try #require(decided(try plan(bruteForceAlert(source: "203.0.113.7", host: "web02", machine: Self.web02), targets: "remote")))
        try ledger.append([record.intentRecord])
        let reopened = try ActionLedger(directory: directory, compacting: true)
        let found = try #require(reopened.record(record.id))
        #expect(found.targetHost == "web02")
        #expect(found.targetMachineID == Self.web02)
        #expect(reopened.isActive(action: "block", key: "203.0.113.7", machine: Self.web02))
        #expect(!reopened.isActive(action: "block", key: "203.0.113.7", machine: Self.web03))

        let table = ActionTable.text(reopened.records)
        #expect(table.split(separator: "\n")[0].contains("TARGET"))
        #expect(table.contains("web02") && table.contains("local"))
        #expect(ActionTable.json([found]).contains(#""target":"web02","target_machine_id":"\#(Self.web02)""#))
        #expect(!ActionTable.json(reopened.records.filter { $0.id == "old1" }).contains("target"))
    }

    @Test func theHookGetsTheHostAsArgumentAndInItsEnvironment() throws {
        var template = Array("/tmp/cordon-responder-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try responseConfiguration(Self.yaml(targets: "any"))
        let responder = Responder(configuration: configuration, ledger: try ActionLedger(directory: directory),
                                  logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), localMachineID: Self.local)
        let planner = ActionPlanner(configuration: configuration, localMachineID: Self.local)
        let remoteAlert = bruteForceAlert(host: "web02", machine: Self.web02)
        guard case .decided(let remote, nil) = planner.plan(configuration.actions[0], for: remoteAlert, alertJSON: remoteAlert.json,
                                                             ledger: FakeLedger(), now: 1) else { Issue.record("not decided"); return }
        for verb in [ActionVerb.apply, .release] {
            let invocation = responder.invocation(for: remote, verb: verb)
            #expect(invocation.executable == "/hooks/block-remote")
            #expect(invocation.arguments == [verb.rawValue, "web02"])
            let environment = Dictionary(invocation.environment, uniquingKeysWith: { first, _ in first })
            #expect(environment["CORDON_TARGET_HOST"] == "web02")
            #expect(environment["CORDON_TARGET_MACHINE_ID"] == Self.web02)
            #expect(environment["CORDON_VERB"] == verb.rawValue)
            #expect(invocation.invalidityErrno == nil)
        }
        let localAlert = bruteForceAlert(host: "collector", machine: Self.local)
        guard case .decided(let local, nil) = planner.plan(configuration.actions[0], for: localAlert, alertJSON: localAlert.json,
                                                            ledger: FakeLedger(), now: 1) else { Issue.record("not decided"); return }
        let invocation = responder.invocation(for: local, verb: .apply)
        #expect(invocation.arguments == ["apply"])
        #expect(!invocation.environment.contains { $0.0 == "CORDON_TARGET_HOST" || $0.0 == "CORDON_TARGET_MACHINE_ID" })

        // The action's journal entries name the target.
        let fields = ActionEntries.fields(for: remote, step: .init(verb: .apply, result: .applied, by: "alert"))
        let entry = Dictionary(fields.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
        #expect(entry["CORDON_ACTION_TARGET"] == "web02")
        #expect(entry["CORDON_ACTION_TARGET_MACHINE_ID"] == Self.web02)
        #expect(entry["MESSAGE"]?.contains("block-remote apply web02 for 203.0.113.9") == true, "\(entry["MESSAGE"] ?? "")")
        #expect(!ActionEntries.fields(for: local, step: .init(verb: .apply, result: .applied, by: "alert")).contains { $0.name == "CORDON_ACTION_TARGET" })
    }
}
