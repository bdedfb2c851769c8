import ArgumentParser
import Daemon
import Detect
import Journal

struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Learn the anomaly model from journal history, so a new install need not wait out the learning period.",
        discussion: """
            Replays the journal (the local one unless --directory or --file is given) from --since \
            (default: its oldest entry) through the rules and the anomaly detectors (rules/anomaly: \
            rare_category, category_rate, rare_process, rare_login), writing nothing to the journal, \
            and saves the model in the state directory. Learning periods count from the first entry \
            learned: a week of history ends them. With a checkpoint already there, it learns up to \
            the checkpoint's entry and replaces the model, keeping the cursor; otherwise it writes a \
            checkpoint after the last entry learned, where `cordon run` goes on. Stop the daemon first \
            (systemctl stop cordon): it saves its own model with its checkpoint.
            """
    )

    @OptionGroup var rules: RuleOptions

    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "Where the checkpoint and model are kept. Default: /var/lib/cordon.", valueName: "directory"))
    var stateDirectory: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Learn from entries at or after TIME (e.g. -7d).", valueName: "time"))
    var since: String?

    @OptionGroup var journal: JournalSourceOptions

    @Argument(help: ArgumentHelp("Journal files or directories (instead of --directory/--file).", valueName: "file-or-directory"))
    var paths: [String] = []

    func validate() throws {
        if journal.source != nil, !paths.isEmpty {
            throw ValidationError("give --directory, --file or journal paths, not two of them")
        }
    }

    func run() throws {
        try reporting { () throws(Failure) in
            var configuration = try rules.configuration()
            if let stateDirectory { configuration.stateDirectory = stateDirectory }
            var source = journal.source ?? .local
            if !paths.isEmpty { source = .files(try JournalOpening.journalFiles(in: paths)) }
            let start = try since.map { text throws(Failure) in
                do {
                    return try TimeSpecification.microseconds(parsing: text, now: realtimeMicroseconds())
                } catch {
                    throw Failure(.usage, "--since '\(text)': not a time; use \(TimeSpecification.acceptedForms)")
                }
            }
            let report = try Learning(configuration: configuration, source: source, since: start, logger: LogSetup.logger()).run()
            var lines = ["cordon: learned \(report.entries) entries"
                + (report.firstRealtime.map { " from \(AnomalyModel.date($0))" } ?? "")
                + (report.lastRealtime.map { " to \(AnomalyModel.date($0))" } ?? "")
                + ": \(report.categories) message categories"]
            for detector in report.detectors {
                let state: String
                if let end = detector.learningEnds, let last = report.lastRealtime {
                    state = end <= last ? "learning over (ended \(AnomalyModel.date(end)))"
                        : "learning until \(AnomalyModel.date(end)) (entry time)"
                } else {
                    state = "nothing learned yet"
                }
                lines.append("cordon:   \(detector.title): \(state)")
            }
            let position: String = switch report.position {
            case .head: "at the head of the journal"
            case .after(let cursor): "after \(cursor.rawValue)"
            case .at(let cursor): "at \(cursor.rawValue)"
            }
            lines.append("cordon: model saved in \(configuration.stateDirectory)/checkpoint; "
                + (report.keptCheckpoint ? "the checkpoint's cursor is kept (\(position))" : "cordon run goes on \(position)"))
            for line in lines { print(line) }
        }
    }
}
