import ArgumentParser
import Daemon
import Glibc
import Journal
import Rules

extension AlertOutputFormat: ExpressibleByArgument {}
extension Level: ExpressibleByArgument {}

struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List Cordon's alerts from the journal, follow new ones, or show the entries behind one.",
        discussion: """
            Short output: TIME ID HOST LEVEL TITLE ACTION FIELDS, one line per alert, times local. \
            ID is the alert's short id for --evidence. Only entries journald vouches for are listed \
            (native protocol, from --writer-uid); others are counted on stderr. Nothing matched: no \
            output, exit 0 ("No alerts." on stderr when stdout is a terminal). \
            TIME: 'YYYY-MM-DD [HH:MM[:SS]]', ISO 8601 ('2026-11-26T13:00:00Z'), today, yesterday, now, \
            -2h, -30min, '2h ago'; local time unless an offset is given.
            """
    )

    enum ColorChoice: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    // Unconditional: `--since -2h` is a time, not an option.
    @Option(parsing: .unconditional, help: ArgumentHelp("Only alerts at or after TIME.", valueName: "time"))
    var since: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Only alerts at or before TIME.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("A rule id, or part of a rule title (case-insensitive); repeatable.", valueName: "id-or-title"))
    var rule: [String] = []

    @Option(help: ArgumentHelp("Only this level and above.", valueName: "level"))
    var level: Level?

    @Option(help: ArgumentHelp("Only alerts about this host (CORDON_HOST); repeatable.", valueName: "name"))
    var host: [String] = []

    @Flag(help: "Only alerts whose source journald vouched for (CORDON_TRUSTED=1).")
    var trusted = false

    @Option(name: [.customShort("n"), .customLong("lines")], help: ArgumentHelp("Only the last N matching alerts. Default: all (10 with --follow).", valueName: "n"))
    var lines: Int?

    @Flag(name: [.customShort("r"), .customLong("reverse")], help: "Newest first.")
    var reverse = false

    @Flag(name: [.customShort("f"), .customLong("follow")], help: "After the last alerts, print new ones as they come, until SIGINT or SIGTERM.")
    var follow = false

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Output format: short, json (one object per line) or json-pretty.", valueName: "format"))
    var format: AlertOutputFormat = .short

    @Option(help: ArgumentHelp("Colour levels: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Option(help: ArgumentHelp("Show this alert (its short id or its __CURSOR) and the source entries behind it.", valueName: "alert"))
    var evidence: String?

    @Option(name: .customLong("source-directory"), help: ArgumentHelp("With --evidence: the source entries are in this journal directory (e.g. /var/log/journal/remote).", valueName: "directory"))
    var sourceDirectory: String?

    @Option(name: .customLong("source-file"), help: ArgumentHelp("With --evidence: the source entries are in this journal file (repeatable).", valueName: "file"))
    var sourceFiles: [String] = []

    @Option(name: .customLong("directory"), help: ArgumentHelp("Read the journal files in this directory instead of the local journal.", valueName: "directory"))
    var directory: String?

    @Option(name: .customLong("file"), help: ArgumentHelp("Read this journal file instead of the local journal (repeatable).", valueName: "file"))
    var files: [String] = []

    @Option(name: .customLong("writer-uid"), help: ArgumentHelp("The uid Cordon runs as; alerts from other users are not Cordon's.", valueName: "uid"))
    var writerUserID: UInt32 = 0

    @Option(name: .customLong("data-threshold"), help: ArgumentHelp("Largest field value read, in bytes.", valueName: "bytes"))
    var dataThreshold: Int = 64 * 1024

    func validate() throws {
        if directory != nil && !files.isEmpty { throw ValidationError("give --directory or --file, not both") }
        if sourceDirectory != nil && !sourceFiles.isEmpty { throw ValidationError("give --source-directory or --source-file, not both") }
        if (sourceDirectory != nil || !sourceFiles.isEmpty) && evidence == nil {
            throw ValidationError("--source-directory and --source-file go with --evidence")
        }
        if let lines, lines < 0 { throw ValidationError("--lines must be 0 or more") }
        if follow && (until != nil || reverse || evidence != nil) {
            throw ValidationError("--follow does not go with --until, --reverse or --evidence")
        }
        if dataThreshold < 64 { throw ValidationError("--data-threshold must be at least 64 bytes") }
    }

    func run() throws {
        try reporting { () throws(Failure) in
            var options = AlertReviewOptions()
            options.source = directory.map { .directory($0) } ?? (files.isEmpty ? .local : .files(files))
            if let sourceDirectory { options.evidenceSource = .directory(sourceDirectory) }
            if !sourceFiles.isEmpty { options.evidenceSource = .files(sourceFiles) }
            let now = realtimeMicroseconds()
            options.filter.since = try since.map { text throws(Failure) in try time(text, option: "--since", now: now) }
            options.filter.until = try until.map { text throws(Failure) in try time(text, option: "--until", now: now) }
            options.filter.rules = rule
            options.filter.minimumLevel = level
            options.filter.hosts = host
            options.filter.trustedOnly = trusted
            options.lines = lines
            options.reverse = reverse
            options.follow = follow
            options.format = format
            options.evidence = evidence
            options.writerUserID = writerUserID
            options.dataThreshold = dataThreshold
            let terminal = isatty(STDOUT_FILENO) == 1
            options.color = switch color {
            case .always: true
            case .never: false
            case .auto: terminal && getenv("TERM").map { String(cString: $0) != "dumb" } == true
                && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
            }
            options.terminalWidth = terminal ? terminalWidth() : nil
            options.reportsNoAlerts = terminal
            try AlertReview.run(options)
        }
    }

    /// `--since`/`--until` text as µs since the epoch, or the one-line usage error.
    private func time(_ text: String, option: String, now: UInt64) throws(Failure) -> UInt64 {
        do {
            return try TimeSpecification.microseconds(parsing: text, now: now)
        } catch {
            throw Failure(.usage, "\(option) '\(text)': not a time; use \(TimeSpecification.acceptedForms)")
        }
    }

    /// The terminal's columns (TIOCGWINSZ), else COLUMNS, else 80.
    private func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }), columns > 0 { return columns }
        return 80
    }
}
