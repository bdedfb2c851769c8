import Journal

/// Reads OpenSSH's sshd messages (also `sshd-session`, OpenSSH ≥ 9.8, which logs the same
/// text): accepted and failed authentications, invalid users, refused root logins,
/// disconnects, too many failures, and sshd's PAM lines.
///
/// Fields (see rules/FIELDS.md for examples):
/// - `Outcome`: `success`, `partial` (one of several required methods passed), `postponed`,
///   `failure`, `invalid_user`, `too_many_failures`, `refused`, `disconnect`,
///   `session_opened`, `session_closed`, `password_changed`.
/// - `User`, `SourceIp`, `SourcePort`, `AuthMethod` (`password`, `publickey`,
///   `keyboard-interactive/pam`, `hostbased`, `none` …), `InvalidUser` (`true`/`false`, when
///   the message says), `Preauth` (`true` when sshd tagged the message `[preauth]`),
///   `KeyType` and `KeyFingerprint` (public key methods), `FailedAttempts` (`PAM N more
///   authentication failures`).
///
/// The user name is whatever the client sent, spaces included. Addresses and ports are
/// therefore taken from their fixed place at the end of the message, reading right to left
/// (`… from <ip> port <port> ssh2`), so a user name such as `x from 10.1.1.1 port 1` cannot
/// inject an address; and `SourceIp` is only reported when it is a valid IPv4/IPv6 address.
public struct SSHDParser: FieldParser {
    /// Makes the parser.
    public init() {}

    /// `sshd`.
    public var name: String { "sshd" }

    /// The fields this parser may produce.
    public var fieldNames: [String] {
        ["Outcome", "User", "SourceIp", "SourcePort", "AuthMethod", "InvalidUser", "Preauth",
         "KeyType", "KeyFingerprint", "FailedAttempts"]
    }

    /// `MESSAGE`.
    public var inputFieldNames: [String] { ["MESSAGE"] }

    /// Appends the fields of a recognised sshd message; nothing for any other message.
    public func parse(_ entry: JournalEntry, into fields: inout ParsedFields) {
        guard let message = entry.value(of: "MESSAGE"),
              let event = SSHDEvent(message.trimmingTrailingWhitespace)
        else { return }
        event.append(to: &fields)
    }
}

/// What one sshd message reports, as slices of the message.
struct SSHDEvent {
    var outcome: StaticString
    var user: ArraySlice<UInt8>?
    var address: ArraySlice<UInt8>?
    var port: ArraySlice<UInt8>?
    var method: ArraySlice<UInt8>?
    var isInvalidUser: Bool?
    var isPreauthentication = false
    var keyType: ArraySlice<UInt8>?
    var keyFingerprint: ArraySlice<UInt8>?
    var failedAttempts: ArraySlice<UInt8>?

    init(outcome: StaticString) {
        self.outcome = outcome
    }

    /// Appends the event's fields; an address that is not an IP address, or a port that is
    /// not one, is left out.
    func append(to fields: inout ParsedFields) {
        fields.append("Outcome", constant: outcome)
        fields.append("User", nonEmpty: user)
        if let address, IPAddress(address) != nil { fields.append("SourceIp", address) }
        if let port, port.count <= 5, port.decimalValue(limit: 65535) != nil { fields.append("SourcePort", port) }
        fields.append("AuthMethod", nonEmpty: method)
        if let isInvalidUser { fields.append("InvalidUser", constant: isInvalidUser ? "true" : "false") }
        fields.append("Preauth", constant: isPreauthentication ? "true" : "false")
        fields.append("KeyType", nonEmpty: keyType)
        fields.append("KeyFingerprint", nonEmpty: keyFingerprint)
        fields.append("FailedAttempts", nonEmpty: failedAttempts)
    }
}
