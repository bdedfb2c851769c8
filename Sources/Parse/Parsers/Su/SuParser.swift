import Journal

/// Reads su's messages: util-linux su (Debian's) `(to root) alice on pts/0` and
/// `FAILED SU (to root) alice on pts/0`, shadow's su `+ pts/0 alice:root`, and su's PAM lines.
///
/// Fields:
/// - `User`: the invoking user. `TargetUser`: the user su switches to. `Tty`: the terminal
///   (`none` without one).
/// - `Outcome`: `success`, `failure`, `session_opened`, `session_closed`.
///
/// Both names are names of existing accounts (su looks them up first), so the fixed words
/// between them (`(to `, `) `, ` on `) cannot occur inside them.
public struct SuParser: FieldParser {
    /// Makes the parser.
    public init() {}

    /// `su`.
    public var name: String { "su" }

    /// The fields this parser may produce.
    public var fieldNames: [String] { ["User", "TargetUser", "Tty", "Outcome"] }

    /// `MESSAGE`.
    public var inputFieldNames: [String] { ["MESSAGE"] }

    private static let rules = [
        TemplateRule("(to {TargetUser:token}) {User:token} on {Tty:token}", ["Outcome": "success"]),
        TemplateRule("FAILED SU (to {TargetUser:token}) {User:token} on {Tty:token}", ["Outcome": "failure"]),
        TemplateRule("FAILED RUNUSER (to {TargetUser:token}) {User:token} on {Tty:token}", ["Outcome": "failure"]),
        TemplateRule("+ {Tty:token} {User:token}:{TargetUser:token}", ["Outcome": "success"]),
    ]

    /// Appends the fields of an su message; nothing for any other message.
    public func parse(_ entry: JournalEntry, into fields: inout ParsedFields) {
        guard let raw = entry.value(of: "MESSAGE") else { return }
        let message = raw.trimmingTrailingWhitespace
        guard let pam = PAMMessage(message) else {
            _ = TemplateRule.applyFirst(SuParser.rules, to: message, into: &fields)
            return
        }
        switch pam.outcome {
        case .authenticationFailure:
            // PAM_USER is the target account; PAM_RUSER the invoking user.
            fields.append("Outcome", constant: "failure")
            fields.append("User", nonEmpty: pam.failure?.remoteUser)
            fields.append("TargetUser", nonEmpty: pam.user)
            fields.append("Tty", nonEmpty: pam.failure?.tty)
        case .sessionOpened, .sessionClosed:
            pam.appendSwitchedUserSession(to: &fields)
        case .userUnknown, .passwordChanged:
            return
        }
    }
}
