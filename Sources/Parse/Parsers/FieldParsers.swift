/// Every field parser Cordon ships, by name.
public enum FieldParsers {
    /// The parsers, one per log source: `sshd`, `sudo`, `su`, `pam`, `shadow`, `systemd`, `auditd`.
    public static let all: [any FieldParser] = [
        SSHDParser(), SudoParser(), SuParser(), PAMParser(), ShadowParser(), SystemdParser(), AuditParser(),
    ]

    /// The parser called `name`, or nil when there is none.
    /// - Parameter name: a parser's `name` (`sshd`, `auditd` …), case-sensitive.
    public static func named(_ name: String) -> (any FieldParser)? {
        all.first { $0.name == name }
    }
}
