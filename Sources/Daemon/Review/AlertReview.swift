import Glibc
import Journal

/// What `cordon alerts` was asked for.
public struct AlertReviewOptions: Sendable {
    /// The journal the alerts are in.
    public var source: Journal.Source = .local
    /// Which alerts.
    public var filter = AlertFilter()
    /// Only the last this many matching alerts; nil for all (10 with `follow`).
    public var lines: Int?
    /// Newest first.
    public var reverse = false
    /// Keep printing new alerts until SIGINT or SIGTERM.
    public var follow = false
    /// How to print.
    public var format: AlertOutputFormat = .short
    /// Colour the short form's levels.
    public var color = false
    /// The terminal's width, to cut the short form's last column to; nil when not a terminal.
    public var terminalWidth: Int?
    /// Whether to say "No alerts." on stderr when none matched (for a terminal).
    public var reportsNoAlerts = false
    /// The uid Cordon writes its entries as; entries from other users are not Cordon's.
    public var writerUserID: UInt32 = 0
    /// Show this alert (short id or the alert's `__CURSOR`) and its source entries.
    public var evidence: String?
    /// Where the source entries are, when not in the alerts' journal.
    public var evidenceSource: Journal.Source?
    /// The largest field value read, in bytes.
    public var dataThreshold = 64 * 1024

    /// Every alert of the local journal, short form, no colour.
    public init() {}
}

/// `cordon alerts`: lists, follows or explains Cordon's alerts in a journal.
public enum AlertReview {
    /// Prints what `options` asks for to stdout; notes (forged entries, missing evidence) to stderr.
    /// - Throws: `Failure` for a journal that cannot be opened or read, an alert that is not there,
    ///   or evidence that is all gone.
    public static func run(_ options: AlertReviewOptions) throws(Failure) {
        // First, before anything could start a thread: the signals `--follow` stops on.
        let signals = options.follow ? try FollowSignals() : nil
        let journal = try JournalOpening.open(options.source, dataThreshold: options.dataThreshold)
        let subject = describe(options.source)
        do {
            let query = try AlertQuery(journal: journal, filter: options.filter, writerUserID: options.writerUserID)
            defer { reportForgedAlerts(query.forgedAlerts, userID: options.writerUserID) }
            if let evidence = options.evidence {
                try showEvidence(evidence, query: query, options: options, subject: subject)
                return
            }
            let actionJournal = try JournalOpening.open(options.source, dataThreshold: options.dataThreshold)
            let actions = ActionQuery(journal: actionJournal, writerUserID: options.writerUserID)
            var forgedActions = 0
            defer { reportForgedActions(forgedActions, userID: options.writerUserID) }

            // Followed actions start before the listing, so none falls between the two.
            let followedActions = options.follow
                ? ActionQuery(journal: try JournalOpening.open(options.source, dataThreshold: options.dataThreshold),
                              writerUserID: options.writerUserID)
                : nil
            try followedActions?.startFollowing()

            let lines = options.lines ?? (options.follow ? 10 : nil)
            var alerts = try query.read(limit: lines).map { ReviewedAlert(entry: $0) }
            forgedActions += try actions.attachActions(to: &alerts)
            if options.reverse { alerts.reverse() }
            write(alerts, options: options)
            if alerts.isEmpty, options.reportsNoAlerts, !options.follow { printError("No alerts.") }
            guard let signals, let followedActions else { return }
            // The latest alerts printed, whose actions are printed as they come.
            var printed = RecentLinks()
            for alert in alerts { printed.insert(alert) }

            // Continue after the newest alert printed (or the end), then wait for more.
            if let newest = alerts.last?.entry.cursor, try query.alert(at: newest) != nil {
                // Positioned at the newest alert printed.
            } else {
                try query.seekToEnd()
            }
            while true {
                switch try journal.wait(timeoutMilliseconds: nil, interrupt: signals.descriptor) {
                case .interrupted:
                    if signals.take() != nil { return }
                case .none:
                    continue
                case .appended, .invalidated:
                    let fresh = try query.readNew().map { ReviewedAlert(entry: $0) }
                    write(fresh, options: options)
                    for alert in fresh { printed.insert(alert) }
                    let (followed, forged) = try followedActions.readNew(linkedTo: printed.identifiers)
                    forgedActions += forged
                    if options.format == .short {
                        for action in followed {
                            printLine(ShortAlertFormat.actionLine(action.note, identifier: action.identifier, realtime: action.realtime))
                        }
                        if !followed.isEmpty { fflush(nil) }
                    }
                }
            }
        } catch let error as JournalError {
            throw Failure(.data, "\(subject): cannot read the journal (\(error)); check that it is a journal and not corrupt")
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(.software, "\(subject): \(error)")
        }
    }

