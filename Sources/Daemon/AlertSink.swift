import Alert
import Glibc
import Journal

/// Where alerts go: the journal, standard output, or both.
public protocol AlertSink: AnyObject {
    /// Writes one alert. Returns only once the alert is handed over (to journald, to the stdout buffer).
    func write(_ alert: Alert) throws(Failure)
    /// Pushes buffered output out.
    func flush()
}

/// Writes alerts as structured journal entries (`sd_journal_sendv`).
public final class JournalAlertSink: AlertSink {
    private let writer = JournalWriter()

    public init() {}

    public func write(_ alert: Alert) throws(Failure) {
        do {
            try writer.send(alert.journalFields)
        } catch {
            throw Failure(.software, "cannot write an alert to the journal (\(error)); is systemd-journald running?")
        }
    }

    public func flush() {}
}

/// How alerts are printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// One line per alert: time and message.
    case text
    /// One JSON object per line, with the same fields as the journal entry.
    case json
    /// Journal export format, for `systemd-journal-remote`.
    case export
}

/// Prints alerts to standard output.
public final class OutputAlertSink: AlertSink {
    private let format: OutputFormat
    private var buffer: [UInt8] = []

    public init(format: OutputFormat) {
        self.format = format
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ alert: Alert) throws(Failure) {
        switch format {
        case .text: buffer += Array((alert.text + "\n").utf8)
        case .json: buffer += Array((alert.json + "\n").utf8)
        case .export: ExportFormat.append(alert.exportFields, to: &buffer)
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        buffer.withUnsafeBytes { writeAll($0, to: STDOUT_FILENO) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Writes all of `bytes` to `descriptor`, retrying short writes and EINTR. Gives up quietly when
/// the descriptor is closed (e.g. stdout into `| head`): there is nothing more to do with the output.
public func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: CInt) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
        if written <= 0 {
            if written < 0 && Glibc.errno == EINTR { continue }
            return
        }
        offset += written
    }
}
