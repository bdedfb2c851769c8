import Journal

/// Reads sudo's log lines (`alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`,
/// with a reason first when sudo refused or the password was wrong) and its PAM lines.
///
/// Fields:
/// - `User`: the invoking user. `TargetUser`: the user the command runs as (`USER=`).
/// - `Command`, `Tty`, `CurrentDirectory` (`PWD=`), `TargetGroup` (`GROUP=`).
/// - The same values under sudo's own keys too (`USER`, `COMMAND`, `TTY`, `PWD`, `GROUP`, `ENV`,
///   `CHROOT`, `TSID`, `RUNCWD`, `RUNCHROOT`), as Sigma's sudo rules name them (`USER: '#-1'`).
/// - `Outcome`: `success`, `failure` (wrong or missing password, PAM authentication
///   failure), `not_in_sudoers`, `not_allowed` (command or host not allowed),
///   `session_opened`, `session_closed`. `Reason`: sudo's reason text, when it gives one.
/// - `FailedAttempts`: from `3 incorrect password attempts`.
/// - `Ambiguous`: `true` when the line could be split in more than one way (see below).
///
/// The invoking user comes before the first ` : ` (sudo pads it on the left to eight
/// columns); it is the name of an existing account and has no spaces. The rest is
/// `KEY=value` items joined by ` ; `, `COMMAND=` last. The working directory and the command
/// line are chosen by the invoking user and may themselves contain ` ; USER=…`; no reading of
/// such a line is certain. Items are read left to right, each value ending at the next
/// ` ; KEY=`, `COMMAND=` taking the rest; when a known key appears twice or the command holds
/// ` ; KEY=` text, `Ambiguous=true` is added so that rules can treat the line as suspect.
public struct SudoParser: FieldParser {
    /// Makes the parser.
    public init() {}

    /// `sudo`.
    public var name: String { "sudo" }

    /// The fields this parser may produce.
    public var fieldNames: [String] {
        ["User", "TargetUser", "TargetGroup", "Command", "Tty", "CurrentDirectory", "Outcome", "Reason",
         "FailedAttempts", "Ambiguous"] + SudoParser.keys.map(\.name)
    }

    /// `MESSAGE`.
    public var inputFieldNames: [String] { ["MESSAGE"] }

    /// Appends the fields of a sudo log line or PAM line; nothing for any other message.
    public func parse(_ entry: JournalEntry, into fields: inout ParsedFields) {
        guard let raw = entry.value(of: "MESSAGE") else { return }
        let message = raw.trimmingTrailingWhitespace
        if let pam = PAMMessage(message) {
            SudoParser.appendPAM(pam, to: &fields)
        } else {
            SudoLine(message)?.append(to: &fields)
        }
    }

    /// sudo's PAM lines: the user being authenticated is the invoking user (`ruser=`, else
    /// `user=`); a session is opened for the target user by the invoking user.
    private static func appendPAM(_ pam: PAMMessage, to fields: inout ParsedFields) {
        switch pam.outcome {
        case .authenticationFailure:
            fields.append("Outcome", constant: "failure")
            let remoteUser = pam.failure?.remoteUser
            fields.append("User", nonEmpty: remoteUser?.isEmpty == false ? remoteUser : pam.user)
            fields.append("Tty", nonEmpty: pam.failure?.tty)
        case .sessionOpened, .sessionClosed:
            pam.appendSwitchedUserSession(to: &fields)
        case .userUnknown, .passwordChanged:
            return
        }
    }

    /// sudo's keys, the name each is reported under besides its own, and whether its value is
    /// a single token (no spaces) that ends at the next ` ; `.
    static let keys: [(key: [UInt8], name: String, alias: StaticString?)] = [
        (Bytes.of("TTY"), "TTY", "Tty"),
        (Bytes.of("CHROOT"), "CHROOT", nil),
        (Bytes.of("PWD"), "PWD", "CurrentDirectory"),
        (Bytes.of("RUNCHROOT"), "RUNCHROOT", nil),
        (Bytes.of("RUNCWD"), "RUNCWD", nil),
        (Bytes.of("USER"), "USER", "TargetUser"),
        (Bytes.of("GROUP"), "GROUP", "TargetGroup"),
        (Bytes.of("TSID"), "TSID", nil),
        (Bytes.of("ENV"), "ENV", nil),
        (Bytes.of("COMMAND"), "COMMAND", "Command"),
    ]
}
