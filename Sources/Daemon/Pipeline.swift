import Glibc
import Alert
import Detect
import Journal
import Logging
import Parse

/// journal entry → event → matches → alerts → sinks, one entry at a time.
///
/// Not thread-safe: owned by the thread that reads the journal.
public final class Pipeline {
    private var engine: Engine
    private let ownEntries: OwnEntries
    private let sinks: [AlertSink]
    private let logger: Logger
    /// Alerts already in the journal from before a restart; each is skipped once, then forgotten.
    private var alreadyWritten: Set<AlertKey>
    private var matches: [Match] = []
    /// The regex limit hit count at which the next warning is logged.
    private var nextRegexWarning = 1
    /// Counters, with the engine's rule counters folded in.
    public var statistics: Statistics {
        var statistics = counters
        statistics.ruleEvaluations = engine.statistics.ruleEvaluations
        statistics.rulesPrefilteredOut = engine.statistics.prefilteredOut
        return statistics
    }
    private var counters = Statistics()

    /// - Parameters:
    ///   - engine: the compiled rules.
    ///   - ownEntries: which entries are Cordon's own (skipped, so alerts never feed back).
    ///   - sinks: where alerts go, in order.
    ///   - alreadyWritten: alerts not to write again (found in the journal on restart).
    public init(engine: Engine, ownEntries: OwnEntries, sinks: [AlertSink],
                alreadyWritten: Set<AlertKey> = [], logger: Logger) {
        self.engine = engine
        self.ownEntries = ownEntries
        self.sinks = sinks
        self.alreadyWritten = alreadyWritten
        self.logger = logger
        matches.reserveCapacity(8)
    }

    /// Processes one entry: returns once every alert for it is written.
    /// - Parameters:
    ///   - entry: the entry, usually read without its cursor.
    ///   - cursor: reads the entry's cursor (`Journal.cursor()`, while the journal is still at the
    ///     entry); called only when `entry` has none and raises an alert, or for a log line. When
    ///     it fails, the entry counts as unreadable and raises no alert.
    /// - Returns: the entry's cursor when the entry raised an alert (written or suppressed), else nil.
    /// - Throws: `Failure` when an alert cannot be written (the entry then counts as not processed).
    @discardableResult
    public func process(_ entry: JournalEntry, cursor: () throws(JournalError) -> Cursor) throws(Failure) -> Cursor? {
        counters.entries += 1
        if ownEntries.isOwn(entry) {
            counters.ownEntriesSkipped += 1
            return nil
        }
        if entry.isTruncated {
            counters.truncatedEntries += 1
            if counters.truncatedEntries == 1 {
                let position = entry.cursor ?? (try? cursor())
                logger.warning("Entry has a field longer than the data threshold; matching on its first bytes (further ones are counted)",
                               metadata: ["journal.cursor": "\(position.map(\.rawValue) ?? "unknown")"])
            }
        }
        if entry.value(of: "MESSAGE") == nil {
            counters.entriesWithoutMessage += 1
        }
        matches.removeAll(keepingCapacity: true)
        engine.evaluate(entry, into: &matches)
        if engine.statistics.regexLimitHits != counters.regexLimitHits {
            counters.regexLimitHits = engine.statistics.regexLimitHits
            let hits = counters.regexLimitHits
            if hits >= nextRegexWarning {
                // The first hit, then every tenfold more: bounded logging however often a pattern trips.
                nextRegexWarning = hits * 10
                logger.warning("A regular expression hit its match limit; counted as no match", metadata: [
                    "rule.id": "\(engine.statistics.lastRegexLimitRule ?? "?")", "regex.limit_hits": "\(hits)",
                    "journal.cursor": "\(entry.cursor.map(\.rawValue) ?? "-")",
                ])
            }
        }
        if matches.isEmpty { return nil }
        // The cursor is read before any alert is written, so a failure here writes none.
        let entryCursor: Cursor
        if let known = entry.cursor {
            entryCursor = known
        } else {
            do {
                entryCursor = try cursor()
            } catch {
                countUnreadable(error)
                return nil
            }
        }
        for match in matches {
            let alert = Alert(match: match, entry: entry, cursor: entryCursor)
            if !alreadyWritten.isEmpty, alreadyWritten.remove(alert.key) != nil {
                counters.duplicatesSuppressed += 1
                continue
            }
            for sink in sinks { try sink.write(alert) }
            counters.alerts += 1
        }
        return entryCursor
    }

    /// Writes to standard output why each rule did or did not match `entry` (`--explain`).
    public func writeExplanation(of entry: JournalEntry) {
        var text = engine.explain(entry).text + "\n"
        text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: STDOUT_FILENO) }
    }

    /// Counts an entry that could not be read at all.
    public func countUnreadable(_ error: JournalError) {
        counters.unreadableEntries += 1
        logger.warning("Skipping an entry that cannot be read", metadata: ["error": "\(error)"])
    }

    /// Records a checkpoint save.
    func countCheckpoint() {
        counters.checkpoints += 1
    }

    /// Flushes every sink.
    public func flush() {
        sinks.forEach { $0.flush() }
    }
}
