import Foundation
import Glibc
import Synchronization

/// The record of every action decided: `actions` in the state directory, one JSON record per
/// line, appended and synced before the step it records takes effect.
///
/// It is what makes actions exactly-once: an intent is synced before its hook is spawned, an
/// outcome after it ended, and a restart runs again what has an intent and no outcome. The
/// daemon and `cordon release` both append to it, each under `flock(2)` on `actions.lock`,
/// and each reads what the other appended before it writes.
public final class ActionLedger: Sendable {
    public let directory: String
    public var path: String { directory + "/actions" }
    private var lockPath: String { directory + "/actions.lock" }
    private let state: Mutex<LedgerState>

    /// Finished actions kept at most when the file is compacted (at open).
    public static let finishedKept = 10_000

    /// Opens (creating) the ledger and reads it.
    /// - Parameter compacting: rewrite it without old finished actions (the daemon does, at start).
    /// - Throws: `LedgerError` when the state directory cannot be read or written.
    public init(directory: String, compacting: Bool = false) throws(LedgerError) {
        self.directory = directory
        state = Mutex(LedgerState())
        try withFileLock { () throws(LedgerError) in
            try state.withLock { state throws(LedgerError) in
                try state.read(from: path)
                if compacting { try state.compact(path: path, keep: Self.finishedKept) }
            }
        }
    }

    /// Appends records (synced), after reading what another process appended. Applies them.
    /// - Throws: `LedgerError` when the file cannot be written; nothing may then be run.
    func append(_ records: [LedgerRecord]) throws(LedgerError) {
        try withFileLock { () throws(LedgerError) in
            try state.withLock { state throws(LedgerError) in
                try state.read(from: path)
                try state.append(records, to: path)
            }
        }
    }

    /// Reads what another process (`cordon release`) appended.
    public func refresh() throws(LedgerError) {
        try withFileLock { () throws(LedgerError) in
            try state.withLock { state throws(LedgerError) in try state.read(from: path) }
        }
    }

    /// Every action, oldest decision first.
    public var records: [ActionRecord] {
        state.withLock { state in state.order.compactMap { state.actions[$0] } }
    }

    /// The action with this id.
    public func record(_ id: String) -> ActionRecord? {
        state.withLock { $0.actions[id] }
    }

    /// Whether this action id was decided already (before a restart, say).
    public func contains(_ id: String) -> Bool {
        state.withLock { $0.actions[id] != nil }
    }

    /// Whether `action` is in place (or being applied) for `key` on `machine` (a remote host's
    /// machine id; nil: this machine).
    public func isActive(action: String, key: String, machine: String? = nil) -> Bool {
        state.withLock { $0.activeKeys.contains(LedgerState.slot(action, key, machine)) }
    }

    /// The entry time of the latest alert `action` was decided for with `key` on `machine`.
    public func lastDecision(action: String, key: String, machine: String? = nil) -> UInt64? {
        state.withLock { $0.lastDecision[LedgerState.slot(action, key, machine)] }
    }

    /// Enforced actions whose alert came at or after `realtime` (µs of entry time).
    public func enforcedCount(since realtime: UInt64) -> Int {
        state.withLock { state in state.enforcedTimes.reduce(0) { $0 + ($1 >= realtime ? 1 : 0) } }
    }

    /// Takes the exclusive lock on `actions.lock` around `body`: no other process appends meanwhile.
    private func withFileLock<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LedgerError(path: lockPath, errno: Glibc.errno, doing: "open") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard Glibc.errno == EINTR else { throw LedgerError(path: lockPath, errno: Glibc.errno, doing: "lock") }
        }
        return try body()
    }
}

/// The ledger file could not be read or written.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public let doing: String
    public var description: String { "cannot \(doing) \(path): \(String(cString: strerror(errno)))" }
}

