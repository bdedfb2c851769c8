import Journal
import Logging
import Parse

/// The journal entries Cordon writes about itself: reloaded, rules not loaded, stopped. Each has
/// its `MESSAGE_ID` (explained by the message catalog, `journalctl -x`). A failure to write one
/// is logged, never fatal: the daemon's log on stderr says the same.
enum ServiceEntries {
    /// A reload put new rules and configuration into effect.
    static func reloaded(ruleCount: Int, logger: Logger) {
        send([
            JournalField("MESSAGE_ID", CordonMessageID.reloaded),
            JournalField("PRIORITY", "5"),
            JournalField("MESSAGE", "cordon: reloaded; \(ruleCount) rules active"),
            JournalField("CORDON_RULES", String(ruleCount)),
        ], logger: logger)
    }

    /// A reload failed; the rules loaded before stay active. `error` names the file and line.
    static func loadFailed(_ error: String, ruleCount: Int, logger: Logger) {
        let text = Escaping.text(Array(error.utf8), limit: 4096)
        send([
            JournalField("MESSAGE_ID", CordonMessageID.loadFailed),
            JournalField("PRIORITY", "3"),
            JournalField("MESSAGE", "cordon: rules not reloaded, the \(ruleCount) rules loaded before stay active: \(text)"),
            JournalField("CORDON_ERROR", text),
            JournalField("CORDON_RULES", String(ruleCount)),
        ], logger: logger)
    }

    /// The daemon stopped on request, its checkpoint saved.
    static func stopped(entries: Int, alerts: Int, logger: Logger) {
        send([
            JournalField("MESSAGE_ID", CordonMessageID.stopped),
            JournalField("PRIORITY", "5"),
            JournalField("MESSAGE", "cordon: stopped; checkpoint saved after \(entries) entries and \(alerts) alerts"),
            JournalField("CORDON_ENTRIES", String(entries)),
            JournalField("CORDON_ALERTS", String(alerts)),
        ], logger: logger)
    }

    private static func send(_ fields: [JournalField], logger: Logger) {
        do {
            try JournalWriter().send([JournalField("SYSLOG_IDENTIFIER", "cordon")] + fields)
        } catch {
            logger.error("Cannot write to the journal", metadata: ["error": "\(error)"])
        }
    }
}
