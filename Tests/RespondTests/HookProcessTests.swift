import Foundation
import Glibc
import Testing

@testable import Respond

/// Real processes: test hooks are /bin/sh scripts written to a scratch directory, or coreutils run
/// directly. Expectations never depend on how fast the machine is; time limits are generous.
@Suite(.timeLimit(.minutes(2)))
struct HookProcessTests {
    // MARK: Exit status

    @Test(arguments: [0, 1, 2, 42, 255])
    func exitStatusIsReported(status: Int32) throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("exit-\(status)", "exit \(status)")
        let outcome = HookProcess.run(HookInvocation(executable: hook, environment: testEnvironment, timeout: 60))
        #expect(outcome.termination == .exited(status))
        #expect(outcome.succeeded == (status == 0))
        #expect((outcome.processIdentifier ?? 0) > 0)
        #expect(outcome.duration > 0)
    }

    @Test(arguments: [SIGKILL, SIGUSR1, SIGTERM])
    func deathBySignalIsReported(signal: Int32) throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("signal", "kill -\(signal) $$; sleep 100")
        let outcome = HookProcess.run(HookInvocation(executable: hook, environment: testEnvironment, timeout: 60))
        #expect(outcome.termination == .signalled(signal))
        #expect(!outcome.succeeded)
    }

    @Test func standardOutputAndErrorAreSeparate() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("both", "echo out; echo err >&2; exit 3")
        let outcome = HookProcess.run(HookInvocation(executable: hook, environment: testEnvironment, timeout: 60))
        #expect(outcome.termination == .exited(3))
        #expect(outcome.standardOutput == Array("out\n".utf8))
        #expect(outcome.standardError == Array("err\n".utf8))
        #expect(!outcome.outputTruncated)
    }

    // MARK: Timeout

    @Test func timeoutKillsTheHookAndItsChild() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("slow", "sleep 100 & echo $!; sleep 100; wait")
        let outcome = HookProcess.run(
            HookInvocation(executable: hook, environment: testEnvironment, timeout: 1, killGrace: 2)
        )
        #expect(outcome.termination == .timedOut)
        let child = try #require(pid_t(String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(eventuallyGone(child))
    }

    @Test func hookIgnoringSIGTERMIsKilledAfterTheGrace() throws {
        let scratch = try ScratchDirectory()
        // `sleep` inherits the ignored SIGTERM, so only SIGKILL ends either.
        let hook = try scratch.script("stubborn", "trap '' TERM; sleep 100 & echo $!; sleep 100")
        let outcome = HookProcess.run(
            HookInvocation(executable: hook, environment: testEnvironment, timeout: 0.5, killGrace: 0.5)
        )
        #expect(outcome.termination == .timedOut)
        let child = try #require(pid_t(String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(eventuallyGone(child))
    }

    @Test func stoppedHookTimesOut() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("stopped", "kill -STOP $$; exit 0")
        let outcome = HookProcess.run(
            HookInvocation(executable: hook, environment: testEnvironment, timeout: 0.5, killGrace: 30)
        )
        #expect(outcome.termination == .timedOut)
    }

    @Test func hookThatClosesItsOutputStillTimesOut() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("closed", "exec >&- 2>&- 0<&-; sleep 100")
        let outcome = HookProcess.run(
            HookInvocation(executable: hook, environment: testEnvironment, standardInput: [1, 2, 3], timeout: 0.5)
        )
        #expect(outcome.termination == .timedOut)
    }

    @Test func backgroundProcessHoldingThePipesDoesNotHangTheRun() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("leaves", "sleep 100 & echo $!; exit 0")
        let outcome = HookProcess.run(HookInvocation(executable: hook, environment: testEnvironment, timeout: 60))
        #expect(outcome.termination == .exited(0))
        let child = try #require(pid_t(String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(eventuallyGone(child))
    }

    @Test func infiniteTimeoutMeansNoLimit() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("quick", "exit 7")
        let outcome = HookProcess.run(HookInvocation(executable: hook, environment: testEnvironment, timeout: .infinity))
        #expect(outcome.termination == .exited(7))
    }

    // MARK: Standard input

    @Test func standardInputIsDeliveredByteExact() {
        let small: [UInt8] = [0, 1, 2, 0, 255, 0, 10, 0]
        let large = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255) } + [0, 0]
        for input in [small, large, []] {
            let outcome = HookProcess.run(
                HookInvocation(executable: "/bin/cat", standardInput: input, timeout: 60, outputLimit: 2 << 20)
            )
            #expect(outcome.termination == .exited(0))
            #expect(outcome.standardOutput == input)
            #expect(!outcome.outputTruncated)
        }
    }

    @Test func hookThatNeverReadsLargeInputCompletes() throws {
        let scratch = try ScratchDirectory()
        let closesInput = try scratch.script("closes-input", "exec 0<&-; sleep 0.2; exit 0")
        let input = [UInt8](repeating: 0x41, count: 10 << 20)
        // SIGPIPE is at its default disposition here (checked below), so a SIGPIPE delivered to
        // this process would end the test run.
        #expect(sigpipeDisposition() == nil)
        for executable in ["/bin/true", closesInput] {
            let outcome = HookProcess.run(
                HookInvocation(executable: executable, environment: testEnvironment, standardInput: input, timeout: 60)
            )
            #expect(outcome.termination == .exited(0))
            // The calling thread's mask is as before, and no SIGPIPE is left pending for it.
            var mask = sigset_t()
            pthread_sigmask(SIG_SETMASK, nil, &mask)
            #expect(sigismember(&mask, SIGPIPE) == 0)
            var pending = sigset_t()
            sigpending(&pending)
            #expect(sigismember(&pending, SIGPIPE) == 0)
        }
    }

    @Test func callerThatBlocksSIGPIPEIsLeftWithoutAPendingOne() throws {
        let scratch = try ScratchDirectory()
        let closesInput = try scratch.script("closes-input", "exec 0<&-; sleep 0.2; exit 0")
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }

        let outcome = HookProcess.run(HookInvocation(
            executable: closesInput, environment: testEnvironment, standardInput: [UInt8](repeating: 0, count: 10 << 20),
            timeout: 60
        ))
        #expect(outcome.termination == .exited(0))
        var mask = sigset_t()
        pthread_sigmask(SIG_SETMASK, nil, &mask)
        #expect(sigismember(&mask, SIGPIPE) == 1)
        var pending = sigset_t()
        sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0)
    }

    // MARK: Output

    @Test func largeOutputIsTruncatedToTheLimitAndReadToTheEnd() {
        let outcome = HookProcess.run(
            HookInvocation(executable: "/usr/bin/head", arguments: ["-c", "10485760", "/dev/zero"], timeout: 120)
        )
        // head got no SIGPIPE: everything was read, the rest discarded.
        #expect(outcome.termination == .exited(0))
        #expect(outcome.standardOutput == [UInt8](repeating: 0, count: 65536))
        #expect(outcome.outputTruncated)
    }

    @Test func errorOutputHasItsOwnLimit() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("errors", "head -c 5000 /dev/zero >&2; printf 1234")
        let outcome = HookProcess.run(
            HookInvocation(executable: hook, environment: testEnvironment, timeout: 60, outputLimit: 1000)
        )
        #expect(outcome.standardError.count == 1000)
        #expect(outcome.standardOutput == Array("1234".utf8))
        #expect(outcome.outputTruncated)
    }

    @Test func outputOfExactlyTheLimitIsNotTruncated() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("exact", "head -c 1000 /dev/zero")
        let outcome = HookProcess.run(
            HookInvocation(executable: hook, environment: testEnvironment, timeout: 60, outputLimit: 1000)
        )
        #expect(outcome.standardOutput.count == 1000)
        #expect(!outcome.outputTruncated)
    }

    // MARK: Environment and arguments

    @Test func environmentIsExactlyWhatWasGiven() {
        setenv("CORDON_TEST_INHERITED", "leaked", 1)
        let environment = [
            ("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), ("LANG", "C.UTF-8"), ("CORDON_ADDRESS", "a b=c\nd $(x) 'q'"),
            ("EMPTY", ""), ("_under_score9", "ü"),
        ]
        let outcome = HookProcess.run(
            HookInvocation(executable: "/usr/bin/env", arguments: ["-0"], environment: environment, timeout: 60)
        )
        #expect(outcome.termination == .exited(0))
        let expected: [UInt8] = environment.flatMap { (name: String, value: String) -> [UInt8] in
            Array("\(name)=\(value)".utf8) + [0]
        }
        #expect(outcome.standardOutput == expected)

        let empty = HookProcess.run(HookInvocation(executable: "/usr/bin/env", arguments: ["-0"], timeout: 60))
        #expect(empty.termination == .exited(0))
        #expect(empty.standardOutput.isEmpty)
    }

    @Test func argumentsAreDeliveredVerbatimAndNeverExecuted() throws {
        let scratch = try ScratchDirectory()
        let marker = scratch.path + "/executed"
        let hook = try scratch.script("argv", #"printf '%s\0' "$0" "$@""#)
        let arguments = [
            "$(touch \(marker))", "`touch \(marker)`", "; touch \(marker)", "| touch \(marker)", "&& touch \(marker)",
            "*", "~", "$HOME", "a b", "", "line\nbreak", "'single' \"double\"", "-n", "--", "ünïcödé", "\\", "%s%n",
        ]
        let outcome = HookProcess.run(
            HookInvocation(executable: hook, arguments: arguments, environment: testEnvironment, timeout: 60)
        )
        #expect(outcome.termination == .exited(0))
        let expected: [UInt8] = ([hook] + arguments).flatMap { (argument: String) -> [UInt8] in Array(argument.utf8) + [0] }
        #expect(outcome.standardOutput == expected)
        #expect(access(marker, F_OK) != 0)
    }

    // MARK: Failing to start

    @Test func missingExecutableFailsWithENOENT() {
        let outcome = HookProcess.run(HookInvocation(executable: "/nonexistent/cordon-hook", timeout: 60))
        #expect(outcome.termination == .failedToStart(ENOENT))
        #expect(outcome.processIdentifier == nil)
        #expect(!outcome.succeeded)
    }

    @Test func nonExecutableFileFailsWithEACCES() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("not-executable", "exit 0", permissions: 0o644)
        #expect(HookProcess.run(HookInvocation(executable: hook, timeout: 60)).termination == .failedToStart(EACCES))
        #expect(HookProcess.run(HookInvocation(executable: scratch.path, timeout: 60)).termination == .failedToStart(EACCES))
    }

    @Test func invalidInvocationsFailWithEINVALWithoutSpawning() throws {
        let scratch = try ScratchDirectory()
        let marker = scratch.path + "/spawned"
        let hook = try scratch.script("marks", "touch '\(marker)'")
        var invalid: [HookInvocation] = []
        for name in ["", "1A", "A-B", "A=B", "A B", "Ä", "A\u{0}B"] {
            invalid.append(HookInvocation(executable: hook, environment: testEnvironment + [(name, "x")], timeout: 60))
        }
        invalid.append(HookInvocation(executable: hook, environment: testEnvironment + [("VALUE", "a\u{0}b")], timeout: 60))
        invalid.append(HookInvocation(executable: hook, environment: testEnvironment + [("PATH", "/bin")], timeout: 60))
        invalid.append(HookInvocation(executable: hook, arguments: ["a\u{0}b"], environment: testEnvironment, timeout: 60))
        invalid.append(HookInvocation(executable: "marks", environment: testEnvironment, timeout: 60))
        invalid.append(HookInvocation(executable: "", environment: testEnvironment, timeout: 60))
        invalid.append(HookInvocation(executable: hook + "\u{0}x", environment: testEnvironment, timeout: 60))
        invalid.append(HookInvocation(executable: hook, environment: testEnvironment, timeout: -1))
        invalid.append(HookInvocation(executable: hook, environment: testEnvironment, timeout: .nan))
        invalid.append(HookInvocation(executable: hook, environment: testEnvironment, timeout: 60, killGrace: .nan))
        invalid.append(HookInvocation(executable: hook, environment: testEnvironment, timeout: 60, outputLimit: -1))
        for invocation in invalid {
            let outcome = HookProcess.run(invocation)
            #expect(outcome.termination == .failedToStart(EINVAL))
            #expect(outcome.processIdentifier == nil)
        }
        #expect(access(marker, F_OK) != 0)
        // The same hook, validly invoked, does run.
        #expect(HookProcess.run(HookInvocation(executable: hook, environment: testEnvironment, timeout: 60)).succeeded)
        #expect(access(marker, F_OK) == 0)
    }

    // MARK: What the child inherits

    @Test func blockedSignalMaskIsNotInherited() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&blocked, signal) }
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }

        let outcome = HookProcess.run(
            HookInvocation(executable: "/usr/bin/grep", arguments: ["^SigBlk:", "/proc/self/status"], timeout: 60)
        )
        #expect(outcome.termination == .exited(0))
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "SigBlk:\t0000000000000000\n")
    }

    @Test func ignoredSignalsAreResetToDefault() throws {
        // SIGHUP ignored process-wide for a moment: harmless for a test process.
        let previous = signal(SIGHUP, SIG_IGN)
        defer { signal(SIGHUP, previous) }
        let outcome = HookProcess.run(
            HookInvocation(executable: "/usr/bin/grep", arguments: ["^SigIgn:", "/proc/self/status"], timeout: 60)
        )
        #expect(outcome.termination == .exited(0))
        let text = String(decoding: outcome.standardOutput, as: UTF8.self)
        let ignored = try #require(UInt64(text.dropFirst("SigIgn:\t".count).prefix(16), radix: 16))
        for signal in [SIGHUP, SIGPIPE, SIGTERM, SIGINT, SIGCHLD] {
            #expect(ignored & (1 << UInt64(signal - 1)) == 0, "signal \(signal) ignored in \(text)")
        }
    }

    @Test func hookRunsInItsOwnSessionAndProcessGroup() throws {
        let outcome = HookProcess.run(HookInvocation(executable: "/bin/cat", arguments: ["/proc/self/stat"], timeout: 60))
        let pid = try #require(outcome.processIdentifier)
        // pid (comm) state ppid pgrp session …; comm may hold spaces, so split after the last ')'.
        let text = String(decoding: outcome.standardOutput, as: UTF8.self)
        let fields = try #require(text.split(separator: ")").last).split(separator: " ")
        #expect(fields.count > 3)
        #expect(pid_t(fields[2]) == pid)
        #expect(pid_t(fields[3]) == pid)
        #expect(getsid(0) != pid)
    }

    @Test func descriptorsWithoutCloseOnExecAreNotInherited() throws {
        let leaked = open("/dev/null", O_RDONLY)
        try #require(leaked >= 0)
        let high: CInt = 200
        try #require(dup2(leaked, high) == high)  // dup2 leaves close-on-exec off.
        defer {
            close(high)
            close(leaked)
        }
        let outcome = HookProcess.run(
            HookInvocation(executable: "/bin/ls", arguments: ["/proc/self/fd/\(high)", "/proc/self/fd/\(leaked)"], timeout: 60)
        )
        #expect(outcome.termination == .exited(2))
        #expect(outcome.standardOutput.isEmpty)
    }
}

