import Alert
import Parse

/// Action ids: 32 hex digits derived from the action's name, the alert's identity (rule and
/// source entry) and, for a remote host's alert, its machine id, so the same alert read again
/// after a crash gives the same id, and the ledger knows it was decided already.
enum ActionIdentifier {
    /// - Parameter machine: the remote target's machine id; nil for this machine (ids as before fleet mode).
    static func make(action: String, alert: AlertKey, machine: String? = nil) -> String {
        var text = Array(action.utf8) + [0] + Array(alert.ruleIdentifier.utf8) + [0] + Array(alert.sourceCursor.utf8)
        if let machine { text += [0] + Array(machine.utf8) }
        return FNV1a.hex(FNV1a.hash(text)) + FNV1a.hex(FNV1a.hash(text.reversed(), basis: 0x84222325_cbf29ce4))
    }

    /// An id for something an operator did (no alert): random.
    static func random() -> String {
        FNV1a.hex(UInt64.random(in: .min ... .max)) + FNV1a.hex(UInt64.random(in: .min ... .max))
    }
}