    /// Finds the alert, prints it and the entries behind it.
    private static func showEvidence(_ argument: String, query: AlertQuery, options: AlertReviewOptions,
                                     subject: String) throws -> Void {
        let wanted = argument.lowercased()
        let alert: JournalEntry?
        if AlertIdentifier.isShortIdentifier(wanted) {
            alert = try query.alert(identifier: wanted)
        } else if let cursor = Cursor(argument) {
            alert = try query.alert(at: cursor)
        } else {
            throw Failure(.usage, "--evidence '\(argument)': not an alert id; give the \(AlertIdentifier.length)-digit id "
                + "`cordon alerts` shows, or the alert's __CURSOR")
        }
        guard let alert else {
            throw Failure(.noInput, "--evidence \(argument): no such alert from Cordon in \(subject); "
                + "give an id `cordon alerts` shows for this journal (--directory, --file)")
        }
        var reviewed = [ReviewedAlert(entry: alert)]
        let actionJournal = try JournalOpening.open(options.source, dataThreshold: options.dataThreshold)
        let forgedActions = try ActionQuery(journal: actionJournal, writerUserID: options.writerUserID).attachActions(to: &reviewed)
        reportForgedActions(forgedActions, userID: options.writerUserID)
        write(reviewed, options: options)

        let sourceJournal = try JournalOpening.open(options.evidenceSource ?? options.source, dataThreshold: options.dataThreshold)
        let sourceSubject = describe(options.evidenceSource ?? options.source)
        let cursors = Evidence.cursors(of: alert)
        let lookedUp = Evidence.lookUp(cursors, in: sourceJournal)
        // The entries found, oldest first; the missing ones named in the alert's order.
        for entry in lookedUp.compactMap(\.entry).sorted(by: { $0.realtime < $1.realtime }) {
            switch options.format {
            case .short: printLine(Evidence.shortLine(entry))
            case .json: printLine(EntryJSON.object(entry, pretty: false))
            case .jsonPretty: printLine(EntryJSON.object(entry, pretty: true))
            }
        }
        let missing = lookedUp.filter { $0.entry == nil }
        for item in missing {
            printError("evidence \(item.cursor): not in \(sourceSubject) (vacuumed, or in another journal: --source-directory, --source-file)")
        }
        if cursors.isEmpty {
            throw Failure(.data, "--evidence \(argument): the alert names no source entry (no CORDON_SOURCE_CURSOR)")
        }
        if missing.count == cursors.count {
            throw Failure(.noInput, "--evidence \(argument): none of the \(cursors.count) source entries is in \(sourceSubject); "
                + "they were vacuumed, or give the journal they are in with --source-directory or --source-file")
        }
    }

    /// Prints alerts in the chosen format and flushes (for `--follow` behind a pipe).
    private static func write(_ alerts: [ReviewedAlert], options: AlertReviewOptions) {
        guard !alerts.isEmpty else { return }
        switch options.format {
        case .short:
            let format = ShortAlertFormat(color: options.color, fixedWidths: options.follow, terminalWidth: options.terminalWidth)
            for line in format.lines(alerts) { printLine(line) }
        case .json:
            for alert in alerts { printLine(EntryJSON.object(alert, pretty: false)) }
        case .jsonPretty:
            for alert in alerts { printLine(EntryJSON.object(alert, pretty: true)) }
        }
        fflush(nil)
    }

    private static func reportForgedAlerts(_ count: Int, userID: UInt32) {
        guard count > 0 else { return }
        printError("\(count) \(count == 1 ? "entry" : "entries") claimed to be Cordon alerts but were not written by Cordon "
            + "(uid \(userID), native journal protocol); ignored")
    }

    private static func reportForgedActions(_ count: Int, userID: UInt32) {
        guard count > 0 else { return }
        printError("\(count) \(count == 1 ? "entry" : "entries") claimed to be Cordon action entries but were not written by Cordon "
            + "(uid \(userID), native journal protocol); ignored")
    }

    /// How a journal source is named in messages.
    static func describe(_ source: Journal.Source) -> String {
        switch source {
        case .local: "the local journal"
        case .directory(let path): path
        case .files(let paths): paths.joined(separator: ", ")
        }
    }

    private static func printLine(_ line: String) {
        print(line)
    }

    /// `cordon: <text>` on stderr.
    private static func printError(_ text: String) {
        fflush(nil)
        var line = "cordon: " + text + "\n"
        line.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: STDERR_FILENO) }
    }
}

/// The links of the latest alerts `--follow` printed (at most `capacity`, oldest dropped first), so
/// a long session does not grow without bound.
struct RecentLinks {
    static let capacity = 4096
    /// Link → the alert's short id.
    private(set) var identifiers: [ActionLink: String] = [:]
    private var order: [ActionLink] = []

    mutating func insert(_ alert: ReviewedAlert) {
        if identifiers.updateValue(alert.identifier, forKey: alert.link) == nil { order.append(alert.link) }
        if order.count > Self.capacity {
            let dropped = order.count - Self.capacity / 2
            for link in order.prefix(dropped) { identifiers[link] = nil }
            order.removeFirst(dropped)
        }
    }
}
