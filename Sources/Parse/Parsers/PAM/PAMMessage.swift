/// One message of a PAM module, as `pam_unix` and its kin write it:
/// `pam_unix(SERVICE:TYPE): BODY`.
///
/// Shared by `PAMParser` and by the sshd, sudo and su parsers, which report the same lines
/// under their own field names. Recognised bodies:
/// - `authentication failure; logname=… uid=… euid=… tty=… ruser=… rhost=…  user=…`
/// - `check pass; user unknown`
/// - `session opened for user X(uid=N) by Y(uid=M)` (older: `… for user X by Y(uid=M)`)
/// - `session closed for user X`
/// - `password changed for X`
struct PAMMessage {
    /// What the message reports.
    enum Outcome {
        case authenticationFailure
        case userUnknown
        case sessionOpened
        case sessionClosed
        case passwordChanged
    }

    /// The module (`pam_unix`, `pam_sss` …).
    var module: ArraySlice<UInt8>
    /// The PAM service: the program's PAM configuration name (`sshd`, `sudo`, `su-l` …).
    var service: ArraySlice<UInt8>
    /// The management group (`auth`, `account`, `session`, `password`, `chauthtok`).
    var type: ArraySlice<UInt8>
    /// What the message reports.
    var outcome: Outcome
    /// The user the transaction is for (`user=`, `for user X`, `password changed for X`).
    var user: ArraySlice<UInt8>?
    /// The uid of `user`, in session messages.
    var userID: ArraySlice<UInt8>?
    /// The user who opened the session (`by Y`).
    var initiatingUser: ArraySlice<UInt8>?
    /// The uid of `initiatingUser`.
    var initiatingUserID: ArraySlice<UInt8>?
    /// The details of an authentication failure.
    var failure: AuthenticationFailure?

    /// The `key=value` list of an authentication failure, in its fixed order.
    struct AuthenticationFailure {
        /// `logname=`: the login name of the process's controlling session.
        var loginName: ArraySlice<UInt8>
        /// `uid=`: the uid of the calling process.
        var callerUserID: ArraySlice<UInt8>
        /// `euid=`: its effective uid.
        var callerEffectiveUserID: ArraySlice<UInt8>
        /// `tty=`.
        var tty: ArraySlice<UInt8>
        /// `ruser=`: the requesting user (sudo and su set it to the invoking user).
        var remoteUser: ArraySlice<UInt8>
        /// `rhost=`: the remote host (an address, or a name when the service resolved it).
        var remoteHost: ArraySlice<UInt8>
        /// `user=`: the user being authenticated. Last, so it may hold spaces.
        var user: ArraySlice<UInt8>?
    }

    private static let authenticationFailure = Bytes.of("authentication failure; ")
    private static let userUnknown = Bytes.of("check pass; user unknown")
    private static let sessionOpened = Bytes.of("session opened for user ")
    private static let sessionClosed = Bytes.of("session closed for user ")
    private static let passwordChanged = Bytes.of("password changed for ")
    private static let by = Bytes.of(" by ")
    private static let uidOpen = Bytes.of("(uid=")
    private static let prefix = Bytes.of("pam_")
    private static let headerEnd = Bytes.of("): ")

    /// Parses `message`, or returns nil when it is not a recognised PAM module message.
    init?(_ message: ArraySlice<UInt8>) {
        guard message.hasPrefix(PAMMessage.prefix),
              let open = message.firstIndex(of: UInt8(ascii: "(")),
              let close = message.rangeOfFirst(PAMMessage.headerEnd, from: open)
        else { return nil }
        let module = message[..<open]
        let group = message[(open + 1)..<close.lowerBound]
        guard module.allSatisfy({ Bytes.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }),
              let colon = group.lastIndex(of: Bytes.colon),
              !group.contains(byte: Bytes.space)
        else { return nil }
        self.module = module
        self.service = group[..<colon]
        self.type = group[(colon + 1)...]
        let body = message[close.upperBound...]

        if let list = body.dropping(prefix: PAMMessage.authenticationFailure) {
            outcome = .authenticationFailure
            failure = PAMMessage.authenticationFailure(list)
            user = failure?.user
        } else if body.elementsEqual(PAMMessage.userUnknown) {
            outcome = .userUnknown
        } else if let rest = body.dropping(prefix: PAMMessage.sessionOpened) {
            outcome = .sessionOpened
            // Both names are names of existing accounts; split at the last " by " all the same.
            if let by = rest.rangeOfLast(PAMMessage.by) {
                (user, userID) = PAMMessage.splitUserID(rest[..<by.lowerBound])
                (initiatingUser, initiatingUserID) = PAMMessage.splitUserID(rest[by.upperBound...])
            } else {
                (user, userID) = PAMMessage.splitUserID(rest)
            }
        } else if let rest = body.dropping(prefix: PAMMessage.sessionClosed) {
            outcome = .sessionClosed
            (user, userID) = PAMMessage.splitUserID(rest)
        } else if let rest = body.dropping(prefix: PAMMessage.passwordChanged) {
            outcome = .passwordChanged
            user = rest
        } else {
            return nil
        }
    }

