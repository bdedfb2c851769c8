/// The sshd message formats, one function each, chosen by a table of fixed prefixes.
extension SSHDEvent {
    /// One row of the table: a message's fixed start and the function that reads it.
    private struct Row: Sendable {
        /// The fixed start.
        let prefix: [UInt8]
        /// Whether `read` gets the whole message rather than the text after `prefix`.
        let readsPrefix: Bool
        /// Reads the message.
        let read: @Sendable (ArraySlice<UInt8>) -> SSHDEvent?

        init(_ prefix: StaticString, readsPrefix: Bool = false, _ read: @escaping @Sendable (ArraySlice<UInt8>) -> SSHDEvent?) {
            self.prefix = Bytes.of(prefix)
            self.readsPrefix = readsPrefix
            self.read = read
        }
    }

    /// The fixed start of each recognised message and the function that reads it.
    private static let table: [Row] = [
        Row("Accepted ", { authentication($0, outcome: "success") }),
        Row("Failed ", { authentication($0, outcome: "failure") }),
        Row("Partial ", { authentication($0, outcome: "partial") }),
        Row("Postponed ", { authentication($0, outcome: "postponed") }),
        Row("error: maximum authentication attempts exceeded for ", maximumAttemptsExceeded),
        Row("maximum authentication attempts exceeded for ", maximumAttemptsExceeded),
        Row("Invalid user ", invalidUser),
        Row("Connection closed by ", { closed($0, outcome: "disconnect") }),
        Row("Connection reset by ", { closed($0, outcome: "disconnect") }),
        Row("Disconnected from ", { closed($0, outcome: "disconnect") }),
        Row("Received disconnect from ", receivedDisconnect),
        Row("Disconnecting ", disconnecting),
        Row("ROOT LOGIN REFUSED FROM ", rootLoginRefused),
        Row("User ", userNotAllowed),
        Row("PAM ", pamMoreFailures),
        Row("pam_", readsPrefix: true, pamModule),
        Row("drop connection #", penaltyDrop),
    ]

    private static let preauthSuffix = Bytes.of(" [preauth]")

    /// Reads one sshd message, or returns nil when it is not one this parser knows.
    init?(_ message: ArraySlice<UInt8>) {
        var text = message
        var isPreauthentication = false
        if let stripped = message.dropping(suffix: SSHDEvent.preauthSuffix) {
            text = stripped
            isPreauthentication = true
        }
        for row in SSHDEvent.table {
            guard let rest = text.dropping(prefix: row.prefix) else { continue }
            if var event = row.read(row.readsPrefix ? text : rest) {
                event.isPreauthentication = isPreauthentication
                self = event
                return
            }
        }
        return nil
    }

    // MARK: Fixed parts

    private static let forSeparator = Bytes.of(" for ")
    private static let fromSeparator = Bytes.of(" from ")
    private static let portSeparator = Bytes.of(" port ")
    private static let protocolSuffix = Bytes.of(" ssh2")
    private static let protocolInfo = Bytes.of(" ssh2: ")
    private static let invalidUserPrefix = Bytes.of("invalid user ")
    private static let authenticatingUserPrefix = Bytes.of("authenticating user ")
    private static let userPrefix = Bytes.of("user ")
    private static let tooManyFailures = Bytes.of(": Too many authentication failures")
    private static let notAllowedBecause = Bytes.of(" not allowed because ")
    private static let moreFailures = Bytes.of(" more authentication failures; ")

    // MARK: Messages

    /// `<method> for [invalid user ]<user> from <ip> port <port> ssh2[: <key info>]`, after
    /// `Accepted `, `Failed `, `Partial ` or `Postponed `.
    private static func authentication(_ rest: ArraySlice<UInt8>, outcome: StaticString) -> SSHDEvent? {
        guard let methodEnd = rest.rangeOfFirst(forSeparator) else { return nil }
        let method = rest[..<methodEnd.lowerBound]
        guard !method.isEmpty, method.allSatisfy(isMethodByte),
              var event = userFromAddress(rest[methodEnd.upperBound...], outcome: outcome)
        else { return nil }
        event.method = method
        return event
    }

    /// `[invalid user ]<user> from <ip> port <port> ssh2`, after `maximum authentication
    /// attempts exceeded for `.
    private static func maximumAttemptsExceeded(_ rest: ArraySlice<UInt8>) -> SSHDEvent? {
        userFromAddress(rest, outcome: "too_many_failures")
    }

