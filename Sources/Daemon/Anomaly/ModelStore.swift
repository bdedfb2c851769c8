import Glibc
import Detect
import Journal
import Logging

/// Where the anomaly model lives: inside the checkpoint (`<state>/checkpoint`, with the cursor
/// and the correlation state, saved atomically together), plus the values an operator marked
/// normal (`<state>/model-normal`, one per line, appended by `cordon model forget`).
public struct ModelStore: Sendable {
    public let directory: String
    public var checkpoints: CheckpointStore { CheckpointStore(directory: directory) }
    /// The marked-normal file.
    public var normalPath: String { directory + "/model-normal" }

    public init(directory: String) {
        self.directory = directory
    }

    /// The values marked normal; empty when the file does not exist.
    /// - Throws: `Failure` when it exists but cannot be read.
    public func normalValues() throws(Failure) -> Set<String> {
        switch FileText.readBytes(normalPath, limit: 64 << 20) {
        case .success(let bytes):
            return Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty })
        case .failure(let failure) where failure.status == .noInput && access(normalPath, F_OK) != 0:
            return []
        case .failure(let failure):
            throw failure
        }
    }

    /// Appends `value` to the marked-normal file (created with mode 0600), then fsyncs it.
    public func markNormal(_ value: String) throws(Failure) {
        guard !value.isEmpty, !value.contains("\n") else {
            throw Failure(.usage, "'\(value)': not a value; give a CORDON_ANOMALY_VALUE of an alert (one line)")
        }
        try checkpoints.prepare()
        let descriptor = open(normalPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure(.cannotCreate, "cannot write \(normalPath): \(String(cString: strerror(errno))); run as root or choose --state-dir")
        }
        defer { close(descriptor) }
        let line = Array((value + "\n").utf8)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(descriptor) == 0 else {
            throw Failure(.cannotCreate, "cannot write \(normalPath): \(String(cString: strerror(errno)))")
        }
    }
}

extension Correlator {
    /// Gives the anomaly model the values an operator marked normal in `store`; a file that
    /// cannot be read is logged and leaves the model as it was.
    func applyNormalValues(from store: ModelStore, logger: Logger) {
        guard let anomalies else { return }
        do {
            anomalies.normal = try store.normalValues()
        } catch {
            logger.warning("The values marked normal cannot be read; anomalies are reported as if none were",
                           metadata: ["file": "\(store.normalPath)", "error": "\(error.message)"])
        }
    }
}
