import Foundation
import Glibc
import Journal
import Parse

/// Paths of the package and of the `cordon` binary under test.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The `cordon` executable built beside this test bundle.
    static let cordon: String = {
        if let path = ProcessInfo.processInfo.environment["CORDON_BINARY"] { return path }
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("cordon").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return packageRoot + "/.build/debug/cordon"
    }()

    static let shippedRules = packageRoot + "/rules"
    /// Two test rules that alert on every failed SSH password and every sudo failure line (the
    /// shipped pack only counts those in correlations): tests that count alerts per entry load
    /// them beside `shippedRules`.
    static let perEntryRules = packageRoot + "/Tests/Fixtures/per-entry-rules"
    /// `Tests/Fixtures/per-entry-rules/ssh-password-failed.yml`.
    static let perEntryFailedPassword = "6b1d9f0e-3c57-4a2e-8e41-27d5c0f9a6b3"
    /// `Tests/Fixtures/per-entry-rules/sudo-password-failed.yml`.
    static let perEntrySudoFailure = "0e8a5c72-91d4-4b36-a0f7-5d2c8b1e4f90"
    /// The shipped log source mapping, which test rule sets load beside their own rules.
    static let logSources = packageRoot + "/rules/logsources.yml"

    /// A copy of `cordon` that any user can run, for tests that run it as nobody: the checkout
    /// itself may sit below a directory other users cannot enter.
    static let cordonForAnyUser: String = {
        var template = Array("/tmp/cordon-bin-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return cordon }
        let directory = String(cString: made)
        let copy = directory + "/cordon"
        guard (try? FileManager.default.copyItem(atPath: cordon, toPath: copy)) != nil else { return cordon }
        chmod(directory, 0o755)
        chmod(copy, 0o755)
        return copy
    }()

    /// A copy of the shipped rules that any user can read, beside `cordonForAnyUser`.
    static let shippedRulesForAnyUser: String = {
        let copy = (cordonForAnyUser as NSString).deletingLastPathComponent + "/rules"
        if !FileManager.default.fileExists(atPath: copy) {
            try? FileManager.default.copyItem(atPath: shippedRules, toPath: copy)
        }
        return copy
    }()
}

/// What a finished command printed and returned.
struct CommandResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// Runs a command to completion.
@discardableResult
func runCommand(_ arguments: [String], input: Data? = nil) throws -> CommandResult {
    let stdin = Pipe()
    return try runCommand(arguments, standardInput: stdin) {
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
    }
}

/// Runs a command to completion with `standardInput` (a `Pipe` or a `FileHandle`); `started`
/// runs once it has started (to feed a pipe).
func runCommand(_ arguments: [String], standardInput: Any, started: () throws -> Void = {}) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0].hasPrefix("/") ? arguments[0] : "/usr/bin/env")
    process.arguments = arguments[0].hasPrefix("/") ? Array(arguments.dropFirst()) : arguments
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = standardInput
    try process.run()
    // Read both pipes concurrently so a chatty command cannot block on a full pipe.
    nonisolated(unsafe) var outputData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    try started()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         standardOutput: String(decoding: outputData, as: UTF8.self),
                         standardError: String(decoding: errorData, as: UTF8.self))
}

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/cordon-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A random token, to find this test's entries among everything else in the journal.
func uniqueToken() -> String {
    UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
}

/// A `cordon run` process in the background, its stderr in a file.
final class DaemonProcess {
    let process = Process()
    let logPath: String

    /// - Parameters:
    ///   - launcher: a command to run `cordon` under, e.g. `["/usr/bin/unshare", "-n"]` for a
    ///     private network namespace.
    ///   - environment: variables set on top of the test's own environment.
    init(arguments: [String], logPath: String, launcher: [String] = [], environment: [String: String] = [:]) throws {
        self.logPath = logPath
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw POSIXError(.EIO) }
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Paths.cordon)
        process.arguments = Array(launcher.dropFirst()) + (launcher.isEmpty ? [] : [Paths.cordon]) + ["run"] + arguments
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the daemon logged that it started (rules loaded, journal open, positioned).
    func waitUntilStarted(timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains("Cordon started") { return true }
            if !process.isRunning { return false }
            usleep(20_000)
        }
        return false
    }

    func kill(_ signal: Int32) {
        if process.isRunning { Glibc.kill(process.processIdentifier, signal) }
    }

    /// Waits for exit and returns the status.
    @discardableResult
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    func stop() -> Int32 {
        kill(SIGTERM)
        return wait()
    }
}

/// Cordon's alerts in the local journal that carry `field=value`.
func alertEntries(field: String, value: String) throws -> [JournalEntry] {
    try alertEntries([(field, value)])
}

