import Alert
import Glibc
import Journal
import Logging
import Parse

/// Finds the alerts Cordon already wrote, so a restart after a crash does not write them twice.
///
/// After `kill -9`, entries after the saved cursor are processed again. Their alerts may already be
/// in the journal, or still in journald's socket queue. So first a start marker is written and
/// awaited: journald handles one client's datagrams in order, so once the marker is readable, every
/// alert sent before it is too. Then Cordon's own alerts (see `OwnEntries`) written since the
/// checkpoint was saved are collected by (source cursor, rule id).
enum WrittenAlerts {
    /// Clock slack between Cordon's save time and journald's receive time.
    static let slackMicroseconds: UInt64 = 10_000_000
    /// The most keys kept; more than a checkpoint interval's worth of alerts would be unusual.
    static let limit = 1_000_000

    /// Writes a start marker and waits until it can be read back from the local journal.
    /// - Returns: whether the marker was seen within `timeoutMilliseconds`.
    static func writeStartMarker(summary: String, timeoutMilliseconds: Int, dataThreshold: Int) throws(Failure) -> Bool {
        let instance: String
        do {
            instance = try Journal.randomID128()
            try JournalWriter().send([
                JournalField("MESSAGE_ID", CordonMessageID.started),
                JournalField("PRIORITY", "6"),
                JournalField("SYSLOG_IDENTIFIER", "cordon"),
                JournalField("MESSAGE", "cordon: started; " + summary),
                JournalField("CORDON_INSTANCE", instance),
            ])
        } catch {
            throw Failure(.software, "cannot write to the journal (\(error)); is systemd-journald running?")
        }
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        do {
            let journal = try Journal(source: .local, dataThreshold: dataThreshold)
            try journal.addMatch(field: "CORDON_INSTANCE", value: instance)
            while true {
                try journal.seekTail()
                if try journal.previous() { return true }
                let remaining = deadline - monotonicMilliseconds()
                if remaining <= 0 { return false }
                _ = try journal.wait(timeoutMilliseconds: min(remaining, 100))
            }
        } catch {
            throw Failure(.software, "cannot read back from the local journal (\(error)); run as root or in the systemd-journal group")
        }
    }

    /// Where a restart's search for earlier alerts began, and the newest entry they were raised for.
    ///
    /// A process killed before its checkpoint leaves alerts for entries past that checkpoint. The
    /// next process reads those entries again (suppressing the alerts it finds) and may save a
    /// checkpoint before it gets past them all: that save must keep `since` as its saved time, or
    /// the process after it would search only from then and write those alerts a second time.
    struct Bound: Sendable, Equatable {
        /// The saved time of the checkpoint the search began at (µs).
        let since: UInt64
        /// The newest `CORDON_SOURCE_REALTIME` among the alerts found (µs).
        let newestSource: UInt64

        /// Whether a checkpoint at `position` is past every entry the alerts found were raised for
        /// (by entry time, read from the cursor's `t=`).
        func isPassed(by position: Checkpoint.Position) -> Bool {
            switch position {
            case .head: false
            case .after(let cursor), .at(let cursor): (cursor.realtime ?? 0) > newestSource
            }
        }
    }

    /// Cordon's own alerts found in the local journal.
    struct Found: Sendable {
        /// Their keys: the alerts not to write again.
        var keys = Set<AlertKey>()
        /// The newest `CORDON_SOURCE_REALTIME` among them, per `CORDON_MACHINE_ID` ("" for alerts
        /// without one).
        var newestSource: [String: UInt64] = [:]

        /// The bound a checkpoint saved at `since` must keep until it is past the source entries
        /// of these alerts, of every machine or of `machineID`'s only (nil: none found).
        func bound(since: UInt64, machineID: String? = nil) -> Bound? {
            let newest = machineID.map { newestSource[$0] } ?? newestSource.values.max()
            return newest.map { Bound(since: since, newestSource: $0) }
        }
    }

    /// Cordon's own alerts in the local journal written at or after `sinceRealtime`.
    static func search(since sinceRealtime: UInt64, ownEntries: OwnEntries, dataThreshold: Int) throws(Failure) -> Found {
        var found = Found()
        let start = sinceRealtime > slackMicroseconds ? sinceRealtime - slackMicroseconds : 0
        do {
            let journal = try Journal(source: .local, dataThreshold: dataThreshold)
            // Matches on one field are alternatives: any of the alert ids.
            for messageID in CordonMessageID.alerts.sorted() { try journal.addMatch(field: "MESSAGE_ID", value: messageID) }
            try journal.seekTail()
            while try journal.previous() {
                let entry = try journal.entry(fields: ReadFields.writtenAlerts, includingCursor: false)
                if entry.realtime < start { break }
                guard ownEntries.isOwnAlert(entry),
                      let cursor = entry.string("CORDON_SOURCE_CURSOR"),
                      let rule = entry.string("CORDON_RULE_ID")
                else { continue }
                found.keys.insert(AlertKey(sourceCursor: cursor, ruleIdentifier: rule))
                if let source = entry.string("CORDON_SOURCE_REALTIME").flatMap({ UInt64($0) }) {
                    let machine = entry.string("CORDON_MACHINE_ID") ?? ""
                    found.newestSource[machine] = max(found.newestSource[machine] ?? 0, source)
                }
                if found.keys.count >= limit { break }
            }
        } catch {
            throw Failure(.software, "cannot read Cordon's earlier alerts from the local journal (\(error)); run as root or in the systemd-journal group")
        }
        return found
    }
}
