import Detect
import Glibc
import Parse
import Respond
import Yams

/// Settings of `run` and `replay`: the configuration file's values, then flags on top.
public struct Configuration: Sendable, Equatable {
    /// Rule files and directories.
    public var rulePaths: [String] = ["/etc/cordon/rules"]
    /// Where the checkpoint (cursor) lives.
    public var stateDirectory: String = "/var/lib/cordon"
    /// The largest field value read, in bytes.
    public var dataThreshold: Int = 64 * 1024
    /// The longest time between checkpoint saves while entries flow, in milliseconds.
    public var checkpointIntervalMilliseconds: Int = 1000
    /// The most entries processed between checkpoint saves.
    public var checkpointEntries: Int = 10_000
    /// Values for Sigma `%placeholders%` (the `expand` modifier), by name without the `%`.
    public var placeholders: [String: [String]] = [:]
    /// Limits and timing of audit event assembly.
    public var assembly = AssemblyOptions()
    /// How long `run` lets audit events wait for more records while the journal is idle, in ms.
    public var assemblyIdleMilliseconds = 1000
    /// Groups (keys) each correlation rule or detector holds at most; the least recently
    /// updated is evicted past it. 50,000 keeps the state of a handful of rules under flood
    /// well below 256 MiB (see `make bench`, cardinality).
    public var correlationMaximumGroups = 50_000
    /// Bounds of the learned anomaly model (`anomaly:`): categories in all and per source,
    /// executables, users.
    public var anomalyLimits = AnomalyModel.Limits()
    /// Alert on signs of journal tampering: the clock set back, long gaps, a boot without a
    /// shutdown record, journald restarted, rotation and vacuum requests (rules/CORRELATION.md).
    public var journalTampering = false
    /// Actions alerts trigger, and their guardrails (`response:`; hooks/README.md).
    public var response = ResponseConfiguration()

    /// The configuration file read when `--config` is not given; its absence is not an error.
    public static let defaultPath = "/etc/cordon/cordon.yaml"

    public init() {}