/// Cordon's alerts (any of `CordonMessageID.alerts`) in the local journal that carry all these
/// `field=value` pairs.
func alertEntries(_ matches: [(String, String)]) throws -> [JournalEntry] {
    try cordonEntries(CordonMessageID.alerts.sorted(), matches)
}

/// Cordon's entries with this `MESSAGE_ID` in the local journal that carry all these `field=value` pairs.
func cordonEntries(_ messageID: String, _ matches: [(String, String)]) throws -> [JournalEntry] {
    try cordonEntries([messageID], matches)
}

/// Cordon's entries with any of these `MESSAGE_ID`s in the local journal that carry all these
/// `field=value` pairs, oldest first.
func cordonEntries(_ messageIDs: [String], _ matches: [(String, String)]) throws -> [JournalEntry] {
    let journal = try Journal(source: .local)
    // Matches on one field are alternatives.
    for messageID in messageIDs { try journal.addMatch(field: "MESSAGE_ID", value: messageID) }
    for (field, value) in matches { try journal.addMatch(field: field, value: value) }
    try journal.seekHead()
    var entries: [JournalEntry] = []
    while try journal.next() { entries.append(try journal.entry()) }
    return entries
}

/// Polls `alertEntries` until at least `count` are there or the timeout passes (see `waitForEntries`).
func waitForAlerts(field: String, value: String, count: Int, timeout: Double = 20, pid: Int32? = nil) throws -> [JournalEntry] {
    try waitForEntries(CordonMessageID.alert, field, value, count: count, timeout: timeout, pid: pid)
}

/// Polls for Cordon's entries with `messageID` and `field=value` until at least `count` are there or
/// the timeout passes; only those written at or after `since` (µs) and by process `pid`, if given
/// (another suite may run a daemon on the same journal meanwhile).
func waitForEntries(_ messageID: String, _ field: String, _ value: String, count: Int, timeout: Double = 30,
                    since: UInt64 = 0, pid: Int32? = nil) throws -> [JournalEntry] {
    let deadline = Date().addingTimeInterval(timeout)
    var entries: [JournalEntry] = []
    repeat {
        entries = try cordonEntries(messageID, [(field, value)]).filter {
            $0.realtime >= since && (pid == nil || $0.string("_PID") == String(pid ?? 0))
        }
        if entries.count >= count { return entries }
        usleep(50_000)
    } while Date() < deadline
    return entries
}

/// Entries of the local journal with `field=value`.
func journalEntries(field: String, value: String) throws -> [JournalEntry] {
    let journal = try Journal(source: .local)
    try journal.addMatch(field: field, value: value)
    try journal.seekHead()
    var entries: [JournalEntry] = []
    while try journal.next() { entries.append(try journal.entry()) }
    return entries
}

/// Writes export-format bytes through `systemd-journal-remote` into `directory/name.journal`.
func makeJournal(export: [UInt8], directory: String, name: String = "fixture") throws -> String {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let output = directory + "/" + name + ".journal"
    let result = try runCommand(["/lib/systemd/systemd-journal-remote", "--output=" + output, "-"], input: Data(export))
    guard result.status == 0 else { throw FixtureError(message: result.standardError) }
    return output
}

struct FixtureError: Error { let message: String }

/// One fixture entry in export format, with trusted fields as a remote journal carries them.
func exportEntry(realtime: UInt64, fields: [(String, [UInt8])], boot: String = "5a9e1d0c2b3f4a5e8d7c6b5a49382716",
                 machine: String = fixtureMachineID) -> [JournalField] {
    // journald gives every entry a _MACHINE_ID; `cordon run` on journal files reads by it.
    let machineField = fields.contains { $0.0 == "_MACHINE_ID" } ? [] : [JournalField("_MACHINE_ID", machine)]
    return [JournalField("__REALTIME_TIMESTAMP", String(realtime)),
            JournalField("__MONOTONIC_TIMESTAMP", String(realtime % 1_000_000_000_000)),
            JournalField("_BOOT_ID", boot)] + machineField + fields.map { JournalField($0.0, $0.1) }
}

/// The `_MACHINE_ID` of fixture entries that name none: this machine's, as the entries of its own
/// journal have (actions run for this machine's alerts only, by default).
let fixtureMachineID = ID128.currentMachine?.description ?? "8c1e7a3f5b2d4e6f9a0b1c2d3e4f5a6b"

/// The rule the crash and rotation tests use: an entry whose `field` is `value` and that has a
/// `<field>_SEQ` field starting with `n` (entries carry `n<index>` there, so alerts carry it too).
func markerRule(identifier: String, field: String, value: String) -> String {
    """
    title: Test marker \(value)
    id: \(identifier)
    level: high
    logsource:
        product: linux
    detection:
        marker:
            \(field): \(value)
            \(field)_SEQ|startswith: n
        condition: marker
    """
}
