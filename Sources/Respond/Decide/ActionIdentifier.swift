import Alert

/// Action ids: 32 hex digits derived from the action's name, the alert's identity (rule and
/// source entry) and, for a remote host's alert, its machine id, so the same alert read again
/// after a crash gives the same id, and the ledger knows it was decided already.
enum ActionIdentifier {
    /// - Parameter machine: the remote target's machine id; nil for this machine (ids as before fleet mode).
    static func make(action: String, alert: AlertKey, machine: String? = nil) -> String {
        var text = Array(action.utf8) + [0] + Array(alert.ruleIdentifier.utf8) + [0] + Array(alert.sourceCursor.utf8)
        if let machine { text += [0] + Array(machine.utf8) }
        return hex(fnv1a(text, basis: 0xcbf2_9ce4_8422_2325)) + hex(fnv1a(text.reversed(), basis: 0x84222325_cbf29ce4))
    }

    /// An id for something an operator did (no alert): random.
    static func random() -> String {
        hex(UInt64.random(in: .min ... .max)) + hex(UInt64.random(in: .min ... .max))
    }

    private static func fnv1a<Bytes: Sequence>(_ bytes: Bytes, basis: UInt64) -> UInt64 where Bytes.Element == UInt8 {
        var hash = basis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