/// The ledger's contents in memory, and the file position read up to.
struct LedgerState: Sendable {
    var actions: [String: ActionRecord] = [:]
    var order: [String] = []
    /// `action\0key` (`action\0key\0machine` for a remote host) of actions applying, applied or releasing.
    var activeKeys: Set<String> = []
    var lastDecision: [String: UInt64] = [:]
    /// Entry times of enforced decisions, for the budget.
    var enforcedTimes: [UInt64] = []
    /// The file's identity and the bytes read of it: another process appends; compaction replaces it.
    var readOffset = 0
    var inode: UInt64 = 0
    /// Lines that could not be parsed (a torn last line after a crash, or damage).
    var unreadableLines = 0

    static func slot(_ action: String, _ key: String, _ machine: String?) -> String {
        action + "\u{0}" + key + (machine.map { "\u{0}" + $0 } ?? "")
    }

    /// The slot of a recorded action: its action, key and target machine.
    static func slot(_ record: ActionRecord) -> String { slot(record.action, record.key, record.targetMachineID) }

    /// Reads the file from where it was read up to (from the start if it was replaced).
    mutating func read(from path: String) throws(LedgerError) {
        let descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LedgerError(path: path, errno: Glibc.errno, doing: "open") }
        defer { close(descriptor) }
        var information = stat()
        guard fstat(descriptor, &information) == 0 else { throw LedgerError(path: path, errno: Glibc.errno, doing: "read") }
        if UInt64(information.st_ino) != inode || information.st_size < readOffset {
            self = LedgerState()
            inode = UInt64(information.st_ino)
        }
        let size = Int(information.st_size)
        guard size > readOffset else { return }
        var bytes = [UInt8](repeating: 0, count: size - readOffset)
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, $0.count - done, off_t(readOffset + done)) }
            if count < 0, Glibc.errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        // Only whole lines: a line still being written (or torn by a crash) is read later, or never.
        guard let lastNewline = bytes[..<done].lastIndex(of: UInt8(ascii: "\n")) else { return }
        let decoder = JSONDecoder()
        for line in bytes[...lastNewline].split(separator: UInt8(ascii: "\n")) {
            guard let record = try? decoder.decode(LedgerRecord.self, from: Data(line)) else {
                unreadableLines += 1
                continue
            }
            apply(record)
        }
        readOffset += lastNewline + 1
    }

    /// Appends and syncs, then applies.
    mutating func append(_ records: [LedgerRecord], to path: String) throws(LedgerError) {
        var bytes = Self.lines(records)
        guard !bytes.isEmpty else { return }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LedgerError(path: path, errno: Glibc.errno, doing: "open") }
        defer { close(descriptor) }
        // A torn line from a crash mid-write must not swallow the next record.
        var information = stat()
        if fstat(descriptor, &information) == 0, Int(information.st_size) > readOffset {
            bytes.insert(UInt8(ascii: "\n"), at: 0)
        }
        guard Self.writeAll(bytes, to: descriptor) else { throw LedgerError(path: path, errno: Glibc.errno, doing: "write") }
        guard fsync(descriptor) == 0 else { throw LedgerError(path: path, errno: Glibc.errno, doing: "sync") }
        for record in records { apply(record) }
        if fstat(descriptor, &information) == 0 { readOffset = Int(information.st_size) }
    }

    /// Rewrites the file with the active actions and the latest `keep` finished ones.
    mutating func compact(path: String, keep: Int) throws(LedgerError) {
        let finished = order.filter { actions[$0]?.isActive == false }
        guard finished.count > keep || unreadableLines > 0 else { return }
        let dropped = Set(finished.dropLast(keep))
        var kept = LedgerState()
        var lines: [LedgerRecord] = []
        for id in order where !dropped.contains(id) {
            guard let record = actions[id] else { continue }
            lines += record.replay
        }
        for line in lines { kept.apply(line) }
        let bytes = Self.lines(lines)
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LedgerError(path: temporary, errno: Glibc.errno, doing: "write") }
        let written = Self.writeAll(bytes, to: descriptor)
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written, synced, rename(temporary, path) == 0 else {
            throw LedgerError(path: path, errno: Glibc.errno, doing: "compact")
        }
        var information = stat()
        guard stat(path, &information) == 0 else { throw LedgerError(path: path, errno: Glibc.errno, doing: "read") }
        kept.inode = UInt64(information.st_ino)
        kept.readOffset = Int(information.st_size)
        self = kept
    }

    /// The records as JSON lines.
    static func lines(_ records: [LedgerRecord]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for record in records {
            guard let data = try? encoder.encode(record) else { continue }
            bytes += data
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// Writes every byte (retrying after EINTR and short writes); false on an error, with errno set.
    static func writeAll(_ bytes: [UInt8], to descriptor: CInt) -> Bool {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, Glibc.errno == EINTR { continue }
            guard count > 0 else { return false }
            written += count
        }
        return true
    }

    /// Applies one record. Applying a record twice changes nothing.
    mutating func apply(_ record: LedgerRecord) {
        switch (record.kind, record.verb) {
        case (.intent, .apply):
            guard actions[record.id] == nil, let action = ActionRecord(intent: record) else { return }
            actions[record.id] = action
            order.append(record.id)
            let slot = Self.slot(action)
            activeKeys.insert(slot)
            lastDecision[slot] = max(lastDecision[slot] ?? 0, action.alertRealtime)
            if action.mode == .enforce { enforcedTimes.append(action.alertRealtime) }
        case (.intent, .release):
            guard var action = actions[record.id], action.status == .applied || action.status == .releasing else { return }
            action.status = .releasing
            action.releasedBy = record.by
            actions[record.id] = action
        case (.outcome, .apply):
            guard var action = actions[record.id], action.status == .applying else { return }
            action.detail = record.detail
            switch record.result {
            case .applied:
                action.status = .applied
                action.appliedAt = record.at
                action.expiresAt = action.timeToLive.map { record.at &+ $0 }
            case .wouldRun: action.status = .wouldRun
            case .skipped:
                action.status = .skipped
                // A skipped decision does not spend the budget.
                if action.mode == .enforce, let index = enforcedTimes.lastIndex(of: action.alertRealtime) {
                    enforcedTimes.remove(at: index)
                }
            default: action.status = .failed
            }
            actions[record.id] = action
            if action.status != .applied { activeKeys.remove(Self.slot(action)) }
        case (.outcome, .release):
            guard var action = actions[record.id], action.status == .releasing || action.status == .applied else { return }
            action.detail = record.detail
            if record.result == .released {
                action.status = .released
                action.releasedAt = record.at
                activeKeys.remove(Self.slot(action))
            } else {
                // Still in place: a TTL release is tried again in five minutes.
                action.status = .applied
                if action.releasedBy == "ttl" { action.expiresAt = record.at &+ 300_000_000 }
            }
            actions[record.id] = action
        }
    }
}

extension ActionRecord {
    /// Records that rebuild this action's state (for compaction).
    var replay: [LedgerRecord] {
        var records = [intentRecord]
        func outcome(_ verb: ActionVerb, _ result: ActionResult, at: UInt64?) -> LedgerRecord {
            LedgerRecord(kind: .outcome, id: id, verb: verb, at: at ?? decidedAt, result: result, detail: detail)
        }
        switch status {
        case .applying: break
        case .applied:
            records.append(outcome(.apply, .applied, at: appliedAt))
        case .releasing:
            records.append(outcome(.apply, .applied, at: appliedAt))
            records.append(LedgerRecord(kind: .intent, id: id, verb: .release, at: decidedAt, by: releasedBy))
        case .released:
            records.append(outcome(.apply, .applied, at: appliedAt))
            records.append(LedgerRecord(kind: .intent, id: id, verb: .release, at: decidedAt, by: releasedBy))
            records.append(outcome(.release, .released, at: releasedAt))
        case .failed: records.append(outcome(.apply, .failed, at: nil))
        case .wouldRun: records.append(outcome(.apply, .wouldRun, at: nil))
        case .skipped: records.append(outcome(.apply, .skipped, at: nil))
        }
        return records
    }
}
