import CSystemd
import Glibc

/// A read handle on the journal: the local one, a directory, or a set of files.
///
/// A thin layer over `sd_journal`. An `sd_journal*` is not thread-safe, so a `Journal` is not
/// `Sendable`: one thread opens it, reads it and closes it.
public final class Journal {
    /// Which journal files to read.
    public enum Source: Sendable, Equatable {
        /// The local machine's journal (`sd_journal_open` with `SD_JOURNAL_LOCAL_ONLY`).
        case local
        /// Every journal file in a directory, e.g. what `systemd-journal-remote` writes
        /// (`sd_journal_open_directory`).
        case directory(String)
        /// These journal files (`sd_journal_open_files`).
        case files([String])
    }

    /// What `wait` saw.
    public enum Change: Sendable, Equatable {
        /// Nothing changed before the timeout (`SD_JOURNAL_NOP`).
        case none
        /// Entries were appended (`SD_JOURNAL_APPEND`).
        case appended
        /// Files were added, removed or rotated (`SD_JOURNAL_INVALIDATE`): re-seek to the last cursor.
        case invalidated
        /// The interrupt descriptor became readable (a signal arrived).
        case interrupted
    }

    /// The `sd_journal*`; `Journal+Entry.swift` reads through it too.
    let handle: OpaquePointer
    /// The largest field value copied into an entry, in bytes.
    public let dataThreshold: Int
    /// The descriptor `wait` polls, from `sd_journal_get_fd`; -1 until first needed.
    private var descriptor: CInt = -1

    /// Opens a journal.
    /// - Parameters:
    ///   - source: what to open.
    ///   - dataThreshold: the largest field value kept, in bytes; longer values are cut
    ///     (`sd_journal_set_data_threshold` plus a cut of our own, as the C call only limits
    ///     compressed fields).
    /// - Throws: `JournalError` naming the failed call.
    public init(source: Source, dataThreshold: Int = 64 * 1024) throws(JournalError) {
        var pointer: OpaquePointer?
        switch source {
        case .local:
            try check("sd_journal_open", sd_journal_open(&pointer, CInt(SD_JOURNAL_LOCAL_ONLY)))
        case .directory(let path):
            try check("sd_journal_open_directory", sd_journal_open_directory(&pointer, path, 0))
        case .files(let paths):
            try check("sd_journal_open_files", Self.withCStringArray(paths) { sd_journal_open_files(&pointer, $0, 0) })
        }
        guard let pointer else { throw JournalError(call: "sd_journal_open", errno: .noSuchFileOrDirectory) }
        handle = pointer
        self.dataThreshold = max(dataThreshold, 64)
        do {
            try check("sd_journal_set_data_threshold", sd_journal_set_data_threshold(handle, self.dataThreshold))
        } catch {
            sd_journal_close(handle)
            throw error
        }
    }

    deinit {
        sd_journal_close(handle)
    }

