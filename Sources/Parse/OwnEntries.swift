import Journal

/// Tells Cordon's own entries (alerts, start markers) apart from entries that merely claim to be.
///
/// `MESSAGE_ID` is written by the sender, so anyone can forge it. An entry counts as Cordon's own
/// only when, in addition, journald itself vouches for the sender: it came over the native
/// protocol (`_TRANSPORT=journal`) from a process of Cordon's user (`_UID`). Both fields are
/// set by journald and dropped when a client sends them. `_EXE`/`_COMM` are not used: journald
/// fills them on a best-effort basis and they are missing for a sender that died (e.g. a Cordon
/// killed right after writing an alert).
public struct OwnEntries: Sendable {
    /// The uid Cordon's entries come from.
    public let userID: UInt32

    /// - Parameter userID: the uid Cordon runs as (`geteuid()` for the running daemon).
    public init(userID: UInt32) {
        self.userID = userID
    }

    /// Whether the entry is an entry Cordon wrote with one of its `MESSAGE_ID`s.
    public func isOwn(_ entry: JournalEntry) -> Bool {
        guard let messageID = entry.value(of: "MESSAGE_ID"),
              CordonMessageID.all.contains(String(decoding: messageID, as: UTF8.self)),
              entry.value(of: "_TRANSPORT").map({ $0.elementsEqual("journal".utf8) }) == true,
              let uid = entry.value(of: "_UID"),
              uid.elementsEqual(String(userID).utf8)
        else { return false }
        return true
    }

    /// Whether the entry is one of Cordon's own alerts.
    public func isOwnAlert(_ entry: JournalEntry) -> Bool {
        isOwn(entry) && entry.value(of: "MESSAGE_ID").map { CordonMessageID.alerts.contains(String(decoding: $0, as: UTF8.self)) } == true
    }
}
