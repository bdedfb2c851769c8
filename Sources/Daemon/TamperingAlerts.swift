import Alert
import Detect
import Journal
import Parse
import Rules

/// Alerts for the signs of journal tampering `JournalTampering` notices. Each kind of sign has
/// its own rule id (`cordon-journal-<kind>`), documented in rules/CORRELATION.md.
enum TamperingAlerts {
    static func alert(for sign: JournalTampering.Sign, entry: JournalEntry) -> Alert {
        let kind: String, title: String, level: Level, cursor: Cursor, realtime: UInt64
        var group: [(name: String, value: [UInt8])] = []
        var evidence: [Cursor] = []
        func time(_ microseconds: UInt64) -> [UInt8] { Array(Timestamp.iso8601(microseconds: microseconds).utf8) }
        switch sign {
        case let .clockWentBackwards(boot, from, to, previousCursor, at):
            (kind, title, level) = ("clock_backwards", "The journal's clock went back within one boot", .high)
            group = [("Boot", Array(boot.description.utf8)), ("From", time(from)), ("To", time(to))]
            evidence = [previousCursor, at].compactMap { $0 }
            (cursor, realtime) = (at, to)
        case let .gap(boot, duration, from, to, previousCursor, at):
            (kind, title, level) = ("gap", "No journal entries for a long time within one boot", .medium)
            group = [("Boot", Array(boot.description.utf8)), ("From", time(from)), ("To", time(to)),
                     ("Seconds", Array(String(duration / 1_000_000).utf8))]
            evidence = [previousCursor, at].compactMap { $0 }
            (cursor, realtime) = (at, to)
        case let .bootWithoutShutdown(previousBoot, lastRealtime, lastCursor, boot, bootRealtime, at):
            (kind, title, level) = ("boot_without_shutdown", "A boot ended without a shutdown record", .medium)
            group = [("PreviousBoot", Array(previousBoot.description.utf8)), ("LastEntry", time(lastRealtime)),
                     ("Boot", Array(boot.description.utf8))]
            evidence = [lastCursor, at].compactMap { $0 }
            (cursor, realtime) = (at, bootRealtime)
        case let .journaldRestarted(boot, at_realtime, at):
            (kind, title, level) = ("journald_restarted", "journald restarted outside a shutdown", .medium)
            group = [("Boot", Array(boot.description.utf8))]
            evidence = [at]
            (cursor, realtime) = (at, at_realtime)
        case let .rotationRequested(at_realtime, at):
            (kind, title, level) = ("rotation_requested", "Someone asked journald to rotate the journal", .low)
            evidence = [at]
            (cursor, realtime) = (at, at_realtime)
        case let .journalsVacuumed(at_realtime, at, message):
            (kind, title, level) = ("vacuumed", "Journal files were vacuumed on request", .high)
            group = [("Message", message)]
            evidence = [at]
            (cursor, realtime) = (at, at_realtime)
        case let .journalFileReplaced(at_realtime, at, message):
            (kind, title, level) = ("file_replaced", "A journal file was corrupted or not closed cleanly and was replaced", .medium)
            group = [("Message", message)]
            evidence = [at]
            (cursor, realtime) = (at, at_realtime)
        }
        var rule = CorrelationRule(identifier: "cordon-journal-" + kind.replacingUnderscores, title: title, level: level,
                                   kind: .silence, ruleReferences: [], groupBy: group.map(\.name), timespan: 0,
                                   condition: CorrelationRule.Condition(), location: SourceLocation(file: "cordon", line: 1))
        rule.author = "Cordon"
        rule.tags = ["attack.defense-evasion", "attack.t1070.002"]
        let match = CorrelationMatch(rule: rule, group: group, realtime: realtime, cursor: cursor, evidence: evidence,
                                     value: nil, isTrusted: true)
        var alert = Alert(correlation: match, entry: entry)
        alert.correlationType = "journal_" + kind
        alert.messageID = CordonMessageID.tamperingSign
        return alert
    }
}

extension String {
    /// `boot-without-shutdown` for `boot_without_shutdown`.
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