    /// Splits `name(uid=N)` into name and N; a bare `name` has no uid.
    private static func splitUserID(_ text: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>?) {
        guard text.last == UInt8(ascii: ")"), let open = text.rangeOfLast(uidOpen) else { return (text, nil) }
        let digits = text[open.upperBound..<(text.endIndex - 1)]
        guard digits.isDecimalDigits else { return (text, nil) }
        return (text[..<open.lowerBound], digits)
    }

    private static let loginNameKey = Bytes.of("logname=")
    private static let userIDKey = Bytes.of("uid=")
    private static let effectiveUserIDKey = Bytes.of("euid=")
    private static let ttyKey = Bytes.of("tty=")
    private static let remoteUserKey = Bytes.of("ruser=")
    private static let remoteHostKey = Bytes.of("rhost=")
    private static let userKey = Bytes.of("user=")

    /// Parses the `key=value` list of an authentication failure (also used for sshd's
    /// `PAM 2 more authentication failures; …`).
    ///
    /// The keys come in a fixed order and every value but the last (`user=`) is a single
    /// token, so the list is read left to right, each value ending at the next space; the
    /// `user=` value, which a remote client chooses (sshd passes the name it was sent), is the
    /// rest of the line and cannot shift the others. If the list does not have exactly this
    /// shape (a value with a space in it), nothing is reported rather than a guess.
    static func authenticationFailure(_ list: ArraySlice<UInt8>) -> AuthenticationFailure? {
        var position = list.startIndex
        /// The value of `key` at `position`, which then moves past it.
        func value(of key: [UInt8]) -> ArraySlice<UInt8>? {
            while position < list.endIndex, list[position] == Bytes.space { position += 1 }
            guard list.matches(key, at: position) else { return nil }
            let start = position + key.count
            position = list[start...].firstIndex(of: Bytes.space) ?? list.endIndex
            return list[start..<position]
        }
        guard let loginName = value(of: loginNameKey), let callerUserID = value(of: userIDKey),
              let callerEffectiveUserID = value(of: effectiveUserIDKey), let tty = value(of: ttyKey),
              let remoteUser = value(of: remoteUserKey), let remoteHost = value(of: remoteHostKey)
        else { return nil }
        while position < list.endIndex, list[position] == Bytes.space { position += 1 }
        var user: ArraySlice<UInt8>?
        if position < list.endIndex {
            guard let value = list[position...].dropping(prefix: userKey) else { return nil }
            user = value
        }
        return AuthenticationFailure(
            loginName: loginName, callerUserID: callerUserID, callerEffectiveUserID: callerEffectiveUserID,
            tty: tty, remoteUser: remoteUser, remoteHost: remoteHost, user: user
        )
    }
}

extension PAMMessage {
    /// For a tool that switches users (su, sudo): appends a session line's `Outcome`, the
    /// invoking `User` (on opening) and the `TargetUser`; nothing for other lines.
    func appendSwitchedUserSession(to fields: inout ParsedFields) {
        switch outcome {
        case .sessionOpened:
            fields.append("Outcome", constant: "session_opened")
            fields.append("User", nonEmpty: initiatingUser)
            fields.append("TargetUser", nonEmpty: user)
        case .sessionClosed:
            fields.append("Outcome", constant: "session_closed")
            fields.append("TargetUser", nonEmpty: user)
        case .authenticationFailure, .userUnknown, .passwordChanged:
            break
        }
    }
}
