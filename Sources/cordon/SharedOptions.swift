import Glibc
import ArgumentParser
import Daemon
import Journal
import Logging

/// `--rules` and `--config`, for every command that evaluates rules.
struct RuleOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp(
        "A rule file or directory (repeatable). Default: the configuration's, else /etc/cordon/rules.",
        valueName: "path"))
    var rulePaths: [String] = []

    @Option(name: .customLong("config"), help: ArgumentHelp(
        "Configuration file. Default: /etc/cordon/cordon.yaml if it exists.", valueName: "file"))
    var configurationPath: String?

    @Option(name: .customLong("data-threshold"), help: ArgumentHelp(
        "Largest field value read, in bytes (longer values are cut). Default: 65536.", valueName: "bytes"))
    var dataThreshold: Int?

    func validate() throws {
        if let dataThreshold, dataThreshold < 64 {
            throw ValidationError("--data-threshold must be at least 64 bytes")
        }
    }

    /// The configuration file's values with the flags on top.
    func configuration() throws(Failure) -> Configuration {
        var configuration = try Configuration.load(path: configurationPath ?? Configuration.defaultPath,
                                                   required: configurationPath != nil)
        if !rulePaths.isEmpty { configuration.rulePaths = rulePaths }
        if let dataThreshold { configuration.dataThreshold = dataThreshold }
        return configuration
    }
}

/// `--directory` or `--file`: the journal to read instead of the local one (`run`, `learn`).
struct JournalSourceOptions: ParsableArguments {
    @Option(name: .customLong("directory"), help: ArgumentHelp(
        "Read the journal files in this directory instead of the local journal.", valueName: "directory"))
    var directory: String?

    @Option(name: .customLong("file"), help: ArgumentHelp(
        "Read this journal file instead of the local journal (repeatable).", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        if directory != nil && !files.isEmpty {
            throw ValidationError("give either --directory or --file, not both")
        }
    }

    /// The journal given, or nil for the local one.
    var source: Journal.Source? {
        if let directory { return .directory(directory) }
        return files.isEmpty ? nil : .files(files)
    }
}

/// Runs a command body; a `Failure` becomes its one-line message on stderr and its exit code.
func reporting(_ body: () throws(Failure) -> Void) throws {
    do {
        try body()
    } catch {
        for line in error.message.split(separator: "\n") {
            printToStandardError("cordon: " + line)
        }
        throw ExitCode(error.status.code)
    }
}

func printToStandardError(_ text: String) {
    var output = StandardError()
    print(text, to: &output)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: STDERR_FILENO) }
    }
}

/// Logging to stderr (the journal, under systemd), bootstrapped once.
enum LogSetup {
    nonisolated(unsafe) private static var done = false

    static func logger(verbose: Bool = false) -> Logger {
        if !done {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = verbose ? .debug : .info
                return handler
            }
            done = true
        }
        return Logger(label: "cordon")
    }
}
