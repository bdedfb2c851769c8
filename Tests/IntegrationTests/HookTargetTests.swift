import Foundation
import Testing

/// Fleet mode's side of the hook contract: a remote host's alert runs `HOOK apply HOST` with
/// `CORDON_TARGET_HOST=HOST`. The shipped local hooks refuse it before anything else (they run here
/// without any setting, so even a broken refusal would stop at a missing one and change nothing);
/// webhook passes the target on.
@Suite struct HookTargetTests {
    static let localHooks = ["block-source", "isolate-nftables", "stop-unit", "lock-account"]

    private func hook(_ name: String, _ arguments: [String], _ environment: [String: String], alert: Data = Data("{}".utf8)) throws -> CommandResult {
        let variables = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "CORDON_ACTION_ID=\(uniqueToken())"]
            + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try runCommand(["/usr/bin/env", "-i"] + variables + [Paths.packageRoot + "/hooks/" + name] + arguments, inputFromFile: alert)
    }

    @Test("The local hooks refuse a remote target with exit 2 and one line naming CORDON_TARGET_HOST", arguments: HookTargetTests.localHooks)
    func localHooksRefuseARemoteTarget(name: String) throws {
        let ways: [([String], [String: String])] = [
            (["apply", "web02.example.org"], ["CORDON_TARGET_HOST": "web02.example.org", "CORDON_TARGET_MACHINE_ID": String(repeating: "b2", count: 16)]),
            (["release", "web02.example.org"], ["CORDON_TARGET_HOST": "web02.example.org"]),
            (["apply"], ["CORDON_TARGET_HOST": "web02.example.org"]),
            (["apply", "web02.example.org"], [:]),
        ]
        for (arguments, environment) in ways {
            let result = try hook(name, arguments, environment)
            #expect(result.status == 2, "\(name) \(arguments): \(result.standardError)")
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1, "\(result.standardError)")
            #expect(result.standardError.hasPrefix("\(name): acts on this host only; CORDON_TARGET_HOST="), "\(result.standardError)")
            #expect(result.standardError.contains("web02.example.org"), "\(result.standardError)")
            #expect(result.standardError.hasSuffix("needs a hook that reaches that host\n"), "\(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
        // Without a target the refusal does not fire: the hook goes on to its own checks.
        let local = try hook(name, ["apply"], ["CORDON_TARGET_HOST": ""])
        #expect(!local.standardError.contains("acts on this host only"), "\(local.standardError)")
    }

    @Test("webhook names a remote target in the body, and leaves it out for a local alert")
    func webhookPassesTheTarget() throws {
        let server = try RecordingHTTPServer()
        defer { server.stop() }
        let alert = Data(#"{"CORDON_RULE_ID":"r","CORDON_HOST":"web02.example.org"}"#.utf8)
        let machine = String(repeating: "b2", count: 16)
        let settings = ["CORDON_ACTION": "notify", "CORDON_URL": "http://127.0.0.1:\(server.port)/ok", "CORDON_TIMEOUT": "5"]

        let remote = try hook("webhook", ["apply", "web02.example.org"], settings.merging(
            ["CORDON_TARGET_HOST": "web02.example.org", "CORDON_TARGET_MACHINE_ID": machine]) { $1 }, alert: alert)
        #expect(remote.status == 0, "\(remote.standardError)")
        let local = try hook("webhook", ["apply"], settings, alert: alert)
        #expect(local.status == 0, "\(local.standardError)")
        let requests = try server.requests()
        try #require(requests.count == 2)
        let remoteBody = try #require(try JSONSerialization.jsonObject(with: requests[0].body) as? [String: Any])
        #expect(remoteBody["target"] as? String == "web02.example.org")
        #expect(remoteBody["target_machine_id"] as? String == machine)
        #expect(remoteBody["alert"] is NSDictionary)
        let localBody = try #require(try JSONSerialization.jsonObject(with: requests[1].body) as? [String: Any])
        #expect(Set(localBody.keys) == ["verb", "action_id", "action", "alert"])

        // A bad target, or an argument that disagrees with the variable, is refused and nothing is sent.
        for (arguments, target) in [(["apply", "-oProxyCommand=x"], "-oProxyCommand=x"), (["apply", "web03"], "web02"),
                                    (["apply", "a b"], "a b")] {
            let refused = try hook("webhook", arguments, settings.merging(["CORDON_TARGET_HOST": target]) { $1 }, alert: alert)
            #expect(refused.status == 2, "\(arguments): \(refused.standardError)")
        }
        #expect(try server.requests().count == 2)
    }
}
