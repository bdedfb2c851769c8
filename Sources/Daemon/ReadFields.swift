import Detect
import Journal

/// The journal fields Cordon copies out of each entry: one place that knows who reads what.
///
/// `run` and `replay` read only the fields the rules need (`Engine.readFieldNames`, which covers the
/// fields parsers read) plus the ones the pipeline reads itself; every other field stays in the
/// journal file. A field missing here reads as absent, so code that starts reading a new field of
/// the entry must add it here.
enum ReadFields {
    /// Fields the pipeline reads whatever the rules:
    /// - `MESSAGE_ID`, `_TRANSPORT`, `_UID`: `OwnEntries.isOwn`, so Cordon's own entries are skipped;
    /// - `_HOSTNAME`, `_MACHINE_ID`: `Alert` (`host`, `machineID`);
    /// - `MESSAGE`: `Pipeline` counts entries without one.
    ///
    /// The entry's timestamps and boot come with every entry; its cursor is read only for an
    /// entry that raises an alert and for a checkpoint (see `Loop`).
    static let pipeline: Set<String> = ["MESSAGE_ID", "_TRANSPORT", "_UID", "_HOSTNAME", "_MACHINE_ID", "MESSAGE"]

    /// What journal tampering signs read besides `pipeline` (`Pipeline.isSystemEntry`), only
    /// when they are on.
    static let journalTampering: Set<String> = ["_PID", "_EXE"]

    /// What `run` and `replay` read: the engine's fields and `pipeline`, and with
    /// `journalTampering` what its signs need.
    /// With `anomalies` (anomaly detectors loaded), also what the model reads
    /// (`AnomalyModel.fieldNames`: the message and the fields that name its source).
    static func selection(for engine: Engine, journalTampering: Bool = false, anomalies: Bool = false,
                          also: Set<String> = []) -> JournalFieldSelection {
        JournalFieldSelection(names: engine.readFieldNames.union(pipeline).union(journalTampering ? Self.journalTampering : []).union(also)
            .union(anomalies ? AnomalyModel.fieldNames : []).subtracting(anomalyAdded))
    }

    /// Never read: the fields the pipeline adds itself, which an entry could otherwise carry forged.
    static let anomalyAdded: Set<String> = ["CORDON_CATEGORY", "CORDON_TEMPLATE"]

    /// What `WrittenAlerts` reads of Cordon's earlier alerts: `OwnEntries.isOwnAlert`, the
    /// alert key, its source entry's time and machine.
    static let writtenAlerts = JournalFieldSelection(names: [
        "MESSAGE_ID", "_TRANSPORT", "_UID", "CORDON_SOURCE_CURSOR", "CORDON_RULE_ID", "CORDON_SOURCE_REALTIME",
        "CORDON_MACHINE_ID",
    ])
}
