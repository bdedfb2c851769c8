import Journal

/// Reads the unit lifecycle messages of systemd (the system manager, PID 1, and user
/// managers): jobs starting and finishing, failures, exits, deactivation, daemon reloads.
///
/// Fields:
/// - `Unit`: from the structured `UNIT=` (system manager) or `USER_UNIT=` (user manager) field
///   systemd adds, else from the message (`Started foo.service - Description.`, or the
///   `foo.service: ` prefix).
/// - `Action`: `starting`, `started`, `stopping`, `stopped`, `reloading`, `reloaded`,
///   `finished`, `failed`, `reached`, `listening`, `closed`, `mounted`, `unmounted`,
///   `created`, `removed`, `skipped`, `exited`, `deactivated`, `restart_scheduled`,
///   `daemon_reload`.
/// - `Result`: the unit result (`exit-code`, `signal`, `timeout` … from `Failed with result`),
///   the job result (`done`, `failed`, `dependency`, `timeout` …, from the message or
///   `JOB_RESULT=`), `success` for `Deactivated successfully`.
/// - `ExitCode` (`exited`, `killed`, `dumped`), `ExitStatus` (the number: an exit status or a
///   signal), `RestartCount`.
///
/// Only the manager itself should be trusted to write these: `UNIT=` and `MESSAGE` are
/// fields any local client can send, so a log source should select on `_PID=1` or
/// `_COMM=systemd` together with `_UID`.
public struct SystemdParser: FieldParser {
    /// Makes the parser.
    public init() {}

    /// `systemd`.
    public var name: String { "systemd" }

    /// The fields this parser may produce.
    public var fieldNames: [String] { ["Unit", "Action", "Result", "ExitCode", "ExitStatus", "RestartCount"] }

    /// `MESSAGE`, `UNIT`, `USER_UNIT`, `JOB_RESULT`.
    public var inputFieldNames: [String] { ["MESSAGE", "UNIT", "USER_UNIT", "JOB_RESULT"] }

    /// Appends the fields of a unit lifecycle message; nothing for any other message.
    public func parse(_ entry: JournalEntry, into fields: inout ParsedFields) {
        guard let raw = entry.value(of: "MESSAGE") else { return }
        let message = raw.trimmingTrailingWhitespace
        let structuredUnit = SystemdParser.nonEmpty(entry.value(of: "UNIT")) ?? SystemdParser.nonEmpty(entry.value(of: "USER_UNIT"))

        if let job = SystemdParser.jobMessages.first(where: { message.count > $0.prefix.count + $0.suffix.count && message.hasPrefix($0.prefix) && message.hasSuffix($0.suffix) }) {
            let subject = message[(message.startIndex + job.prefix.count)..<(message.endIndex - job.suffix.count)]
            fields.append("Action", constant: job.action)
            if let unit = structuredUnit ?? UnitName.leading(subject) { fields.append("Unit", unit) }
            if let result = job.result {
                fields.append("Result", constant: result)
            } else {
                fields.append("Result", nonEmpty: entry.value(of: "JOB_RESULT"))
            }
            return
        }
        if SystemdParser.daemonReloads.contains(where: { $0.matches(message) }) {
            fields.append("Action", constant: "daemon_reload")
            return
        }
        guard let separator = message.rangeOfFirst(SystemdParser.unitSeparator),
              let unit = UnitName.leading(message[..<separator.lowerBound]),
              unit.endIndex == separator.lowerBound
        else { return }
        let rest = message[separator.upperBound...]
        var matched = TemplateRule.applyFirst(SystemdParser.unitMessages, to: rest, into: &fields)
        if !matched { matched = SystemdParser.appendProcessExit(rest, to: &fields) }
        if matched { fields.append("Unit", structuredUnit ?? unit) }
    }

    /// The value, unless it is absent or empty.
    private static func nonEmpty(_ value: ArraySlice<UInt8>?) -> ArraySlice<UInt8>? {
        value?.isEmpty == false ? value : nil
    }

