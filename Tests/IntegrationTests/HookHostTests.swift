import Foundation
import Glibc
import Testing

/// The host hooks against the real things: `stop-unit` and `lock-account` inside a container with
/// systemd, logind and its own `/etc/passwd` (one container for the suite, `HookContainer`),
/// `webhook` with curl against an HTTP server on 127.0.0.1 that records what it receives.
@Suite(.serialized) struct HookHostTests {
    // MARK: stop-unit

    /// Two units that run `sleep infinity`: one an administrator wrote (/etc/systemd/system, which
    /// shadows a runtime mask in /run/systemd/system), one as a package ships it (/usr/lib).
    private func prepareUnits(_ container: HookContainer) throws {
        try container.shell("""
            printf '[Unit]\\nDescription=health app\\n[Service]\\nExecStart=/bin/sleep infinity\\n' >/etc/systemd/system/health-app.service
            printf '[Unit]\\nDescription=health worker\\n[Service]\\nExecStart=/bin/sleep infinity\\n' >/usr/lib/systemd/system/health-worker.service
            systemctl daemon-reload
            systemctl start health-app.service health-worker.service
            """)
        #expect(try state(container, "health-app.service") == "active enabled=static")
        #expect(try state(container, "health-worker.service") == "active enabled=static")
    }

    /// `is-active` and `is-enabled` of a unit inside, as one string.
    private func state(_ container: HookContainer, _ unit: String) throws -> String {
        let active = try container.output("systemctl is-active -- \(unit)")
        let enabled = try container.output("systemctl is-enabled -- \(unit)")
        return "\(active) enabled=\(enabled)"
    }

    @Test("stop-unit stops and runtime-masks units (an /etc one too), apply twice is fine, release unmasks and starts them")
    func stopUnitAppliesAndReleases() throws {
        let container = try HookContainer.boot()
        try prepareUnits(container)
        let settings = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_ACTION": "stop-health",
                        "CORDON_UNITS": "health-app.service,health-worker.service", "CORDON_MASK": "yes"]

        let apply = try container.hook("stop-unit", "apply", settings)
        #expect(apply.status == 0, "\(apply.standardError)")
        for unit in ["health-app.service", "health-worker.service"] {
            #expect(try state(container, unit) == "inactive enabled=masked-runtime")
            let start = try container.run(["systemctl", "start", unit])
            #expect(start.status != 0)
            #expect(start.standardError.contains("masked"), "\(start.standardError)")
            #expect(try container.output("systemctl is-active \(unit)") == "inactive")
        }

