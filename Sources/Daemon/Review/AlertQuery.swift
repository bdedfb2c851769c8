import Journal
import Parse

/// One alert as `cordon alerts` shows it: the entry (every field, with its cursor), its short id
/// and the actions it triggered.
struct ReviewedAlert: Sendable {
    /// The alert's journal entry.
    let entry: JournalEntry
    /// `AlertIdentifier.short(for:)` of the entry.
    let identifier: String
    /// The action entries linked to the alert, oldest first.
    var actions: [ActionNote]

    init(entry: JournalEntry, actions: [ActionNote] = []) {
        self.entry = entry
        self.identifier = AlertIdentifier.short(for: entry)
        self.actions = actions
    }

    /// What links an action entry to its alert: the alert's source cursor and rule id.
    var link: ActionLink { ActionLink(entry) }
}

/// One action entry linked to an alert (`CORDON_ACTION_*`).
struct ActionNote: Sendable, Equatable {
    /// `CORDON_ACTION_NAME`, e.g. `block-ssh-source`.
    let name: String
    /// `CORDON_ACTION_RESULT`: applied, would-run, skipped, failed or released.
    let result: String
    /// `CORDON_ACTION_KEY`, e.g. the address blocked; nil when the action has none.
    let key: String?
}

/// `CORDON_SOURCE_CURSOR` and `CORDON_RULE_ID`, which alert and action entries share.
struct ActionLink: Hashable {
    let sourceCursor: String
    let ruleIdentifier: String

    init(_ entry: JournalEntry) {
        sourceCursor = entry.string("CORDON_SOURCE_CURSOR") ?? ""
        ruleIdentifier = entry.string("CORDON_RULE_ID") ?? ""
    }
}

/// Reads Cordon's alerts from one journal: the filter as sd-journal matches, so only matching
/// entries are read, then the check that Cordon wrote them.
///
/// Log content is attacker-controlled: anyone may write an entry with an alert's `MESSAGE_ID` and
/// `CORDON_*` fields. Only entries that `OwnEntries` vouches for are returned; the others are
/// counted in `forgedAlerts`.
final class AlertQuery {
    let journal: Journal
    let filter: AlertFilter
    let ownEntries: OwnEntries
    /// Entries that passed the filter and claimed to be alerts but that Cordon did not write.
    private(set) var forgedAlerts = 0

    /// Opens the query and adds the filter's matches.
    /// - Parameters:
    ///   - writerUserID: the uid Cordon writes its entries as.
    init(journal: Journal, filter: AlertFilter, writerUserID: UInt32) throws(JournalError) {
        self.journal = journal
        self.filter = filter
        self.ownEntries = OwnEntries(userID: writerUserID)
        try addMatches()
    }

    /// `MESSAGE_ID` ∈ alert ids ∧ `CORDON_LEVEL` ∈ levels ∧ `CORDON_HOST` ∈ hosts ∧ `CORDON_TRUSTED=1`,
    /// and for `--rule`: (… ∧ `CORDON_RULE_ID` ∈ rules) ∨ (… ∧ `CORDON_RULE_TITLE` ∈ titles that
    /// contain a rule argument), the titles found among the journal's distinct values.
    private func addMatches() throws(JournalError) {
        journal.flushMatches()
        guard !filter.rules.isEmpty else {
            try addCommonMatches()
            return
        }
        try addCommonMatches()
        for rule in filter.rules { try journal.addMatch(field: "CORDON_RULE_ID", value: rule) }
        let titles = try journal.uniqueValues(of: "CORDON_RULE_TITLE")
            .map { String(decoding: $0, as: UTF8.self) }
            .filter { title in filter.rules.contains { AlertFilter.title(title, contains: $0) } }
        guard !titles.isEmpty else { return }
        try journal.addDisjunction()
        try addCommonMatches()
        for title in Set(titles).sorted() { try journal.addMatch(field: "CORDON_RULE_TITLE", value: title) }
    }

    private func addCommonMatches() throws(JournalError) {
        for messageID in CordonMessageID.alerts.sorted() { try journal.addMatch(field: "MESSAGE_ID", value: messageID) }
        for level in filter.levels ?? [] { try journal.addMatch(field: "CORDON_LEVEL", value: level.rawValue) }
        for host in filter.hosts { try journal.addMatch(field: "CORDON_HOST", value: host) }
        if filter.trustedOnly { try journal.addMatch(field: "CORDON_TRUSTED", value: "1") }
    }

    /// The current entry when it is an alert to list; counts forged ones.
    private func currentAlert() throws(JournalError) -> JournalEntry? {
        try judge(journal.entry())
    }

    /// `entry` when it is an alert to list; counts forged ones.
    private func judge(_ entry: JournalEntry) -> JournalEntry? {
        guard filter.accepts(entry) else { return nil }
        guard ownEntries.isOwnAlert(entry) else {
            forgedAlerts += 1
            return nil
        }
        return entry
    }

    /// The matching alerts, oldest first: all of them, or the last `limit` (read backwards from
    /// `--until` or the tail, as journalctl does, so a large journal is not read from the start).
    func read(limit: Int?) throws(JournalError) -> [JournalEntry] {
        var alerts: [JournalEntry] = []
        if let limit {
            guard limit > 0 else { return [] }
            if let until = filter.until, until < UInt64.max { try journal.seek(toRealtime: until + 1) } else { try journal.seekTail() }
            while alerts.count < limit, try journal.previous() {
                let entry = try journal.entry()
                if let since = filter.since, entry.realtime < since { break }
                if let alert = judge(entry) { alerts.append(alert) }
            }
            return alerts.reversed()
        }
        if let since = filter.since { try journal.seek(toRealtime: since) } else { try journal.seekHead() }
        while try journal.next() {
            let entry = try journal.entry()
            if let until = filter.until, entry.realtime > until { break }
            if let alert = judge(entry) { alerts.append(alert) }
        }
        return alerts
    }

