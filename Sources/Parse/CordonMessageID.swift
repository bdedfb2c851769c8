/// The `MESSAGE_ID`s of the entries Cordon writes. Fixed forever: operators filter on them
/// (`journalctl MESSAGE_ID=…`) and the message catalog is keyed by them.
public enum CordonMessageID {
    /// "Cordon alert": a rule matched.
    public static let alert = "fd6124ceebc04ab88e3c90e4716a16b1"
    /// "Cordon started": written at start-up; also the barrier that tells Cordon every alert
    /// it wrote before a crash has reached the journal.
    public static let started = "b1ff8caa526343b3990ec5a5a631d34f"

    /// Every id Cordon writes.
    public static let all: Set<String> = [alert, started]
}