    /// A job message: `<prefix><unit - description | description><suffix>`.
    private struct JobMessage: Sendable {
        let prefix: [UInt8]
        let suffix: [UInt8]
        let action: StaticString
        let result: StaticString?

        init(_ prefix: StaticString, _ suffix: StaticString, _ action: StaticString, result: StaticString? = nil) {
            self.prefix = Bytes.of(prefix)
            self.suffix = Bytes.of(suffix)
            self.action = action
            self.result = result
        }
    }

    /// The job messages, more specific first (`Stopped target` before `Stopped`).
    private static let jobMessages: [JobMessage] = [
        JobMessage("Reloading requested from client PID ", "...", "daemon_reload"),
        JobMessage("Starting ", "...", "starting"),
        JobMessage("Started ", ".", "started"),
        JobMessage("Stopping ", "...", "stopping"),
        JobMessage("Stopped target ", ".", "stopped"),
        JobMessage("Stopped ", ".", "stopped"),
        JobMessage("Reloading ", "...", "reloading"),
        JobMessage("Reloaded ", ".", "reloaded"),
        JobMessage("Finished ", ".", "finished"),
        JobMessage("Failed to start ", ".", "failed", result: "failed"),
        JobMessage("Failed to stop ", ".", "failed", result: "failed"),
        JobMessage("Reload failed for ", ".", "failed", result: "failed"),
        JobMessage("Dependency failed for ", ".", "failed", result: "dependency"),
        JobMessage("Timed out starting ", ".", "failed", result: "timeout"),
        JobMessage("Timed out stopping ", ".", "failed", result: "timeout"),
        JobMessage("Reached target ", ".", "reached"),
        JobMessage("Listening on ", ".", "listening"),
        JobMessage("Closed ", ".", "closed"),
        JobMessage("Mounted ", ".", "mounted"),
        JobMessage("Unmounted ", ".", "unmounted"),
        JobMessage("Created slice ", ".", "created"),
        JobMessage("Removed slice ", ".", "removed"),
        JobMessage("Condition check resulted in ", " being skipped.", "skipped"),
    ]

    /// The manager reloading its configuration (`systemctl daemon-reload`).
    private static let daemonReloads = [MessageTemplate("Reloading.")]

    private static let unitSeparator = Bytes.of(": ")

    /// Messages that start `<unit>: `.
    private static let unitMessages: [TemplateRule] = [
        TemplateRule("Failed with result '{Result:token}'.", ["Action": "failed"]),
        TemplateRule("Deactivated successfully.", ["Action": "deactivated", "Result": "success"]),
        TemplateRule("Unit entered failed state.", ["Action": "failed"]),
        TemplateRule("Scheduled restart job, restart counter is at {RestartCount:token}.", ["Action": "restart_scheduled"]),
    ]

    private static let processExits = [Bytes.of("Main process exited, code="), Bytes.of("Control process exited, code=")]
    private static let statusSeparator = Bytes.of(", status=")

    /// `Main process exited, code=exited, status=1/FAILURE` (also `Control process exited`).
    private static func appendProcessExit(_ rest: ArraySlice<UInt8>, to fields: inout ParsedFields) -> Bool {
        guard let list = processExits.lazy.compactMap({ rest.dropping(prefix: $0) }).first,
              let separator = list.rangeOfFirst(statusSeparator)
        else { return false }
        let code = list[..<separator.lowerBound]
        let status = list[separator.upperBound...].prefix { $0 != UInt8(ascii: "/") }
        guard !code.isEmpty, !code.contains(byte: Bytes.space), status.allSatisfy({ Bytes.isDigit($0) || $0 == UInt8(ascii: "-") }) else { return false }
        fields.append("Action", constant: "exited")
        fields.append("ExitCode", code)
        fields.append("ExitStatus", nonEmpty: status)
        return true
    }
}