    /// Reads a configuration file.
    ///
    /// Keys: `rules` (a path or a list), `state_directory`, `data_threshold` (bytes),
    /// `checkpoint: {interval_ms, entries}`, `placeholders: {name: [values]}`, `assembly: {timeout_ms,
    /// idle_ms, max_pending_events, max_records_per_event, max_event_bytes, max_pending_bytes, process_table}`.
    /// Unknown keys are errors, so a typo is not silently ignored.
    /// - Parameters:
    ///   - path: the file.
    ///   - required: whether a missing file is an error (true for an explicit `--config`).
    /// - Throws: `Failure` with `file:line`.
    public static func load(path: String, required: Bool) throws(Failure) -> Configuration {
        let text: String
        switch FileText.read(path) {
        case .success(let contents): text = contents
        case .failure(let failure):
            if !required, failure.status == .noInput { return Configuration() }
            throw failure
        }
        var configuration = Configuration()
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Failure(.data, "\(path):\(YAMLErrors.line(of: error)): invalid YAML (\(YAMLErrors.summary(of: error))); fix the syntax")
        } catch {
            throw Failure(.data, "\(path): invalid YAML; fix the syntax")
        }
        guard let node else { return configuration }
        guard let mapping = node.mapping else {
            throw Failure(.data, "\(path):\(node.mark?.line ?? 1): the configuration must be a mapping of settings; see config/cordon.yaml")
        }
        for (key, value) in mapping {
            let line = key.mark?.line ?? 1
            let name = key.string ?? ""
            func fail(_ message: String) -> Failure { Failure(.data, "\(path):\(line): \(message)") }
            switch name {
            case "rules":
                if let single = value.string {
                    configuration.rulePaths = [single]
                } else if let list = value.sequence, list.allSatisfy({ $0.string != nil }) {
                    configuration.rulePaths = list.compactMap(\.string)
                } else {
                    throw fail("'rules' must be a path or a list of paths")
                }
            case "state_directory":
                guard let directory = value.string, !directory.isEmpty else { throw fail("'state_directory' must be a path") }
                configuration.stateDirectory = directory
            case "data_threshold":
                guard let bytes = value.int, bytes >= 64 else { throw fail("'data_threshold' must be a number of bytes, at least 64") }
                configuration.dataThreshold = bytes
            case "placeholders":
                guard let entries = value.mapping else {
                    throw fail("'placeholders' must be a map from a name to a list of values, e.g. {Administrators: [root, admin]}")
                }
                for (innerKey, innerValue) in entries {
                    let innerLine = innerKey.mark?.line ?? line
                    guard let placeholder = innerKey.string, !placeholder.isEmpty else {
                        throw Failure(.data, "\(path):\(innerLine): a placeholder name must be text")
                    }
                    if let single = innerValue.string {
                        configuration.placeholders[placeholder] = [single]
                    } else if let list = innerValue.sequence, !list.isEmpty, list.allSatisfy({ $0.string != nil }) {
                        configuration.placeholders[placeholder] = list.compactMap(\.string)
                    } else {
                        throw Failure(.data, "\(path):\(innerLine): placeholder '\(placeholder)' needs a value or a list of values")
                    }
                }
            case "checkpoint":
                guard let settings = value.mapping else { throw fail("'checkpoint' must be a mapping with 'interval_ms' and 'entries'") }
                for (innerKey, innerValue) in settings {
                    let innerLine = innerKey.mark?.line ?? line
                    switch innerKey.string ?? "" {
                    case "interval_ms":
                        guard let milliseconds = innerValue.int, milliseconds > 0 else {
                            throw Failure(.data, "\(path):\(innerLine): 'checkpoint.interval_ms' must be a positive number of milliseconds")
                        }
                        configuration.checkpointIntervalMilliseconds = milliseconds
                    case "entries":
                        guard let entries = innerValue.int, entries > 0 else {
                            throw Failure(.data, "\(path):\(innerLine): 'checkpoint.entries' must be a positive number")
                        }
                        configuration.checkpointEntries = entries
                    case let other:
                        throw Failure(.data, "\(path):\(innerLine): unknown setting 'checkpoint.\(other)'; use 'interval_ms' or 'entries'")
                    }
                }
            case "assembly":
                guard let settings = value.mapping else { throw fail("'assembly' must be a mapping of limits (see config/cordon.yaml)") }
                for (innerKey, innerValue) in settings {
                    let innerLine = innerKey.mark?.line ?? line
                    let setting = innerKey.string ?? ""
                    guard let number = innerValue.int, number > 0 else {
                        throw Failure(.data, "\(path):\(innerLine): 'assembly.\(setting)' must be a positive number")
                    }
                    switch setting {
                    case "timeout_ms": configuration.assembly.timeoutMicroseconds = UInt64(number) * 1000
                    case "idle_ms": configuration.assemblyIdleMilliseconds = number
                    case "max_pending_events": configuration.assembly.maximumPendingEvents = number
                    case "max_records_per_event": configuration.assembly.maximumRecordsPerEvent = number
                    case "max_event_bytes": configuration.assembly.maximumEventBytes = number
                    case "max_pending_bytes": configuration.assembly.maximumPendingBytes = number
                    case "process_table": configuration.assembly.processTableCapacity = number
                    default:
                        throw Failure(.data, "\(path):\(innerLine): unknown setting 'assembly.\(setting)'; use timeout_ms, idle_ms, "
                            + "max_pending_events, max_records_per_event, max_event_bytes, max_pending_bytes or process_table")
                    }
                }
            case "journal_tampering":
                guard let flag = value.bool else { throw fail("'journal_tampering' must be true or false") }
                configuration.journalTampering = flag
            case "correlation":
                guard let settings = value.mapping else { throw fail("'correlation' must be a mapping with 'max_groups'") }
                for (innerKey, innerValue) in settings {
                    let innerLine = innerKey.mark?.line ?? line
                    guard innerKey.string == "max_groups" else {
                        throw Failure(.data, "\(path):\(innerLine): unknown setting 'correlation.\(innerKey.string ?? "")'; use 'max_groups'")
                    }
                    guard let number = innerValue.int, number > 0 else {
                        throw Failure(.data, "\(path):\(innerLine): 'correlation.max_groups' must be a positive number")
                    }
                    configuration.correlationMaximumGroups = number
                }
            case "anomaly":
                let keys = ["max_categories", "max_categories_per_source", "max_executables", "max_users"]
                guard let settings = value.mapping else { throw fail("'anomaly' must be a mapping with " + keys.joined(separator: ", ")) }
                for (innerKey, innerValue) in settings {
                    let innerLine = innerKey.mark?.line ?? line
                    let innerName = innerKey.string ?? ""
                    guard keys.contains(innerName) else {
                        throw Failure(.data, "\(path):\(innerLine): unknown setting 'anomaly.\(innerName)'; use " + keys.joined(separator: ", "))
                    }
                    guard let number = innerValue.int, number > 0, number <= 10_000_000 else {
                        throw Failure(.data, "\(path):\(innerLine): 'anomaly.\(innerName)' must be a number from 1 to 10000000")
                    }
                    switch innerName {
                    case "max_categories": configuration.anomalyLimits.miner.categories = number
                    case "max_categories_per_source": configuration.anomalyLimits.miner.categoriesPerSource = number
                    case "max_executables": configuration.anomalyLimits.processes = number
                    default: configuration.anomalyLimits.users = number
                    }
                }
            case "response":
                do {
                    configuration.response = try ResponseConfiguration.parse(value, hookExists: { access($0, X_OK) == 0 })
                } catch {
                    throw Failure(.data, "\(path):\(error.line): \(error.message)")
                }
            default:
                throw fail("unknown setting '\(name)'; known settings are rules, state_directory, data_threshold, checkpoint, placeholders, assembly, correlation, anomaly, journal_tampering, response")
            }
        }
        return configuration
    }
}

/// Line and summary of a Yams error, for one-line diagnostics.
enum YAMLErrors {
    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return 1
        }
    }

    static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "syntax error"
        }
    }
}
