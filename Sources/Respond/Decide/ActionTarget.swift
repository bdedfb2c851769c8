import Alert

/// The remote host an action acts on: an alert whose machine id is not this machine's.
///
/// Its hook is run as `HOOK apply HOST` / `HOOK release HOST` with `CORDON_TARGET_HOST=HOST` and
/// `CORDON_TARGET_MACHINE_ID`; a local alert's hook gets neither (argv `HOOK apply`).
public struct ActionTarget: Sendable, Equatable {
    /// What the hook is told to act on: the alert's host if it is a valid hostname, else the
    /// machine id.
    public let host: String
    /// The remote machine's id, 32 lower-case hex digits: the scope of the action's id and key.
    public let machineID: String

    /// The target of `alert`, or nil when the alert is local: it has no machine id, or this
    /// machine's. When this machine's id is unknown, every alert with a machine id is remote,
    /// so a hook meant for this host is never pointed at another one.
    /// - Parameter localMachineID: this machine's id (`/etc/machine-id`), or nil.
    public init?(alert: Alert, localMachineID: String?) {
        guard let machineID = alert.machineID, machineID != localMachineID else { return nil }
        self.machineID = machineID
        host = Self.isHostname(alert.host) && alert.host != "unknown" ? alert.host : machineID
    }

    /// Whether `text` can go to a hook as a host name: 1-253 letters, digits, '-' and '.',
    /// not starting with '-' or '.' (so no hook can take it for an option).
    public static func isHostname(_ text: String) -> Bool {
        guard let first = text.utf8.first, text.utf8.count <= 253, first != UInt8(ascii: "-"), first != UInt8(ascii: ".") else {
            return false
        }
        return text.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
    }
}