    /// `<user> from <ip> port <port>` (older: `<user> from <ip>`), after `Invalid user `.
    private static func invalidUser(_ rest: ArraySlice<UInt8>) -> SSHDEvent? {
        var event = SSHDEvent(outcome: "invalid_user")
        var head = rest
        if let (beforePort, port) = splitPort(rest) {
            head = beforePort
            event.port = port
        }
        guard let (beforeAddress, address) = splitLastToken(head),
              let user = beforeAddress.dropping(suffix: Bytes.of(" from"))
        else { return nil }
        event.address = address
        event.user = user
        event.isInvalidUser = true
        return event
    }

    /// `[authenticating user |invalid user |user ]<user> <ip> port <port>` or `<ip> port <port>`,
    /// after `Connection closed by `, `Connection reset by `, `Disconnected from `.
    private static func closed(_ rest: ArraySlice<UInt8>, outcome: StaticString) -> SSHDEvent? {
        var event = SSHDEvent(outcome: outcome)
        var head = rest
        if let (beforePort, port) = splitPort(rest) {
            head = beforePort
            event.port = port
        }
        if let (beforeAddress, address) = splitLastToken(head) {
            guard readQualifiedUser(beforeAddress, into: &event) else { return nil }
            event.address = address
        } else {
            guard !head.isEmpty else { return nil }
            event.address = head
        }
        return event
    }

    /// `<ip> port <port>:<code>: <reason chosen by the client>`, after `Received disconnect from `.
    /// The address comes first, before any client text, so it is read left to right.
    private static func receivedDisconnect(_ rest: ArraySlice<UInt8>) -> SSHDEvent? {
        guard let portStart = rest.rangeOfFirst(portSeparator) else { return nil }
        let address = rest[..<portStart.lowerBound]
        guard !address.contains(byte: Bytes.space) else { return nil }
        let digits = rest[portStart.upperBound...].prefix(while: Bytes.isDigit)
        guard !digits.isEmpty, digits.endIndex < rest.endIndex, rest[digits.endIndex] == Bytes.colon else { return nil }
        var event = SSHDEvent(outcome: "disconnect")
        event.address = address
        event.port = digits
        return event
    }

    /// `[authenticating user |invalid user |user ]<user> <ip> port <port>: Too many
    /// authentication failures`, after `Disconnecting `. Only this fixed reason is read: other
    /// reasons may quote client text.
    private static func disconnecting(_ rest: ArraySlice<UInt8>) -> SSHDEvent? {
        guard let head = rest.dropping(suffix: tooManyFailures),
              let event = closed(head, outcome: "too_many_failures"),
              event.port != nil
        else { return nil }
        return event
    }

    /// `<ip> port <port>` (older: `<ip>`), after `ROOT LOGIN REFUSED FROM `.
    private static func rootLoginRefused(_ rest: ArraySlice<UInt8>) -> SSHDEvent? {
        var event = SSHDEvent(outcome: "refused")
        var address = rest
        if let (beforePort, port) = splitPort(rest) {
            address = beforePort
            event.port = port
        }
        guard !address.isEmpty, !address.contains(byte: Bytes.space) else { return nil }
        event.address = address
        event.user = rootUser[...]
        return event
    }

    private static let rootUser = Bytes.of("root")

    /// `<user> from <host> not allowed because <reason>`, after `User ` (AllowUsers,
    /// DenyUsers, AllowGroups, DenyGroups, a locked account, a missing shell). The reason is
    /// sshd's own text; the host is an address, or a name with `UseDNS yes`.
    private static func userNotAllowed(_ rest: ArraySlice<UInt8>) -> SSHDEvent? {
        guard let because = rest.rangeOfLast(notAllowedBecause),
              let (beforeHost, host) = splitLastToken(rest[..<because.lowerBound]),
              let user = beforeHost.dropping(suffix: Bytes.of(" from"))
        else { return nil }
        var event = SSHDEvent(outcome: "refused")
        event.user = user
        event.address = host
        event.isInvalidUser = false
        return event
    }

    /// `<n> more authentication failures; logname=… rhost=<ip>  user=<user>`, after `PAM `.
    private static func pamMoreFailures(_ rest: ArraySlice<UInt8>) -> SSHDEvent? {
        guard let separator = rest.rangeOfFirst(moreFailures) else { return nil }
        let count = rest[..<separator.lowerBound]
        guard count.isDecimalDigits, let failure = PAMMessage.authenticationFailure(rest[separator.upperBound...]) else { return nil }
        var event = SSHDEvent(outcome: "failure")
        event.failedAttempts = count
        event.user = failure.user
        event.address = failure.remoteHost
        return event
    }

