import Journal

/// Signs that the journal was tampered with, read from every entry's metadata in journal order:
/// the wall clock set back, a stretch of a boot with no entries, a boot that ended without a
/// shutdown record, journald restarted, and journald's own records of rotation, vacuuming and
/// replaced files.
///
/// What it covers and what it does not:
/// - Time going backwards: `realtime` more than `backwardsTolerance` before the previous entry
///   of the same boot. A legitimate clock step (NTP at boot, `date -s`) shows up too.
/// - Gaps: more than `gapThreshold` of monotonic time between consecutive entries of one boot.
///   Monotonic time stops during suspend, so a suspended laptop is no gap; but a host that
///   really logs nothing for that long (quiet servers) needs a heartbeat, for example a timer
///   that logs every 30 minutes, or the gap threshold raised.
/// - A boot that ended without a shutdown record: when entries of a new boot start, the previous
///   boot had no trusted `SD_MESSAGE_SHUTDOWN` (logind's "System is powering down/rebooting"),
///   no "Reached target" record (`SD_MESSAGE_UNIT_STARTED`) of a shutdown, power-off, reboot,
///   halt or kexec target, and no "Journal stopped" (`SD_MESSAGE_JOURNAL_STOP`). A crash, a
///   power cut or a hard reset looks the same as entries deleted from the end of the boot.
/// - journald restarted: a trusted "Journal started" (`SD_MESSAGE_JOURNAL_START`) after a
///   "Journal stopped" in the same boot with no shutdown record before it (someone stopped
///   journald, for example to edit its files; also package upgrades).
/// - journald's records, as journald writes them at info level when a client asks (`journalctl
///   --rotate`, often used with `--vacuum-*`): "Received client request to rotate journal",
///   "Vacuuming done, freed …" (unless it freed 0B), and "File … corrupted or uncleanly shut
///   down, renaming and replacing" (a file written behind journald's back, or a crash).
/// - Not covered: `journalctl --vacuum-*` without `--rotate` (journalctl deletes the files
///   itself and logs only to its terminal), `rm` of journal files, journald's own automatic
///   vacuuming (logged at debug level), files edited while journald is stopped unless
///   journald notices, and entries cut out of the middle of a boot shorter than the gap
///   threshold. Those need audit rules on `/var/log/journal` and on running `journalctl`.
/// - Records count only when the caller says journald vouches that systemd wrote them
///   (`isTrusted`): a forged "System is powering down" from `logger` must not hide a missing
///   shutdown.
/// - Memory: the last entry of each of the 16 most recent boots (entries of several boots may
///   be read interleaved; going back to a boot seen before is not a new boot).
public struct JournalTampering: Sendable {
    /// Thresholds.
    public struct Configuration: Sendable, Equatable {
        /// How far `realtime` may go back within a boot before it is a sign, µs (default 5 min).
        public var backwardsTolerance: UInt64
        /// The longest stretch of monotonic time without entries within one boot, µs (default 1 h).
        public var gapThreshold: UInt64

        /// Makes a configuration.
        /// - Parameters:
        ///   - backwardsTolerance: µs `realtime` may go back within a boot (default 5 minutes).
        ///   - gapThreshold: µs of a boot without entries that are a gap (default 1 hour).
        public init(backwardsTolerance: UInt64 = 300_000_000, gapThreshold: UInt64 = 3_600_000_000) {
            self.backwardsTolerance = backwardsTolerance
            self.gapThreshold = gapThreshold
        }
    }

    /// One sign of tampering.
    public enum Sign: Sendable, Equatable {
        /// `realtime` went back by more than the tolerance between two entries of one boot.
        case clockWentBackwards(boot: ID128, from: UInt64, to: UInt64, previousCursor: Cursor?, cursor: Cursor)
        /// No entries for `duration` µs of monotonic time between two entries of one boot
        /// (`from` and `to` are their entry times).
        case gap(boot: ID128, duration: UInt64, from: UInt64, to: UInt64, previousCursor: Cursor?, cursor: Cursor)
        /// A new boot's entries start and the previous boot's have no shutdown record;
        /// `lastRealtime` and `lastCursor` are the previous boot's last entry.
        case bootWithoutShutdown(previousBoot: ID128, lastRealtime: UInt64, lastCursor: Cursor?,
                                 boot: ID128, realtime: UInt64, cursor: Cursor)
        /// journald started again within a boot after it stopped without a shutdown.
        case journaldRestarted(boot: ID128, realtime: UInt64, cursor: Cursor)
        /// journald was asked to rotate its files (`journalctl --rotate`).
        case rotationRequested(realtime: UInt64, cursor: Cursor)
        /// journald deleted archived journal files; `message` is its record (at most 512 bytes).
        case journalsVacuumed(realtime: UInt64, cursor: Cursor, message: [UInt8])
        /// journald found a journal file corrupted and replaced it; `message` as above.
        case journalFileReplaced(realtime: UInt64, cursor: Cursor, message: [UInt8])
    }