    /// Puts the journal after the last matching entry, so `readNew` returns what comes next.
    func seekToEnd() throws(JournalError) {
        try journal.seekTail()
        _ = try journal.previous()
    }

    /// Alerts appended since the last read, oldest first.
    func readNew() throws(JournalError) -> [JournalEntry] {
        var alerts: [JournalEntry] = []
        while try journal.next() {
            if let alert = try currentAlert() { alerts.append(alert) }
        }
        return alerts
    }

    /// The alert at `cursor` (the alert's own `__CURSOR`), or nil when no alert is there.
    func alert(at cursor: Cursor) throws(JournalError) -> JournalEntry? {
        try journal.seek(to: cursor)
        guard try journal.next(), try journal.test(cursor: cursor) else { return nil }
        return try currentAlert()
    }

    /// The alert whose short id is `identifier`, the newest if several are.
    func alert(identifier: String) throws(JournalError) -> JournalEntry? {
        try journal.seekTail()
        while try journal.previous() {
            guard let alert = try currentAlert() else { continue }
            if AlertIdentifier.short(for: alert) == identifier { return alert }
        }
        return nil
    }
}

/// Finds the action entries that alerts triggered, in a journal of their own (the alert query
/// keeps its matches and position).
struct ActionQuery {
    let journal: Journal
    let ownEntries: OwnEntries

    /// - Parameters:
    ///   - writerUserID: the uid Cordon writes its entries as.
    init(journal: Journal, writerUserID: UInt32) {
        self.journal = journal
        self.ownEntries = OwnEntries(userID: writerUserID)
    }

    /// The message ids of action entries, in a fixed order.
    static let messageIDs = CordonMessageID.actions.sorted()

    /// The most alerts whose source cursors become matches; above it every action entry after the
    /// first alert is read.
    static let cursorMatchLimit = 256

    /// Adds to each alert the action entries linked to it (same source cursor and rule id).
    /// - Returns: how many linked entries claimed to be action entries but were not Cordon's.
    func attachActions(to alerts: inout [ReviewedAlert]) throws(JournalError) -> Int {
        guard let first = alerts.map(\.entry.realtime).min() else { return 0 }
        var indices: [ActionLink: [Int]] = [:]
        for (index, alert) in alerts.enumerated() { indices[alert.link, default: []].append(index) }
        journal.flushMatches()
        for messageID in Self.messageIDs { try journal.addMatch(field: "MESSAGE_ID", value: messageID) }
        if indices.count <= Self.cursorMatchLimit {
            for cursor in Set(indices.keys.map(\.sourceCursor)).sorted() {
                try journal.addMatch(field: "CORDON_SOURCE_CURSOR", value: cursor)
            }
        }
        try journal.seek(toRealtime: first)
        return try readLinked(indices) { targets, entry in
            for index in targets { alerts[index].actions.append(ActionNote(entry)) }
        }
    }

    /// Reads on from the journal's position. Each entry whose link `lookup` has and that Cordon
    /// wrote is passed to `body` with the link's value; the others with a known link are forged.
    /// - Returns: how many linked entries were forged.
    private func readLinked<Value>(_ lookup: [ActionLink: Value],
                                   _ body: (Value, JournalEntry) -> Void) throws(JournalError) -> Int {
        var forged = 0
        while try journal.next() {
            let entry = try journal.entry(includingCursor: false)
            guard let value = lookup[ActionLink(entry)] else { continue }
            guard ownEntries.isOwn(entry) else {
                forged += 1
                continue
            }
            body(value, entry)
        }
        return forged
    }

    // MARK: Following

    /// For `--follow`: from now on, only action entries appended after the last one there is.
    func startFollowing() throws(JournalError) {
        journal.flushMatches()
        for messageID in Self.messageIDs { try journal.addMatch(field: "MESSAGE_ID", value: messageID) }
        try journal.seekTail()
        _ = try journal.previous()
    }

    /// The action entries appended since the last call that are linked to one of `identifiers`'
    /// alerts (link → the alert's short id), oldest first, and how many of them were forged.
    func readNew(linkedTo identifiers: [ActionLink: String]) throws(JournalError)
        -> (actions: [(identifier: String, realtime: UInt64, note: ActionNote)], forged: Int) {
        // Take in what inotify saw (new files of a directory), without waiting.
        _ = try journal.wait(timeoutMilliseconds: 0)
        var actions: [(identifier: String, realtime: UInt64, note: ActionNote)] = []
        let forged = try readLinked(identifiers) { identifier, entry in
            actions.append((identifier, entry.realtime, ActionNote(entry)))
        }
        return (actions, forged)
    }
}

extension ActionNote {
    /// The note of an action entry.
    init(_ entry: JournalEntry) {
        self.init(name: entry.string("CORDON_ACTION_NAME") ?? "?", result: entry.string("CORDON_ACTION_RESULT") ?? "?",
                  key: entry.string("CORDON_ACTION_KEY"))
    }
}