        let again = try container.hook("stop-unit", "apply", settings)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("already stopped"), "\(again.standardOutput)")
        #expect(try state(container, "health-app.service") == "inactive enabled=masked-runtime")

        let release = try container.hook("stop-unit", "release", settings)
        #expect(release.status == 0, "\(release.standardError)")
        #expect(try state(container, "health-app.service") == "active enabled=static")
        #expect(try state(container, "health-worker.service") == "active enabled=static")
        #expect(try container.output("ls -A /run/systemd/system.control /run/systemd/system | grep health || true") == "")

        let releaseAgain = try container.hook("stop-unit", "release", settings)
        #expect(releaseAgain.status == 0, "\(releaseAgain.standardError)")
        #expect(try state(container, "health-app.service") == "active enabled=static")
    }

    @Test("stop-unit without CORDON_MASK only stops; release leaves stopped what apply found stopped")
    func stopUnitWithoutMask() throws {
        let container = try HookContainer.boot()
        try prepareUnits(container)
        try container.shell("systemctl stop health-worker.service")
        let settings = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_UNITS": "health-app.service,health-worker.service"]

        let apply = try container.hook("stop-unit", "apply", settings)
        #expect(apply.status == 0, "\(apply.standardError)")
        #expect(try state(container, "health-app.service") == "inactive enabled=static")
        #expect(try state(container, "health-worker.service") == "inactive enabled=static")

        let release = try container.hook("stop-unit", "release", settings)
        #expect(release.status == 0, "\(release.standardError)")
        #expect(try state(container, "health-app.service") == "active enabled=static")
        #expect(try state(container, "health-worker.service") == "inactive enabled=static")
        #expect(release.standardOutput.contains("health-worker.service was stopped before apply"), "\(release.standardOutput)")
    }

    @Test("stop-unit refuses names that are not unit names, protected units and bad CORDON_MASK with exit 2, and changes nothing")
    func stopUnitRefusesBadInput() throws {
        let container = try HookContainer.boot()
        try prepareUnits(container)
        // An alias of dbus.service: refused as what it resolves to.
        try container.shell("""
            rm -f /tmp/hh-pwned
            ln -sfn /usr/lib/systemd/system/dbus.service /etc/systemd/system/bus-alias.service
            systemctl daemon-reload
            """)
        let bad: [(variable: String, value: String)] = [
            ("CORDON_UNITS", "health-app.service;reboot"),
            ("CORDON_UNITS", "health-app.service $(touch /tmp/hh-pwned)"),
            ("CORDON_UNITS", "$(touch /tmp/hh-pwned).service"),
            ("CORDON_UNITS", "`touch /tmp/hh-pwned`.service"),
            ("CORDON_UNITS", "../../etc/health-app.service"),
            ("CORDON_UNITS", "health-app.service\nhealth-worker.service"),
            ("CORDON_UNITS", "health-worker.service,health-app.service\n"),
            ("CORDON_UNITS", "*.service"),
            ("CORDON_UNITS", "health-app"),
            ("CORDON_UNITS", "-.mount"),
            ("CORDON_UNITS", "--now.service"),
            ("CORDON_UNITS", "getty@.service"),
            ("CORDON_UNITS", "health-worker.service,,health-app.service"),
            ("CORDON_UNITS", "health-worker.service,bad name.service"),
            ("CORDON_UNITS", "dbus.service"),
            ("CORDON_UNITS", "health-worker.service,systemd-journald.service"),
            ("CORDON_UNITS", "health-worker.service,bus-alias.service"),
            ("CORDON_UNITS", String(repeating: "a", count: 300) + ".service"),
            ("CORDON_UNITS", ""),
            ("CORDON_MASK", "yes;no"),
        ]
        for (variable, value) in bad {
            let actionID = uniqueToken()
            var settings = ["CORDON_ACTION_ID": actionID, "CORDON_UNITS": "health-worker.service", "CORDON_MASK": "yes"]
            settings[variable] = value
            let result = try container.hook("stop-unit", "apply", settings)
            #expect(result.status == 2, "\(variable)=\(value.debugDescription): \(result.standardOutput) \(result.standardError)")
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(variable), "\(value.debugDescription): \(result.standardError)")
            #expect(result.standardOutput.isEmpty)
            #expect(try container.output("test -e /run/cordon/hooks/stop-unit/\(actionID) && echo recorded || true") == "")
        }
        #expect(try container.output("test -e /tmp/hh-pwned && echo executed || true") == "")
        #expect(try state(container, "health-app.service") == "active enabled=static")
        #expect(try state(container, "health-worker.service") == "active enabled=static")
        #expect(try container.output("systemctl is-active dbus.service") == "active")
        try container.shell("rm /etc/systemd/system/bus-alias.service && systemctl daemon-reload")
    }

    @Test("stop-unit leaves alone a mask it did not make: release neither unmasks nor starts that unit")
    func stopUnitKeepsForeignMask() throws {
        let container = try HookContainer.boot()
        try prepareUnits(container)
        try container.shell("systemctl mask --runtime --quiet health-worker.service")
        let settings = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_UNITS": "health-app.service,health-worker.service",
                        "CORDON_MASK": "yes"]

        let apply = try container.hook("stop-unit", "apply", settings)
        #expect(apply.status == 0, "\(apply.standardError)")
        #expect(apply.standardOutput.contains("health-worker.service is already masked (not by this action)"), "\(apply.standardOutput)")
        #expect(try state(container, "health-worker.service") == "inactive enabled=masked-runtime")

        let release = try container.hook("stop-unit", "release", settings)
        #expect(release.status == 0, "\(release.standardError)")
        #expect(try state(container, "health-app.service") == "active enabled=static")
        #expect(try state(container, "health-worker.service") == "inactive enabled=masked-runtime")
        #expect(release.standardOutput.contains("health-worker.service is masked (not by this action); not starting it"))
        try container.shell("systemctl unmask --runtime --quiet health-worker.service")
    }

    // MARK: lock-account

    /// A local user with a password inside the container.
    private func createUser(_ container: HookContainer, _ name: String) throws {
        try container.shell("""
            id -u \(name) >/dev/null 2>&1 || useradd -m -s /bin/sh \(name)
            echo '\(name):Correct-Horse-1' | chpasswd
            usermod -U -e '' \(name) 2>/dev/null || true
            """)
    }

    /// `passwd -S` status (L, P or NP) and the expiry field of the shadow entry.
    private func account(_ container: HookContainer, _ name: String) throws -> String {
        let status = try container.output("passwd -S \(name) | cut -d' ' -f2")
        let expire = try container.output("getent shadow \(name) | cut -d: -f8")
        let chage = try container.output("chage -l \(name) | sed -n 's/^Account expires[[:space:]]*: //p'")
        return "\(status) expire=\(expire) (\(chage))"
    }

    /// Waits until a shell test inside succeeds (exit 0), or the timeout passes: 10 s, 60 s under a
    /// sanitizer (`make sanitize` sets CORDON_SANITIZER), where the container's systemd shares the
    /// cores with every sanitized suite.
    private func waitInside(_ container: HookContainer, _ script: String,
                            timeout: Double = getenv("CORDON_SANITIZER") == nil ? 10 : 60) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try container.run(["/bin/sh", "-c", script]).status == 0 { return true }
            usleep(100_000)
        } while Date() < deadline
        return false
    }

    @Test("lock-account locks and expires the account, ends its logind session, kills its processes when asked; release unlocks")
    func lockAccountAppliesAndReleases() throws {
        let container = try HookContainer.boot()
        try createUser(container, "hhalice")
        #expect(try account(container, "hhalice") == "P expire= (never)")
        // A logind session (PAM, as a login has) and a process outside any session. Both start from
        // the container's PID 1: a background child of this test's nsenter would inherit the socket
        // by which Foundation's Process notices an exit, and the call would wait for the child.
        try container.shell("""
            systemctl reset-failed hhalice-session.service hhalice-stray.service 2>/dev/null || true
            systemd-run --quiet --unit=hhalice-session -p PAMName=login -p User=hhalice /bin/sleep infinity
            systemd-run --quiet --unit=hhalice-stray setpriv --reuid=hhalice --regid=hhalice --clear-groups /bin/sleep 1000
            """)
        let stray = try container.output("systemctl show --property=MainPID --value hhalice-stray.service")
        #expect(try waitInside(container, "loginctl show-user hhalice >/dev/null 2>&1"), "no logind session for hhalice")
        #expect(try waitInside(container, "ps -o user= -p \(stray) | grep -qx hhalice"), "the stray process does not run as hhalice")
        let settings = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_ACTION": "lock-user", "CORDON_USER": "hhalice"]

        let apply = try container.hook("lock-account", "apply", settings)
        #expect(apply.status == 0, "\(apply.standardError)")
        #expect(try account(container, "hhalice") == "L expire=1 (Jan 02, 1970)")
        #expect(apply.standardOutput.contains("terminated the sessions of hhalice"), "\(apply.standardOutput)")
        #expect(try waitInside(container, "! systemctl is-active --quiet hhalice-session.service"), "the session's process survived")
        // su runs PAM's account stack (runuser does not): an expired account cannot be entered.
        let su = try container.run(["su", "-s", "/bin/sh", "-c", "id -un", "hhalice"])
        #expect(su.status != 0 && su.standardError.contains("expired"), "\(su.standardOutput) \(su.standardError)")
        // Without CORDON_KILL_PROCESSES a process outside the sessions lives on.
        #expect(try container.output("kill -0 \(stray) && echo alive") == "alive")

        var killing = settings
        killing["CORDON_KILL_PROCESSES"] = "yes"
        let again = try container.hook("lock-account", "apply", killing)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("killed the processes of hhalice"), "\(again.standardOutput)")
        #expect(try container.output("kill -0 \(stray) 2>/dev/null && echo alive || true") == "")
        #expect(try container.output("pgrep -u hhalice || true") == "")
        #expect(try account(container, "hhalice") == "L expire=1 (Jan 02, 1970)")

        let release = try container.hook("lock-account", "release", settings)
        #expect(release.status == 0, "\(release.standardError)")
        #expect(try account(container, "hhalice") == "P expire= (never)")
        let releaseAgain = try container.hook("lock-account", "release", settings)
        #expect(releaseAgain.status == 0, "\(releaseAgain.standardError)")
        #expect(try account(container, "hhalice") == "P expire= (never)")
        #expect(try container.output("su -s /bin/sh -c 'id -un' hhalice") == "hhalice")
    }

    @Test("lock-account release restores the expiry date the account had and leaves a password locked before apply locked")
    func lockAccountRestoresPreviousState() throws {
        let container = try HookContainer.boot()
        try createUser(container, "hhbob")
        try createUser(container, "hhcarol")
        try container.shell("usermod -e 2030-01-01 hhbob && passwd -q -l hhcarol")
        #expect(try account(container, "hhbob") == "P expire=21915 (Jan 01, 2030)")
        #expect(try account(container, "hhcarol") == "L expire= (never)")
        let bob = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_USER": "hhbob"]
        let carol = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_USER": "hhcarol"]
        #expect(try container.hook("lock-account", "apply", bob).status == 0)
        #expect(try container.hook("lock-account", "apply", carol).status == 0)
        #expect(try account(container, "hhbob") == "L expire=1 (Jan 02, 1970)")
        #expect(try account(container, "hhcarol") == "L expire=1 (Jan 02, 1970)")
        #expect(try container.hook("lock-account", "release", bob).status == 0)
        #expect(try container.hook("lock-account", "release", carol).status == 0)
        #expect(try account(container, "hhbob") == "P expire=21915 (Jan 01, 2030)")
        #expect(try account(container, "hhcarol") == "L expire= (never)")

        // No record of the action (lost, or never applied here): the contract's plain unlock.
        try container.shell("usermod -L -e 1 hhbob")
        let unknown = try container.hook("lock-account", "release", ["CORDON_ACTION_ID": uniqueToken(), "CORDON_USER": "hhbob"])
        #expect(unknown.status == 0, "\(unknown.standardError)")
        #expect(try account(container, "hhbob") == "P expire= (never)")
    }

    @Test("lock-account refuses uid 0 (root and an alias) unless CORDON_ALLOW_ROOT=yes")
    func lockAccountRefusesRoot() throws {
        let container = try HookContainer.boot()
        try container.shell("id -u hhtoor >/dev/null 2>&1 || useradd -o -u 0 -M -s /bin/sh hhtoor; echo 'hhtoor:Correct-Horse-1' | chpasswd")
        let root = try account(container, "root")
        for user in ["root", "hhtoor"] {
            let result = try container.hook("lock-account", "apply", ["CORDON_ACTION_ID": uniqueToken(), "CORDON_USER": user])
            #expect(result.status == 2, "\(user): \(result.standardError)")
            #expect(result.standardError.contains("CORDON_USER \(user) has uid 0"), "\(result.standardError)")
            #expect(result.standardError.contains("CORDON_ALLOW_ROOT=yes"))
        }
        #expect(try account(container, "root") == root)
        #expect(try account(container, "hhtoor") == "P expire= (never)")

        let allowed = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_USER": "hhtoor", "CORDON_ALLOW_ROOT": "yes"]
        let apply = try container.hook("lock-account", "apply", allowed)
        #expect(apply.status == 0, "\(apply.standardError)")
        #expect(try account(container, "hhtoor") == "L expire=1 (Jan 02, 1970)")
        #expect(try account(container, "root") == root)
        #expect(try container.hook("lock-account", "release", allowed).status == 0)
        #expect(try account(container, "hhtoor") == "P expire= (never)")
    }

    @Test("lock-account refuses user names that are not user names with exit 2, executes nothing and changes nothing")
    func lockAccountRefusesBadNames() throws {
        let container = try HookContainer.boot()
        try createUser(container, "hhalice")
        try container.shell("rm -f /tmp/hh-pwned /tmp/x")
        let before = try container.shell("sha256sum /etc/passwd /etc/shadow /etc/group")
        let bad = [
            "$(touch /tmp/x)", "`touch /tmp/hh-pwned`", "a;b", "hhalice;touch /tmp/hh-pwned", "../x", "hhalice/../root",
            "hhalice\nroot", "hhalice\n", " hhalice", "-r", "--help", "Hhalice", "0", "hhalice$$", "",
            String(repeating: "a", count: 100 * 1024), "nosuchuser",
        ]
        for user in bad {
            let result = try container.hook("lock-account", "apply",
                                            ["CORDON_ACTION_ID": uniqueToken(), "CORDON_USER": user, "CORDON_KILL_PROCESSES": "yes"])
            #expect(result.status == 2, "\(user.prefix(40).debugDescription): \(result.standardError)")
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("CORDON_USER"), "\(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
        for (variable, value) in [("CORDON_KILL_PROCESSES", "yes please"), ("CORDON_ALLOW_ROOT", "1"), ("CORDON_ACTION_ID", "../x")] {
            var settings = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_USER": "hhalice"]
            settings[variable] = value
            let result = try container.hook("lock-account", "apply", settings)
            #expect(result.status == 2 && result.standardError.contains(variable), "\(result.standardError)")
        }
        #expect(try container.output("ls /tmp/x /tmp/hh-pwned 2>/dev/null || true") == "")
        #expect(try container.shell("sha256sum /etc/passwd /etc/shadow /etc/group") == before)
        #expect(try account(container, "hhalice") == "P expire= (never)")
    }

    // MARK: webhook

    /// Runs `hooks/webhook` on this machine with only the contract's environment.
    private func webhook(_ verb: String, _ settings: [String: String], alert: Data) throws -> CommandResult {
        let environment = HookContainer.contractEnvironment + settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try runCommand(["/usr/bin/env", "-i"] + environment + [Paths.packageRoot + "/hooks/webhook", verb], inputFromFile: alert)
    }

    @Test("webhook POSTs {verb, action_id, action, alert} with the stdin alert byte for byte, and the header")
    func webhookPostsTheAlert() throws {
        let server = try RecordingHTTPServer()
        defer { server.stop() }
        let alert = Data(#"{"MESSAGE":"Failed password for röot from 203.0.113.9 \"quoted\" \\ $(touch /tmp/hh-pwned) `id` 'x'","CORDON_RULE_ID":"ssh-brute","CORDON_LEVEL":"high","CORDON_FIELD_USER":"röot"}"#.utf8)
        let actionID = uniqueToken()
        let settings = ["CORDON_ACTION_ID": actionID, "CORDON_ACTION": "notify-soc",
                        "CORDON_URL": "http://127.0.0.1:\(server.port)/ok?source=cordon&x=[1]",
                        "CORDON_HEADER": "Authorization: Bearer t0ken-$(id)", "CORDON_TIMEOUT": "5"]

        let apply = try webhook("apply", settings, alert: alert)
        #expect(apply.status == 0, "\(apply.standardError)")
        #expect(apply.standardOutput == "webhook: POST apply to 127.0.0.1:\(server.port): HTTP 200\n")
        #expect(!apply.standardOutput.contains("t0ken"))
        let release = try webhook("release", settings, alert: alert)
        #expect(release.status == 0, "\(release.standardError)")

        let requests = try server.requests()
        try #require(requests.count == 2)
        for (request, verb) in zip(requests, ["apply", "release"]) {
            #expect(request.method == "POST")
            #expect(request.path == "/ok?source=cordon&x=[1]")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["authorization"] == "Bearer t0ken-$(id)")
            #expect(request.body.range(of: alert) != nil, "the alert is not in the body verbatim")
            let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any],
                                    "\(String(decoding: request.body, as: UTF8.self))")
            #expect(body["verb"] as? String == verb)
            #expect(body["action_id"] as? String == actionID)
            #expect(body["action"] as? String == "notify-soc")
            let sent = try JSONSerialization.jsonObject(with: alert) as? NSDictionary
            #expect((body["alert"] as? NSDictionary) == sent)
            #expect(Set(body.keys) == ["verb", "action_id", "action", "alert"])
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/hh-pwned"))

        // Empty stdin (a release by hand, say) still sends valid JSON.
        let empty = try webhook("release", settings, alert: Data())
        #expect(empty.status == 0, "\(empty.standardError)")
        let last = try #require(try server.requests().last)
        let body = try JSONSerialization.jsonObject(with: last.body) as? [String: Any]
        #expect(body?["alert"] is NSNull)
    }

    @Test("webhook exits non-zero on HTTP 500, on a closed port, and within CORDON_TIMEOUT on a server that never answers")
    func webhookFailures() throws {
        let server = try RecordingHTTPServer()
        defer { server.stop() }
        let alert = Data(#"{"CORDON_RULE_ID":"r"}"#.utf8)
        var settings = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_URL": "http://127.0.0.1:\(server.port)/fail"]

        let failed = try webhook("apply", settings, alert: alert)
        #expect(failed.status == 1, "\(failed.standardError)")
        #expect(failed.standardError.contains("HTTP status 500"), "\(failed.standardError)")
        #expect(try server.requests().count == 1)

        settings["CORDON_URL"] = "http://127.0.0.1:\(try closedPort())/"
        let closed = try webhook("apply", settings, alert: alert)
        #expect(closed.status == 1, "\(closed.standardError)")

        settings["CORDON_URL"] = "http://127.0.0.1:\(server.port)/slow"
        settings["CORDON_TIMEOUT"] = "2"
        let start = Date()
        let slow = try webhook("apply", settings, alert: alert)
        let elapsed = Date().timeIntervalSince(start)
        #expect(slow.status == 1, "\(slow.standardError)")
        #expect(elapsed >= 1.8 && elapsed < 4, "took \(elapsed) s with CORDON_TIMEOUT=2")
        #expect(slow.standardError.contains("curl exit 28"), "\(slow.standardError)")
    }

    @Test("webhook refuses bad URLs, headers and timeouts with exit 2 and sends nothing")
    func webhookRefusesBadSettings() throws {
        let server = try RecordingHTTPServer()
        defer { server.stop() }
        let good = "http://127.0.0.1:\(server.port)/ok"
        let bad: [(variable: String, value: String)] = [
            ("CORDON_URL", "file:///etc/passwd"),
            ("CORDON_URL", "http://x y"),
            ("CORDON_URL", good + "\n"),
            ("CORDON_URL", good + "\nHost: evil"),
            ("CORDON_URL", good + "\r"),
            ("CORDON_URL", good + "\t"),
            ("CORDON_URL", "http://127.0.0.1:\(server.port)/é"),
            ("CORDON_URL", "http://127.0.0.1:\(server.port)/{a,b}"),
            ("CORDON_URL", "ftp://127.0.0.1/"),
            ("CORDON_URL", "HTTP://127.0.0.1/"),
            ("CORDON_URL", "https://"),
            ("CORDON_URL", "http://user@/x"),
            ("CORDON_URL", "-K/etc/passwd"),
            ("CORDON_URL", ""),
            ("CORDON_URL", "http://" + String(repeating: "a", count: 3000)),
            ("CORDON_HEADER", "NoColon"),
            ("CORDON_HEADER", ": value"),
            ("CORDON_HEADER", "X Bad: value"),
            ("CORDON_HEADER", "@/etc/passwd"),
            ("CORDON_HEADER", "X-A: b\r\nX-B: c"),
            ("CORDON_HEADER", "X-A: b\nX-B: c"),
            ("CORDON_HEADER", "X-A: \u{7f}"),
            ("CORDON_TIMEOUT", "0"),
            ("CORDON_TIMEOUT", "301"),
            ("CORDON_TIMEOUT", "1e3"),
            ("CORDON_TIMEOUT", "-1"),
            ("CORDON_TIMEOUT", "5 "),
            ("CORDON_ACTION", "a\"b"),
            ("CORDON_ACTION_ID", "x\",\"y"),
        ]
        for (variable, value) in bad {
            var settings = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_URL": good]
            settings[variable] = value
            let result = try webhook("apply", settings, alert: Data("{}".utf8))
            #expect(result.status == 2, "\(variable)=\(value.prefix(60).debugDescription): \(result.standardError)")
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(variable), "\(value.prefix(60).debugDescription): \(result.standardError)")
        }
        // A refusal never shows the header's value (it may be a token).
        var secret = ["CORDON_ACTION_ID": uniqueToken(), "CORDON_URL": good]
        secret["CORDON_HEADER"] = "Authorization: Bearer s3cret\u{1}"
        #expect(try !webhook("apply", secret, alert: Data("{}".utf8)).standardError.contains("s3cret"))
        #expect(try server.requests().isEmpty)
    }

    /// A TCP port on 127.0.0.1 where nothing listens.
    private func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A small python3 HTTP server on 127.0.0.1 (a free port) that records every request: method,
/// path, headers and the body's exact bytes. `/fail…` answers 500, `/slow…` answers after 20 s,
/// anything else 200.
final class RecordingHTTPServer {
    struct Request {
        let method: String
        let path: String
        /// Header names lower-cased.
        let headers: [String: String]
        let body: Data
    }

    let port: Int
    private let process = Process()
    private let directory: TemporaryDirectory

    private static let script = #"""
        import base64, http.server, json, sys, time

        log_path, port_path = sys.argv[1], sys.argv[2]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                record = {"method": self.command, "path": self.path,
                          "headers": {name.lower(): value for name, value in self.headers.items()},
                          "body": base64.b64encode(body).decode()}
                with open(log_path, "a") as log:
                    log.write(json.dumps(record) + "\n")
                if self.path.startswith("/slow"):
                    time.sleep(20)
                self.send_response(500 if self.path.startswith("/fail") else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *arguments):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        with open(port_path + ".new", "w") as file:
            file.write(str(server.server_address[1]))
        import os; os.rename(port_path + ".new", port_path)
        server.serve_forever()
        """#

    init() throws {
        directory = try TemporaryDirectory()
        let scriptPath = try directory.write("server.py", Self.script)
        let portPath = directory.path + "/port"
        guard FileManager.default.createFile(atPath: directory.path + "/requests.jsonl", contents: nil) else {
            directory.remove()
            throw FixtureError(message: "cannot create the request log in \(directory.path)")
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [scriptPath, directory.path + "/requests.jsonl", portPath]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        var port: Int?
        while port == nil && Date() < deadline && process.isRunning {
            port = (try? String(contentsOfFile: portPath, encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(20_000) }
        }
        guard let port else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            directory.remove()
            throw FixtureError(message: "the python3 HTTP server did not start")
        }
        self.port = port
    }

    /// The requests received so far, in order.
    func requests() throws -> [Request] {
        let text = try String(contentsOfFile: directory.path + "/requests.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let method = record["method"] as? String, let path = record["path"] as? String,
                  let headers = record["headers"] as? [String: String],
                  let encoded = record["body"] as? String, let body = Data(base64Encoded: encoded) else {
                throw FixtureError(message: "bad request record: \(line)")
            }
            return Request(method: method, path: path, headers: headers, body: body)
        }
    }

    /// Kills the server. SIGKILL, because a child of a Swift test thread starts with most signals
    /// blocked (SIGTERM would stay pending).
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        directory.remove()
    }
}
