import Glibc
import Journal

/// Where processing stands: the cursor of the last entry whose alerts are all written, or of
/// the entry to read again from.
public struct Checkpoint: Sendable, Equatable {
    /// The last fully processed entry.
    public enum Position: Sendable, Equatable {
        /// Nothing processed yet, and the journal was empty: start at its first entry.
        case head
        /// The entry at this cursor and everything before it is done.
        case after(Cursor)
        /// Start again at the entry at this cursor: the first record of an audit event that was
        /// still being assembled. Entries from it on are read again; the alerts they raised
        /// before the save are found in the journal and not written twice.
        case at(Cursor)
    }

    public var position: Position
    /// The correlation state at `position` (`Correlator.snapshot()`), when correlation rules are
    /// loaded: saved in the same file, so cursor and state always go together.
    public var state: [UInt8]?
    /// Wall-clock time of the save, µs since the epoch (for `at`, of the time that entry was
    /// first read). Alerts for entries after `position` were written after this time, which
    /// bounds the search for them on restart.
    public var savedRealtime: UInt64

    public init(position: Position, savedRealtime: UInt64, state: [UInt8]? = nil) {
        self.position = position
        self.savedRealtime = savedRealtime
        self.state = state
    }

    /// The file's bytes: `text`, then for a checkpoint with state (version 2) a line
    /// `state <byte count>` and the state's bytes.
    var bytes: [UInt8] {
        guard let state else { return Array(text.utf8) }
        return Array(text.utf8) + Array("state \(state.count)\n".utf8) + state
    }

    /// The file's text: a version line (2 with state, else 1), then `cursor <cursor>`,
    /// `at <cursor>` or `head`, then `saved <µs>`.
    var text: String {
        let position: String = switch self.position {
        case .head: "head"
        case .after(let cursor): "cursor \(cursor.rawValue)"
        case .at(let cursor): "at \(cursor.rawValue)"
        }
        return "cordon-checkpoint \(state == nil ? 1 : 2)\n\(position)\nsaved \(savedRealtime)\n"
    }

    /// Parses the file's bytes (version 1, or version 2 with state).
    /// - Throws: `Failure` naming the file and line that is wrong.
    static func parse(bytes: [UInt8], path: String) throws(Failure) -> Checkpoint {
        // The text part is the first three lines (four with state); the state's bytes follow.
        var lineEnds: [Int] = []
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lineEnds.append(index)
            if lineEnds.count == 4 { break }
        }
        let isVersion2 = bytes.starts(with: Array("cordon-checkpoint 2\n".utf8))
        guard isVersion2 else { return try parse(String(decoding: bytes, as: UTF8.self), path: path) }
        guard lineEnds.count == 4 else { throw Failure(.data, "\(path): checkpoint file is cut short; \(hint)") }
        var checkpoint = try parse(String(decoding: bytes[..<(lineEnds[2] + 1)], as: UTF8.self), path: path, version: 2)
        let stateLine = String(decoding: bytes[(lineEnds[2] + 1)..<lineEnds[3]], as: UTF8.self)
        guard stateLine.hasPrefix("state "), let count = Int(stateLine.dropFirst(6)), count >= 0,
              bytes.count - (lineEnds[3] + 1) == count
        else { throw Failure(.data, "\(path):4: the correlation state is cut short; \(hint)") }
        checkpoint.state = Array(bytes[(lineEnds[3] + 1)...])
        return checkpoint
    }

    /// What to do about a checkpoint file that cannot be read.
    private static let hint = "delete it to start at the tail of the journal, or restore it from a backup"

    /// Parses the file's text (its first three lines for version 2).
    /// - Throws: `Failure` naming the file and line that is wrong.
    static func parse(_ text: String, path: String, version: Int = 1) throws(Failure) -> Checkpoint {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == "cordon-checkpoint \(version)" else {
            throw Failure(.data, "\(path):1: not a Cordon checkpoint file; \(hint)")
        }
        guard lines.count >= 3 else { throw Failure(.data, "\(path): checkpoint file is cut short; \(hint)") }
        let position: Position
        if lines[1] == "head" {
            position = .head
        } else if lines[1].hasPrefix("cursor "), let cursor = Cursor(String(lines[1].dropFirst(7))) {
            position = .after(cursor)
        } else if lines[1].hasPrefix("at "), let cursor = Cursor(String(lines[1].dropFirst(3))) {
            position = .at(cursor)
        } else {
            throw Failure(.data, "\(path):2: not a journal cursor; \(hint)")
        }
        guard lines[2].hasPrefix("saved "), let saved = UInt64(lines[2].dropFirst(6)) else {
            throw Failure(.data, "\(path):3: not a save time; \(hint)")
        }
        return Checkpoint(position: position, savedRealtime: saved)
    }
}

/// Keeps the checkpoint in the state directory, crash-safely.
public struct CheckpointStore: Sendable {
    public let directory: String
    /// The checkpoint file.
    public var path: String { directory + "/checkpoint" }

    public init(directory: String) {
        self.directory = directory
    }

    /// The saved checkpoint, or nil on a first start.
    /// - Throws: `Failure` when the file is unreadable or corrupt.
    public func load() throws(Failure) -> Checkpoint? {
        switch FileText.readBytes(path, limit: 1 << 30) {
        case .success(let bytes): return try Checkpoint.parse(bytes: bytes, path: path)
        case .failure(let failure) where failure.status == .noInput && access(path, F_OK) != 0: return nil
        case .failure(let failure): throw failure
        }
    }

    /// Creates the state directory (mode 0700) if it is missing.
    public func prepare() throws(Failure) {
        var components: [String] = []
        for part in directory.split(separator: "/") {
            components.append(String(part))
            let prefix = (directory.hasPrefix("/") ? "/" : "") + components.joined(separator: "/")
            if mkdir(prefix, 0o700) != 0, Glibc.errno != EEXIST {
                throw failure("cannot create the state directory \(prefix)", Glibc.errno)
            }
        }
        guard access(directory, W_OK) == 0 else { throw failure("cannot write the state directory \(directory)", Glibc.errno) }
    }

    /// Saves atomically: write a temporary file, fsync it, rename it over the checkpoint, fsync
    /// the directory. After a crash the file holds the old or the new checkpoint, never a mix.
    public func save(_ checkpoint: Checkpoint) throws(Failure) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot write \(temporary)", Glibc.errno) }
        let bytes = checkpoint.bytes
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, Glibc.errno == EINTR { continue }
            guard count > 0 else { break }
            written += count
        }
        let synced = fsync(descriptor)
        let code = Glibc.errno
        close(descriptor)
        guard written == bytes.count, synced == 0 else { throw failure("cannot write \(temporary)", code) }
        guard rename(temporary, path) == 0 else { throw failure("cannot replace \(path)", Glibc.errno) }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private func failure(_ what: String, _ code: Int32) -> Failure {
        let reason = String(cString: strerror(code))
        let status: Failure.ExitStatus = (code == EACCES || code == EPERM || code == EROFS) ? .permission : .cannotCreate
        return Failure(status, "\(what): \(reason); choose a writable --state-dir or run as root")
    }
}

/// The monotonic clock in ms.
func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
}