    private static func withCStringArray<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        pointers.append(nil)
        // `!`: the array holds at least the terminating nil, so it has a base address.
        return pointers.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
        }
    }

    // MARK: Where the journal has files

    /// Whether any runtime (`/run/log/journal`) or persistent (`/var/log/journal`) file was opened.
    /// False for a local journal the user may not read. Wraps `sd_journal_has_runtime_files` and
    /// `sd_journal_has_persistent_files`.
    public var hasFiles: Bool {
        sd_journal_has_runtime_files(handle) > 0 || sd_journal_has_persistent_files(handle) > 0
    }

    // MARK: Moving

    /// Moves before the first entry (`sd_journal_seek_head`).
    public func seekHead() throws(JournalError) {
        try check("sd_journal_seek_head", sd_journal_seek_head(handle))
    }

    /// Moves after the last entry (`sd_journal_seek_tail`); `previous()` then reads the last one.
    public func seekTail() throws(JournalError) {
        try check("sd_journal_seek_tail", sd_journal_seek_tail(handle))
    }

    /// Moves to the entry at `cursor`, or the nearest one if it is gone (`sd_journal_seek_cursor`).
    /// Call `next()` to read it, then `test(cursor:)` to learn whether it is the very entry.
    public func seek(to cursor: Cursor) throws(JournalError) {
        try check("sd_journal_seek_cursor", sd_journal_seek_cursor(handle, cursor.rawValue))
    }

    /// Moves to the first entry at or after a realtime timestamp (`sd_journal_seek_realtime_usec`).
    public func seek(toRealtime microseconds: UInt64) throws(JournalError) {
        try check("sd_journal_seek_realtime_usec", sd_journal_seek_realtime_usec(handle, microseconds))
    }

    /// Advances to the next entry (`sd_journal_next`).
    /// - Returns: false at the end of the journal.
    public func next() throws(JournalError) -> Bool {
        try check("sd_journal_next", sd_journal_next(handle)) > 0
    }

    /// Steps back to the previous entry (`sd_journal_previous`).
    /// - Returns: false at the start of the journal.
    public func previous() throws(JournalError) -> Bool {
        try check("sd_journal_previous", sd_journal_previous(handle)) > 0
    }

    /// Whether the current entry is the one at `cursor` (`sd_journal_test_cursor`).
    public func test(cursor: Cursor) throws(JournalError) -> Bool {
        try check("sd_journal_test_cursor", sd_journal_test_cursor(handle, cursor.rawValue)) > 0
    }

    /// Only entries with `field=value` from now on; several values of one field are ORed, several
    /// fields ANDed (`sd_journal_add_match`).
    public func addMatch(field: String, value: String) throws(JournalError) {
        let item = field + "=" + value
        try check("sd_journal_add_match", item.withCString { sd_journal_add_match(handle, $0, 0) })
    }

    /// Drops every match (`sd_journal_flush_matches`).
    public func flushMatches() {
        sd_journal_flush_matches(handle)
    }

    // MARK: Field values

    /// Every value `field` takes in the journal's files, each once, in no particular order
    /// (`sd_journal_query_unique`, `sd_journal_enumerate_available_unique`, `sd_journal_restart_unique`).
    /// Matches do not apply; values longer than `dataThreshold` are cut. Leaves the entry position alone.
    /// - Parameter field: a field name, e.g. `_MACHINE_ID`.
    /// - Returns: the values as bytes, without the `FIELD=` prefix.
    /// - Throws: `JournalError` naming the failed call.
    public func uniqueValues(of field: String) throws(JournalError) -> [[UInt8]] {
        try check("sd_journal_query_unique", sd_journal_query_unique(handle, field))
        defer { sd_journal_restart_unique(handle) }
        let prefix = field.utf8.count + 1
        var values: [[UInt8]] = []
        while true {
            var data: UnsafeRawPointer?
            var length = 0
            guard try check("sd_journal_enumerate_available_unique", sd_journal_enumerate_available_unique(handle, &data, &length)) > 0 else {
                break
            }
            guard let data, length >= prefix else { continue }
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            values.append(Array(bytes[prefix..<min(length, prefix + dataThreshold)]))
        }
        return values
    }

    /// A new random 128-bit id as 32 lower-case hex digits (`sd_id128_randomize`).
    public static func randomID128() throws(JournalError) -> String {
        var id = sd_id128_t()
        try check("sd_id128_randomize", sd_id128_randomize(&id))
        return withUnsafeBytes(of: id.bytes) { ID128(bytes: $0).description }
    }

    // MARK: Waiting

    /// Waits until the journal changes, the timeout passes, or `interrupt` becomes readable.
    ///
    /// Polls the journal's inotify descriptor (`sd_journal_get_fd`) together with `interrupt`
    /// (e.g. a signalfd), then lets sd-journal process what happened (`sd_journal_process`).
    /// No busy loop: an idle journal costs no CPU until the timeout.
    /// - Parameters:
    ///   - timeout: the longest wait in milliseconds; nil waits as long as sd-journal allows.
    ///   - interrupt: a descriptor whose readability ends the wait, or -1.
    public func wait(timeoutMilliseconds timeout: Int?, interrupt: CInt = -1) throws(JournalError) -> Change {
        if descriptor < 0 {
            descriptor = try check("sd_journal_get_fd", sd_journal_get_fd(handle))
        }
        var wanted: Int = timeout ?? -1
        var journalTimeout: UInt64 = 0
        if sd_journal_get_timeout(handle, &journalTimeout) >= 0, journalTimeout != UInt64.max {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let nowMicroseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
            let journalMilliseconds = journalTimeout > nowMicroseconds ? Int((journalTimeout - nowMicroseconds + 999) / 1000) : 0
            wanted = wanted < 0 ? journalMilliseconds : min(wanted, journalMilliseconds)
        }
        var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        if interrupt >= 0 { descriptors.append(pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), CInt(clamping: wanted))
        if ready < 0 {
            let error = Glibc.errno
            if error == EINTR { return .none }
            throw JournalError(call: "poll", errno: .init(rawValue: error))
        }
        if descriptors.count > 1, descriptors[1].revents != 0 { return .interrupted }
        switch try check("sd_journal_process", sd_journal_process(handle)) {
        case CInt(SD_JOURNAL_APPEND): return .appended
        case CInt(SD_JOURNAL_INVALIDATE): return .invalidated
        default: return .none
        }
    }
}
