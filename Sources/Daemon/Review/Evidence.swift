import Journal

/// The source entries behind an alert: `CORDON_SOURCE_CURSOR` and every cursor in
/// `CORDON_EVIDENCE` (a correlation's entries), looked up by cursor.
enum Evidence {
    /// The alert's source cursors, each once, in the order the alert gives them.
    static func cursors(of alert: JournalEntry) -> [String] {
        var cursors: [String] = []
        let listed = [alert.string("CORDON_SOURCE_CURSOR") ?? ""]
            + (alert.string("CORDON_EVIDENCE") ?? "").split(separator: " ").map(String.init)
        for cursor in listed where !cursor.isEmpty && !cursors.contains(cursor) { cursors.append(cursor) }
        return cursors
    }

    /// The entry at each cursor, or nil where the journal no longer has it (vacuumed, rotated
    /// away, or in another journal). Drops the journal's matches.
    static func lookUp(_ cursors: [String], in journal: Journal) -> [(cursor: String, entry: JournalEntry?)] {
        journal.flushMatches()
        return cursors.map { text in
            guard let cursor = Cursor(text) else { return (text, nil) }
            do {
                try journal.seek(to: cursor)
                guard try journal.next(), try journal.test(cursor: cursor) else { return (text, nil) }
                return (text, try journal.entry())
            } catch {
                // A cursor sd-journal cannot parse names no entry it has.
                return (text, nil)
            }
        }
    }

    /// `Nov 26 13:00:01 host identifier[pid]: message`, as `journalctl -o short` prints an entry.
    static func shortLine(_ entry: JournalEntry) -> String {
        let host = entry.string("_HOSTNAME") ?? "localhost"
        let identifier = entry.string("SYSLOG_IDENTIFIER") ?? entry.string("_COMM") ?? "unknown"
        let pid = entry.string("SYSLOG_PID") ?? entry.string("_PID")
        let message = entry.string("MESSAGE") ?? ""
        return LocalTime.syslogText(microseconds: entry.realtime) + " " + ShortAlertFormat.Row.oneLine(host) + " "
            + ShortAlertFormat.Row.oneLine(identifier) + (pid.map { "[\(ShortAlertFormat.Row.oneLine($0))]" } ?? "") + ": "
            + ShortAlertFormat.Row.oneLine(message)
    }
}