    /// sshd's PAM module lines: `pam_unix(sshd:auth): authentication failure; …`, sessions.
    private static func pamModule(_ message: ArraySlice<UInt8>) -> SSHDEvent? {
        guard let pam = PAMMessage(message) else { return nil }
        var event: SSHDEvent
        switch pam.outcome {
        case .authenticationFailure:
            event = SSHDEvent(outcome: "failure")
            event.address = pam.failure?.remoteHost
        case .userUnknown:
            event = SSHDEvent(outcome: "invalid_user")
            event.isInvalidUser = true
        case .sessionOpened: event = SSHDEvent(outcome: "session_opened")
        case .sessionClosed: event = SSHDEvent(outcome: "session_closed")
        case .passwordChanged: event = SSHDEvent(outcome: "password_changed")
        }
        event.user = pam.user
        return event
    }

    /// `<n> from [<ip>]:<port> on [<ip>]:<port> penalty: <reason>`, after `drop connection #`
    /// (OpenSSH ≥ 9.8 refusing a source that earned a penalty).
    private static func penaltyDrop(_ rest: ArraySlice<UInt8>) -> SSHDEvent? {
        let number = rest.prefix(while: Bytes.isDigit)
        guard !number.isEmpty, let after = rest[number.endIndex...].dropping(prefix: Bytes.of(" from [")),
              let close = after.rangeOfFirst(Bytes.of("]:"))
        else { return nil }
        let port = after[close.upperBound...].prefix(while: Bytes.isDigit)
        guard after[port.endIndex...].hasPrefix(Bytes.of(" on ")) else { return nil }
        var event = SSHDEvent(outcome: "refused")
        event.address = after[..<close.lowerBound]
        event.port = port
        return event
    }

    // MARK: Right-to-left helpers

    /// Reads `[invalid user ]<user> from <ip> port <port> ssh2[: <info>]` from the right.
    ///
    /// The end is ` ssh2` at the very end, else the first ` ssh2: `: sshd cuts a user name at
    /// its first `:` (the BSD auth style separator), so no user name contains `: `, while the
    /// key information after it may (certificate key IDs).
    private static func userFromAddress(_ text: ArraySlice<UInt8>, outcome: StaticString) -> SSHDEvent? {
        var head: ArraySlice<UInt8>
        var information: ArraySlice<UInt8>?
        if let stripped = text.dropping(suffix: protocolSuffix) {
            head = stripped
        } else if let separator = text.rangeOfFirst(protocolInfo) {
            head = text[..<separator.lowerBound]
            information = text[separator.upperBound...]
        } else {
            head = text
        }
        guard let (beforePort, port) = splitPort(head),
              let (beforeAddress, address) = splitLastToken(beforePort),
              let qualifiedUser = beforeAddress.dropping(suffix: Bytes.of(" from"))
        else { return nil }
        var event = SSHDEvent(outcome: outcome)
        event.address = address
        event.port = port
        if let user = qualifiedUser.dropping(prefix: invalidUserPrefix) {
            event.user = user
            event.isInvalidUser = true
        } else {
            event.user = qualifiedUser
            event.isInvalidUser = false
        }
        if let information {
            let type = information.prefix(while: { $0 != Bytes.space })
            event.keyType = type
            if type.endIndex < information.endIndex {
                event.keyFingerprint = information[(type.endIndex + 1)...].prefix(while: { $0 != Bytes.space })
            }
        }
        return event
    }

    /// Reads the qualifier sshd puts before a user name in connection messages.
    private static func readQualifiedUser(_ text: ArraySlice<UInt8>, into event: inout SSHDEvent) -> Bool {
        if let user = text.dropping(prefix: authenticatingUserPrefix) {
            event.user = user
            event.isInvalidUser = false
        } else if let user = text.dropping(prefix: invalidUserPrefix) {
            event.user = user
            event.isInvalidUser = true
        } else if let user = text.dropping(prefix: userPrefix) {
            event.user = user
            event.isInvalidUser = false
        } else {
            return false
        }
        return true
    }

    /// Splits `<head> port <digits>` at its end; nil when the text does not end so.
    private static func splitPort(_ text: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        var start = text.endIndex
        while start > text.startIndex, Bytes.isDigit(text[start - 1]) { start -= 1 }
        guard start < text.endIndex, let head = text[..<start].dropping(suffix: portSeparator) else { return nil }
        return (head, text[start...])
    }

    /// Splits `<head> <token>` at the last space; nil when there is no space or the token is empty.
    private static func splitLastToken(_ text: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        guard let space = text.lastIndex(of: Bytes.space), space + 1 < text.endIndex else { return nil }
        return (text[..<space], text[(space + 1)...])
    }

    /// Whether the byte may appear in an authentication method name (`keyboard-interactive/pam`).
    private static func isMethodByte(_ byte: UInt8) -> Bool {
        Bytes.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/")
            || byte == UInt8(ascii: "@") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
    }
}
