import Journal

/// Reads the messages PAM modules log for any program (`pam_unix(SERVICE:TYPE): …`):
/// authentication failures, unknown users, sessions opened and closed, password changes.
///
/// Fields:
/// - `PamModule`, `PamService`, `PamType`: from the `pam_unix(sshd:auth)` header.
/// - `Outcome`: `failure` (authentication failure), `user_unknown`, `session_opened`,
///   `session_closed`, `password_changed`.
/// - `User`: the user the transaction is for (`user=`, `for user X`); `Uid`: its uid (sessions).
/// - `InitiatingUser`, `InitiatingUid`: who opened the session (`by Y(uid=M)`).
/// - `LoginName`, `CallerUid`, `CallerEuid`, `Tty`, `RemoteUser`, `RemoteHost`: the
///   `logname=`, `uid=`, `euid=`, `tty=`, `ruser=`, `rhost=` of an authentication failure.
public struct PAMParser: FieldParser {
    /// Makes the parser.
    public init() {}

    /// `pam`.
    public var name: String { "pam" }

    /// The fields this parser may produce.
    public var fieldNames: [String] {
        ["PamModule", "PamService", "PamType", "Outcome", "User", "Uid", "InitiatingUser", "InitiatingUid",
         "LoginName", "CallerUid", "CallerEuid", "Tty", "RemoteUser", "RemoteHost"]
    }

    /// `MESSAGE`.
    public var inputFieldNames: [String] { ["MESSAGE"] }

    /// Appends the fields of a PAM module message; nothing for any other message.
    public func parse(_ entry: JournalEntry, into fields: inout ParsedFields) {
        guard let message = entry.value(of: "MESSAGE"),
              let pam = PAMMessage(message.trimmingTrailingWhitespace)
        else { return }
        fields.append("PamModule", pam.module)
        fields.append("PamService", pam.service)
        fields.append("PamType", pam.type)
        switch pam.outcome {
        case .authenticationFailure: fields.append("Outcome", constant: "failure")
        case .userUnknown: fields.append("Outcome", constant: "user_unknown")
        case .sessionOpened: fields.append("Outcome", constant: "session_opened")
        case .sessionClosed: fields.append("Outcome", constant: "session_closed")
        case .passwordChanged: fields.append("Outcome", constant: "password_changed")
        }
        fields.append("User", nonEmpty: pam.user)
        fields.append("Uid", nonEmpty: pam.userID)
        fields.append("InitiatingUser", nonEmpty: pam.initiatingUser)
        fields.append("InitiatingUid", nonEmpty: pam.initiatingUserID)
        if let failure = pam.failure {
            fields.append("LoginName", nonEmpty: failure.loginName)
            fields.append("CallerUid", nonEmpty: failure.callerUserID)
            fields.append("CallerEuid", nonEmpty: failure.callerEffectiveUserID)
            fields.append("Tty", nonEmpty: failure.tty)
            fields.append("RemoteUser", nonEmpty: failure.remoteUser)
            fields.append("RemoteHost", nonEmpty: failure.remoteHost)
        }
    }
}