// MARK: - Test support

/// What every test script gets: the hook contract's base environment.
let testEnvironment: [(String, String)] = [("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), ("LANG", "C.UTF-8")]

/// A temporary directory for test hooks, removed when released.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/cordon-hook-test.XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: created)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `#!/bin/sh` and `body` to `name` with `permissions`; returns its path.
    ///
    /// A child process (`dd`) writes the file, not this one: a file written here could still be
    /// open in the vfork child of a spawn on another test thread, between its clone and its exec,
    /// and executing it then fails with ETXTBSY.
    func script(_ name: String, _ body: String, permissions: mode_t = 0o755) throws -> String {
        let file = path + "/" + name
        let written = HookProcess.run(HookInvocation(
            executable: "/bin/dd", arguments: ["of=\(file)", "status=none"],
            standardInput: Array(("#!/bin/sh\n" + body + "\n").utf8), timeout: 60
        ))
        guard written.succeeded, chmod(file, permissions) == 0 else { throw POSIXError(.EIO) }
        return file
    }
}

/// Whether `pid` is gone (or only a zombie waiting for an init that may not reap promptly) within
/// `timeout` seconds.
func eventuallyGone(_ pid: pid_t, timeout: Double = 20) -> Bool {
    waitUntil(timeout: timeout) {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass; whether it held.
func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// The SIGPIPE handler when it is not `SIG_DFL` ("ignored" or "handled"), else nil.
func sigpipeDisposition() -> String? {
    var action = sigaction()
    sigaction(SIGPIPE, nil, &action)
    let handler = unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
    switch handler {
    case 0: return nil
    case 1: return "ignored"
    default: return "handled"
    }
}
