import Alert
import Testing
@testable import Respond

@Suite struct ActionPlannerTests {
    static let yaml = """
        mode: enforce
        budget: 2
        allowlist:
          addresses: [198.51.100.0/24, "2001:db8::10"]
          hosts: [jump01]
        actions:
          - name: block
            hook: /hooks/block-source
            when: {rules: [3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14], min_level: high}
            key: SourceIp
            cooldown: 10m
            ttl: 1h
            settings:
              address: {field: SourceIp}
              table: cordon
        """

    func plan(_ alert: Alert, ledger: FakeLedger = FakeLedger(), yaml: String = ActionPlannerTests.yaml) throws -> PlannedAction {
        let configuration = try responseConfiguration(yaml)
        return ActionPlanner(configuration: configuration).plan(configuration.actions[0], for: alert, alertJSON: alert.json,
                                                                ledger: ledger, now: 42)
    }

    func decided(_ planned: PlannedAction) -> (ActionRecord, String?)? {
        if case .decided(let record, let reason) = planned { return (record, reason) }
        return nil
    }

    @Test func aTrustedAlertIsDecidedWithItsEnvironment() throws {
        let alert = bruteForceAlert()
        guard let (record, reason) = decided(try plan(alert)) else { Issue.record("not decided"); return }
        #expect(reason == nil)
        #expect(record.mode == .enforce)
        #expect(record.key == "203.0.113.9")
        #expect(record.timeToLive == 3_600_000_000)
        let environment = Dictionary(record.environment, uniquingKeysWith: { first, _ in first })
        #expect(environment["CORDON_ACTION_ID"] == record.id)
        #expect(record.id.count == 32 && record.id.allSatisfy(\.isHexDigit))
        #expect(environment["CORDON_ADDRESS"] == "203.0.113.9")
        #expect(environment["CORDON_TABLE"] == "cordon")
        #expect(environment["CORDON_TTL"] == "3600")
        #expect(environment["CORDON_RULE_ID"] == alert.ruleIdentifier)
        #expect(environment["CORDON_TRUSTED"] == "1")
        #expect(environment["CORDON_FIELD_SOURCEIP"] == "203.0.113.9")
        #expect(record.alertJSON == alert.json)
    }

    @Test func theIdentifierFollowsTheAlert() throws {
        let first = decided(try plan(bruteForceAlert(sequence: 1)))?.0.id
        let again = decided(try plan(bruteForceAlert(sequence: 1)))?.0.id
        let other = decided(try plan(bruteForceAlert(sequence: 2)))?.0.id
        #expect(first == again)
        #expect(first != other)
    }

    @Test func triggers() throws {
        guard case .ignored(.notTriggered) = try plan(bruteForceAlert(level: .medium)) else { Issue.record("medium triggered"); return }
        guard case .ignored(.notTriggered) = try plan(bruteForceAlert(rule: "another")) else { Issue.record("other rule triggered"); return }
        let tagged = Self.yaml.replacingOccurrences(of: "when: {rules: [3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14], min_level: high}",
                                                    with: "when: {tags: [attack.t1110], correlation: true}")
        #expect(decided(try plan(bruteForceAlert(tags: ["attack.t1110.001"]), yaml: tagged)) != nil)
        guard case .ignored(.notTriggered) = try plan(bruteForceAlert(tags: ["attack.t1111"]), yaml: tagged) else {
            Issue.record("t1111 matched t1110"); return
        }
    }

    @Test func untrustedAlertsAreIgnoredUnlessAllowed() throws {
        guard case .ignored(.untrusted) = try plan(bruteForceAlert(trusted: false)) else { Issue.record("untrusted decided"); return }
        let allowing = Self.yaml.replacingOccurrences(of: "    key: SourceIp", with: "    key: SourceIp\n    allow_untrusted: true")
        #expect(decided(try plan(bruteForceAlert(trusted: false), yaml: allowing)) != nil)
    }

    @Test(arguments: ["198.51.100.66", "2001:db8::10", "::ffff:198.51.100.7"])
    func allowlistedAddressesAreSkipped(address: String) throws {
        guard let (_, reason) = decided(try plan(bruteForceAlert(source: address))) else { Issue.record("not decided"); return }
        #expect(reason?.contains("allowlisted") == true, "\(reason ?? "nil")")
    }

    @Test func missingKeyIsSkippedWithReason() throws {
        let yaml = Self.yaml.replacingOccurrences(of: "key: SourceIp", with: "key: User")
        guard let (_, reason) = decided(try plan(bruteForceAlert(), yaml: yaml)) else { Issue.record("not decided"); return }
        #expect(reason == "the alert has no field User, the action's key")
    }

    @Test func cooldownAndActiveKeys() throws {
        let alert = bruteForceAlert(realtime: 1_800_000_000_000_000)
        var ledger = FakeLedger()
        ledger.last["block|203.0.113.9"] = alert.sourceRealtime - 300_000_000  // 5 min earlier, cooldown 10 min
        guard case .ignored(.coolingDown) = try plan(alert, ledger: ledger) else { Issue.record("not cooling down"); return }
        ledger.last["block|203.0.113.9"] = alert.sourceRealtime - 700_000_000
        #expect(decided(try plan(alert, ledger: ledger)) != nil)
        ledger.active.insert("block|203.0.113.9")
        guard case .ignored(.active) = try plan(alert, ledger: ledger) else { Issue.record("not active"); return }
        // Another address is not affected.
        #expect(decided(try plan(bruteForceAlert(source: "203.0.113.10"), ledger: ledger)) != nil)
    }

    @Test func alreadyDecidedAlertsAreIgnored() throws {
        let alert = bruteForceAlert()
        guard let (record, _) = decided(try plan(alert)) else { Issue.record("not decided"); return }
        guard case .ignored(.alreadyDecided) = try plan(alert, ledger: FakeLedger(decided: [record.id])) else {
            Issue.record("decided twice"); return
        }
    }

    @Test func theBudgetCountsEnforcedActionsInTheLastHourOfEntryTime() throws {
        let alert = bruteForceAlert(realtime: 1_800_000_000_000_000)
        var ledger = FakeLedger()
        ledger.enforced = [alert.sourceRealtime - 60_000_000, alert.sourceRealtime - 120_000_000]
        guard let (_, reason) = decided(try plan(alert, ledger: ledger)) else { Issue.record("not decided"); return }
        #expect(reason?.contains("budget of 2") == true)
        ledger.enforced = [alert.sourceRealtime - 60_000_000, alert.sourceRealtime - 3_700_000_000]
        #expect(decided(try plan(alert, ledger: ledger))?.1 == nil)
        // Dry-run spends no budget and is not stopped by it.
        ledger.enforced = [alert.sourceRealtime - 60_000_000, alert.sourceRealtime - 120_000_000]
        let dryRun = Self.yaml.replacingOccurrences(of: "mode: enforce", with: "mode: dry-run")
        guard let (record, reason2) = decided(try plan(alert, ledger: ledger, yaml: dryRun)) else { Issue.record("not decided"); return }
        #expect(record.mode == .dryRun)
        #expect(reason2 == nil)
    }

    @Test func hostsOnTheAllowlistAreSkipped() throws {
        let yaml = Self.yaml.replacingOccurrences(of: "hosts: [jump01]", with: "hosts: [unknown]")
        guard let (_, reason) = decided(try plan(bruteForceAlert(), yaml: yaml)) else { Issue.record("not decided"); return }
        #expect(reason == "host unknown is allowlisted")
    }
}