    /// What is remembered of one boot.
    struct Boot: Sendable {
        var realtime: UInt64
        var monotonic: UInt64
        /// The boot's last entry's cursor, when it was read (`observe` with a cursor reads them all).
        var cursor: Cursor?
        /// A trusted shutdown record was seen (and no "Journal started" after it).
        var shutdownSeen = false
        /// A trusted "Journal stopped" was seen (and no "Journal started" after it).
        var journalStopped = false
    }

    /// How many boots are remembered.
    static let maximumBoots = 16

    /// The thresholds in use.
    public let configuration: Configuration
    /// Recent boots, least recently seen first.
    var boots = RecencyTable<ID128, Boot>(capacity: maximumBoots)
    /// The boot of the previous entry.
    var currentBoot: ID128?

    /// Starts with no entries seen.
    /// - Parameter configuration: the thresholds.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Takes the next entry in journal order; appends the signs it shows.
    /// - Parameters:
    ///   - realtime: `__REALTIME_TIMESTAMP`, µs since the epoch.
    ///   - monotonic: `__MONOTONIC_TIMESTAMP`, µs since the boot.
    ///   - boot: `_BOOT_ID`.
    ///   - cursor: the entry's cursor.
    ///   - messageID: `MESSAGE_ID`, if the entry has one.
    ///   - message: `MESSAGE`, if the entry has one.
    ///   - isTrusted: whether journald vouches that systemd wrote the entry (PID 1, logind or
    ///     journald itself, from trusted fields); only then do its records count.
    ///   - signs: where signs are appended.
    public mutating func observe(realtime: UInt64, monotonic: UInt64, boot: ID128, cursor: Cursor,
                                 messageID: ArraySlice<UInt8>?, message: ArraySlice<UInt8>?, isTrusted: Bool,
                                 into signs: inout [Sign]) {
        observe(realtime: realtime, monotonic: monotonic, boot: boot, readCursor: { cursor }, keepsCursors: true,
                messageID: messageID, message: message, isTrusted: isTrusted, into: &signs)
    }

    /// Takes the next entry as `observe(…cursor:…)` does, reading its cursor only when it shows
    /// a sign: the daemon's per-entry path, which must not format a cursor per entry. Signs then
    /// name no previous entry's cursor.
    /// - Parameter readCursor: the entry's cursor, or nil when it cannot be read (the sign is then dropped).
    public mutating func observe(realtime: UInt64, monotonic: UInt64, boot: ID128, readCursor: () -> Cursor?,
                                 messageID: ArraySlice<UInt8>?, message: ArraySlice<UInt8>?, isTrusted: Bool,
                                 into signs: inout [Sign]) {
        observe(realtime: realtime, monotonic: monotonic, boot: boot, readCursor: readCursor, keepsCursors: false,
                messageID: messageID, message: message, isTrusted: isTrusted, into: &signs)
    }

    private mutating func observe(realtime: UInt64, monotonic: UInt64, boot: ID128, readCursor: () -> Cursor?,
                                  keepsCursors: Bool, messageID: ArraySlice<UInt8>?, message: ArraySlice<UInt8>?,
                                  isTrusted: Bool, into signs: inout [Sign]) {
        var read: Cursor?? = nil
        func here() -> Cursor? {
            if let known = read { return known }
            let cursor = readCursor()
            read = .some(cursor)
            return cursor
        }
        if let previous = boots.value(forKey: boot) {
            if realtime < previous.realtime, previous.realtime - realtime > configuration.backwardsTolerance, let cursor = here() {
                signs.append(.clockWentBackwards(boot: boot, from: previous.realtime, to: realtime,
                                                 previousCursor: previous.cursor, cursor: cursor))
            }
            if monotonic > previous.monotonic, monotonic - previous.monotonic > configuration.gapThreshold, let cursor = here() {
                signs.append(.gap(boot: boot, duration: monotonic - previous.monotonic, from: previous.realtime,
                                  to: realtime, previousCursor: previous.cursor, cursor: cursor))
            }
            let kept = keepsCursors ? here() : nil
            boots.modify(boot) {
                $0.realtime = realtime
                $0.monotonic = monotonic
                $0.cursor = kept
            }
            boots.touch(boot)
        } else {
            if let currentBoot, let previous = boots.value(forKey: currentBoot),
               !previous.shutdownSeen, !previous.journalStopped, let cursor = here() {
                signs.append(.bootWithoutShutdown(previousBoot: currentBoot, lastRealtime: previous.realtime,
                                                  lastCursor: previous.cursor, boot: boot, realtime: realtime,
                                                  cursor: cursor))
            }
            boots.set(Boot(realtime: realtime, monotonic: monotonic, cursor: keepsCursors ? here() : nil), forKey: boot)
        }
        currentBoot = boot
        guard isTrusted else { return }
        if let messageID, messageID.count == 32 {
            noteRecord(messageID, message: message, boot: boot, realtime: realtime, cursor: here, into: &signs)
        } else if let message {
            noteJournaldMessage(message, realtime: realtime, cursor: here, into: &signs)
        }
    }
}
