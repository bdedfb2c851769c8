import Testing
@testable import Respond

@Suite struct ResponseConfigurationTests {
    static let valid = """
        mode: enforce
        hooks_directory: /opt/cordon/hooks
        max_concurrent: 2
        timeout: 20s
        budget: 3
        allowlist:
          addresses: [198.51.100.10, "2001:db8::/64"]
          users: [backup]
          hosts: jump01
        actions:
          - name: block-ssh-source
            hook: block-source
            when:
              rules: [sshd_brute_force]
              min_level: high
            key: SourceIp
            cooldown: 10m
            ttl: 1h
            settings:
              address: {field: SourceIp}
              management: [198.51.100.10, "2001:db8::10"]
          - name: page
            hook: /usr/local/bin/page-me
            mode: dry-run
            when: {tags: [attack.t1110], correlation: true}
            allow_untrusted: true
        """

    @Test func readsEverySetting() throws {
        let configuration = try responseConfiguration(Self.valid)
        #expect(configuration.mode == .enforce)
        #expect(configuration.maximumConcurrent == 2)
        #expect(configuration.timeout == 20)
        #expect(configuration.budgetPerHour == 3)
        #expect(configuration.allowlist.users == ["backup"])
        #expect(configuration.allowlist.hosts == ["jump01"])
        #expect(configuration.allowlist.reason(for: "2001:db8::5") != nil)
        #expect(configuration.allowlist.reason(for: "198.51.100.11") == nil)
        let block = configuration.actions[0]
        #expect(block.hook == "/opt/cordon/hooks/block-source")
        #expect(block.trigger.rules == ["sshd_brute_force"])
        #expect(block.trigger.minimumLevel == .high)
        #expect(block.keyField == "SourceIp")
        #expect(block.cooldown == 600_000_000)
        #expect(block.timeToLive == 3_600_000_000)
        #expect(block.settings.map(\.variable) == ["CORDON_ADDRESS", "CORDON_MANAGEMENT"])
        #expect(block.settings[0].value == .field("SourceIp"))
        #expect(block.settings[1].value == .text("198.51.100.10,2001:db8::10"))
        #expect(configuration.effectiveMode(of: block) == .enforce)
        let page = configuration.actions[1]
        #expect(page.hook == "/usr/local/bin/page-me")
        #expect(page.allowsUntrusted)
        #expect(page.trigger.correlation == true)
        #expect(configuration.effectiveMode(of: page) == .dryRun)
    }

    @Test func dryRunIsTheDefaultAndACeiling() throws {
        let configuration = try responseConfiguration("""
            actions:
              - {name: a, hook: /bin/true, mode: enforce, when: {min_level: high}}
            """)
        #expect(configuration.mode == .dryRun)
        #expect(configuration.effectiveMode(of: configuration.actions[0]) == .dryRun)
        #expect(configuration.actions[0].allowsUntrusted == false)
    }

    @Test(arguments: [
        ("mode: on", 1, "'response.mode' must be dry-run or enforce"),
        ("budget: 0", 1, "'response.budget' must be a whole number"),
        ("colour: red", 1, "unknown setting 'response.colour'"),
        ("allowlist:\n  addresses: [10.0.0.0/33]", 2, "'10.0.0.0/33' in response.allowlist.addresses is not an address"),
        ("actions:\n  - {name: a, hook: x}", 2, "action 'a' needs 'when'"),
        ("actions:\n  - {name: A!, hook: x, when: {min_level: high}}", 2, "an action needs a 'name'"),
        ("actions:\n  - {name: a, hook: ../x, when: {min_level: high}}", 2, "must be a name in"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: severe}}", 2, "min_level' must be informational"),
        ("actions:\n  - {name: a, hook: x, when: {level: high}}", 2, "unknown condition 'a.when.level'"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: high}, cooldown: 10 minutes}", 2, "'a.cooldown' must be a duration"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: high}, settings: {host: h}}", 2, "would shadow a variable"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: high}, settings: {address: {feld: SourceIp}}}", 2, "or {field: NAME}"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: high}}\n  - {name: a, hook: y, when: {min_level: high}}", 3, "defined twice"),
        ("allowlist: {units: [ssh.service]}\nactions:\n  - {name: a, hook: x, when: {min_level: high}, settings: {units: [ssh.service]}}", 3, "allowlisted unit 'ssh.service'"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: high}, tll: 1h}", 2, "unknown setting 'tll'"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: high}, targets: remotes}", 2, "action 'a': 'targets' must be local (this machine's alerts), remote"),
        ("actions:\n  - name: a\n    hook: x\n    when: {min_level: high}\n    targets: [remote]", 5, "'targets' must be local"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: high}, settings: {target_host: h}}", 2, "would shadow a variable Cordon sets itself (CORDON_TARGET_HOST)"),
        ("actions:\n  - {name: a, hook: x, when: {min_level: high}, settings: {machine_id: m}}", 2, "would shadow a variable"),
    ])
    func refusesWithTheLine(yaml: String, line: Int, message: String) {
        do {
            _ = try responseConfiguration(yaml)
            Issue.record("accepted: \(yaml)")
        } catch let error as ResponseConfigurationError {
            #expect(error.line == line, "\(error.message)")
            #expect(error.message.contains(message), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aMissingHookIsAnErrorOnlyWhenEnforced() throws {
        let enforced = """
            mode: enforce
            actions:
              - {name: a, hook: /nonexistent/hook, when: {min_level: high}}
            """
        #expect(throws: ResponseConfigurationError.self) { try responseConfiguration(enforced, hookExists: { _ in false }) }
        let dryRun = try responseConfiguration(enforced.replacingOccurrences(of: "mode: enforce", with: "mode: dry-run"),
                                               hookExists: { _ in false })
        #expect(dryRun.missingHooks == ["/nonexistent/hook"])
    }

    @Test func ruleNamesResolveToIdentifiers() throws {
        var configuration = try responseConfiguration(Self.valid)
        let unknown = configuration.resolveRuleNames(["sshd_brute_force": "3f8b", "3f8b": "3f8b"])
        #expect(unknown.isEmpty)
        #expect(configuration.actions[0].trigger.rules == ["3f8b"])
        var other = try responseConfiguration(Self.valid)
        let missing = other.resolveRuleNames([:])
        #expect(missing.map(\.reference) == ["sshd_brute_force"])
    }
}
