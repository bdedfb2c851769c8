import Foundation
import Glibc

/// A Debian container with systemd as its PID 1 (`scripts/container.sh`), where hooks meet a real
/// service manager, logind and an `/etc/passwd` that is not this machine's. The repository's
/// `hooks/` is bound read-only at `/usr/lib/cordon/hooks`; whatever a test changes inside lives in
/// a tmpfs overlay and is gone when the container stops.
struct HookContainer: Sendable {
    /// The container's PID 1 as this machine sees it.
    let pid1: Int32

    /// Where the hooks are inside.
    static let hooks = "/usr/lib/cordon/hooks"

    /// The environment the daemon gives every hook (the contract), before the hook's own variables.
    static let contractEnvironment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"]

    /// One container for the whole test process, booted on first use. It is stopped by an `atexit`
    /// handler when the process exits normally, and by the script's watchdog (`--owner`) within a
    /// second when the process dies any other way; `--lifetime` caps it in any case.
    static let shared: Result<HookContainer, FixtureError> = {
        let result: CommandResult
        do {
            result = try runCommand([Paths.packageRoot + "/scripts/container.sh", "boot",
                                     "--owner", String(getpid()), "--lifetime", "1800"])
        } catch {
            return .failure(FixtureError(message: "scripts/container.sh boot: \(error)"))
        }
        guard result.status == 0,
              let pid1 = Int32(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            return .failure(FixtureError(message: "scripts/container.sh boot exited \(result.status): \(result.standardError)"))
        }
        atexit { HookContainer.stopShared() }
        return .success(HookContainer(pid1: pid1))
    }()

    /// The shared container, booting it if this is the first use.
    static func boot() throws -> HookContainer { try shared.get() }

    /// Stops the shared container if it was booted; safe in an `atexit` handler (no Foundation
    /// processes, no threads).
    static func stopShared() {
        if case .success(let container) = shared { container.stop() }
    }

    /// Powers the container off: SIGTERM to its systemd-nspawn (a clean poweroff inside), SIGKILL
    /// after 15 s. Does nothing if the container is already gone.
    func stop() {
        guard let status = try? String(contentsOfFile: "/proc/\(pid1)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("PPid:") }),
              let nspawn = Int32(line.dropFirst("PPid:".count).trimmingCharacters(in: .whitespaces)),
              let name = try? String(contentsOfFile: "/proc/\(nspawn)/comm", encoding: .utf8),
              name.hasPrefix("systemd-nspawn") else { return }
        unlink("/run/cordon-test/containers/\(pid1)")
        kill(nspawn, SIGTERM)
        for _ in 0..<150 {
            if kill(nspawn, 0) != 0 { return }
            usleep(100_000)
        }
        kill(pid1, SIGKILL)
        kill(nspawn, SIGKILL)
    }

    /// Runs a command inside (all of the container's namespaces).
    @discardableResult
    func run(_ arguments: [String], input: Data = Data()) throws -> CommandResult {
        try runCommand(["/usr/bin/nsenter", "-t", String(pid1), "-a"] + arguments, inputFromFile: input)
    }

    /// Runs a shell script inside and returns its standard output; throws when it fails.
    @discardableResult
    func shell(_ script: String) throws -> String {
        let result = try run(["/bin/sh", "-c", script])
        guard result.status == 0 else {
            throw FixtureError(message: "in the container, `\(script)` exited \(result.status): \(result.standardError)")
        }
        return result.standardOutput
    }

    /// Runs a shell script inside and returns its trimmed standard output, whatever its status.
    func output(_ script: String) throws -> String {
        try run(["/bin/sh", "-c", script]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a shipped hook inside the way the daemon does: `HOOK verb`, only the contract's
    /// environment plus `settings`, the alert JSON on stdin.
    func hook(_ name: String, _ verb: String, _ settings: [String: String], alert: String = #"{"CORDON_RULE_ID":"test"}"#) throws -> CommandResult {
        let environment = HookContainer.contractEnvironment + settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try run(["/usr/bin/env", "-i"] + environment + [HookContainer.hooks + "/" + name, verb], input: Data(alert.utf8))
    }
}

/// Runs a command to completion with `input` as its standard input, read from a file rather than
/// a pipe: a hook may exit without reading its stdin (a refusal does), and a write into a pipe
/// whose reader is gone would raise SIGPIPE in the test process.
func runCommand(_ arguments: [String], inputFromFile input: Data) throws -> CommandResult {
    var template = Array("/tmp/cordon-input-XXXXXX".utf8CString)
    let descriptor = mkstemp(&template)
    guard descriptor >= 0 else { throw POSIXError(.EIO) }
    let inputPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { unlink(inputPath) }
    let inputHandle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    try inputHandle.write(contentsOf: input)
    try inputHandle.seek(toOffset: 0)

    return try runCommand(arguments, standardInput: inputHandle)
}
