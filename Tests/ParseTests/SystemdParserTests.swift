import Testing
@testable import Parse

@Suite struct SystemdParserTests {
    static let cases: [ParserCase] = [
        ParserCase("Started foo.service - Foo Daemon.", ["Action": "started", "Unit": "foo.service"]),
        ParserCase("Started ssh.service - OpenBSD Secure Shell server.", ["Action": "started", "Unit": "ssh.service", "Result": "done"],
                   extra: ["UNIT": "ssh.service", "JOB_RESULT": "done"]),
        ParserCase("Started OpenBSD Secure Shell server.", ["Action": "started", "Unit": "ssh.service"], extra: ["UNIT": "ssh.service"]),
        ParserCase("Started OpenBSD Secure Shell server.", ["Action": "started"]),
        ParserCase("Started app.service - App.", ["Action": "started", "Unit": "app.service"], extra: ["USER_UNIT": "app.service"]),
        ParserCase("Starting foo.service - Foo Daemon...", ["Action": "starting", "Unit": "foo.service"]),
        ParserCase("Stopping foo.service - Foo Daemon...", ["Action": "stopping", "Unit": "foo.service"]),
        ParserCase("Stopped foo.service - Foo Daemon.", ["Action": "stopped", "Unit": "foo.service"]),
        ParserCase("Stopped target network.target - Network.", ["Action": "stopped", "Unit": "network.target"]),
        ParserCase("Reloading foo.service - Foo Daemon...", ["Action": "reloading", "Unit": "foo.service"]),
        ParserCase("Reloaded foo.service - Foo Daemon.", ["Action": "reloaded", "Unit": "foo.service"]),
        ParserCase("Finished systemd-tmpfiles-clean.service - Cleanup of Temporary Directories.", [
            "Action": "finished", "Unit": "systemd-tmpfiles-clean.service",
        ]),
        ParserCase("Failed to start foo.service - Foo Daemon.", ["Action": "failed", "Unit": "foo.service", "Result": "failed"]),
        ParserCase("Dependency failed for foo.service - Foo Daemon.", ["Action": "failed", "Unit": "foo.service", "Result": "dependency"]),
        ParserCase("Timed out starting foo.service - Foo.", ["Action": "failed", "Unit": "foo.service", "Result": "timeout"]),
        ParserCase("Reached target multi-user.target - Multi-User System.", ["Action": "reached", "Unit": "multi-user.target"]),
        ParserCase("Listening on ssh.socket - OpenBSD Secure Shell server socket.", ["Action": "listening", "Unit": "ssh.socket"]),
        ParserCase("Created slice user-1000.slice - User Slice of UID 1000.", ["Action": "created", "Unit": "user-1000.slice"]),
        ParserCase("Removed slice user-1000.slice - User Slice of UID 1000.", ["Action": "removed", "Unit": "user-1000.slice"]),
        ParserCase("Mounted tmp.mount - Temporary Directory /tmp.", ["Action": "mounted", "Unit": "tmp.mount"]),
        ParserCase("Condition check resulted in foo.service - Foo being skipped.", ["Action": "skipped", "Unit": "foo.service"]),
        ParserCase("foo.service: Failed with result 'exit-code'.", ["Action": "failed", "Unit": "foo.service", "Result": "exit-code"]),
        ParserCase("foo.service: Main process exited, code=exited, status=1/FAILURE", [
            "Action": "exited", "Unit": "foo.service", "ExitCode": "exited", "ExitStatus": "1",
        ]),
        ParserCase("foo.service: Main process exited, code=killed, status=9/KILL", [
            "Action": "exited", "Unit": "foo.service", "ExitCode": "killed", "ExitStatus": "9",
        ]),
        ParserCase("foo.service: Control process exited, code=exited, status=203/EXEC", [
            "Action": "exited", "Unit": "foo.service", "ExitCode": "exited", "ExitStatus": "203",
        ]),
        ParserCase("foo.service: Deactivated successfully.", ["Action": "deactivated", "Unit": "foo.service", "Result": "success"]),
        ParserCase("getty@tty1.service: Scheduled restart job, restart counter is at 3.", [
            "Action": "restart_scheduled", "Unit": "getty@tty1.service", "RestartCount": "3",
        ]),
        ParserCase("Reloading.", ["Action": "daemon_reload"]),
        ParserCase("Reloading requested from client PID 1234 ('systemctl') (unit session-1.scope)...", ["Action": "daemon_reload"]),
    ]

    @Test(arguments: cases)
    func readsMessage(_ testCase: ParserCase) {
        check(SystemdParser(), testCase)
    }

    @Test(arguments: [
        "Startup finished in 1.2s (kernel) + 3.4s (userspace) = 4.6s.",
        "foo.service: Consumed 1.234s CPU time.",
        "foo: Failed with result 'exit-code'.",
        "foo.service: Main process exited, code=exited",
        "Started .",
        "Reloading",
        "Stopped",
    ])
    func ignoresOtherMessages(_ message: String) {
        #expect(parsedFields(SystemdParser(), message: message).isEmpty)
    }
}
