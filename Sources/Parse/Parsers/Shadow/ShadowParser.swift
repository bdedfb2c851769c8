import Journal

/// Reads the account changes shadow-utils logs: useradd, groupadd, usermod, userdel,
/// groupdel, groupmod, passwd, chpasswd (through PAM), gpasswd, chsh, chfn, chage.
///
/// Fields:
/// - `Action`: `user_added`, `group_added`, `user_deleted`, `group_deleted`, `user_modified`,
///   `user_renamed`, `group_modified`, `group_member_added`, `group_member_removed`,
///   `group_member_renamed`, `group_members_set`, `group_administrators_set`,
///   `group_password_changed`, `group_password_removed`, `group_restricted`,
///   `password_changed`, `password_locked`, `password_unlocked`.
/// - `User`, `Group`, `Uid`, `Gid`, `Home`, `Shell`, `From` (useradd's terminal),
///   `Database` (`/etc/group`, `/etc/gshadow` …), `InitiatingUser` (gpasswd's and passwd's
///   `by …`), `Members`, `NewName`, `NewGid`, `OldValue`, `NewValue` and `Attribute` (what
///   `user_modified` changed: `uid`, `gid`, `home`, `shell`, `expiration`, `inactive`,
///   `password`, `information`, `password_expiry`).
///
/// The tools check user and group names (no spaces, colons or quotes) before logging, so
/// templates read left to right; paths are chosen by root.
public struct ShadowParser: FieldParser {
    /// Makes the parser.
    public init() {}

    /// `shadow`.
    public var name: String { "shadow" }

    /// The fields this parser may produce.
    public var fieldNames: [String] {
        var names = TemplateRule.fieldNames(of: ShadowParser.rules)
        for name in ["Group", "Gid", "NewName", "NewGid", "Database"] where !names.contains(name) { names.append(name) }
        return names
    }

    /// `MESSAGE`.
    public var inputFieldNames: [String] { ["MESSAGE"] }

    /// Appends the fields of a shadow-utils message; nothing for any other message.
    public func parse(_ entry: JournalEntry, into fields: inout ParsedFields) {
        guard let raw = entry.value(of: "MESSAGE") else { return }
        let message = raw.trimmingTrailingWhitespace
        if let pam = PAMMessage(message) {
            // passwd and chpasswd change passwords through PAM: `pam_unix(passwd:chauthtok): …`.
            guard pam.outcome == .passwordChanged else { return }
            fields.append("Action", constant: "password_changed")
            fields.append("User", nonEmpty: pam.user)
            return
        }
        if TemplateRule.applyFirst(ShadowParser.rules, to: message, into: &fields) { return }
        ShadowParser.appendGroupChange(message, to: &fields)
    }

    /// The message formats, most specific first.
    static let rules: [TemplateRule] = [
        // useradd
        TemplateRule("new user: name={User}, UID={Uid}, GID={Gid}, home={Home}, shell={Shell}, from={From}", ["Action": "user_added"]),
        TemplateRule("new user: name={User}, UID={Uid}, GID={Gid}, home={Home}, shell={Shell}", ["Action": "user_added"]),
        TemplateRule("new group: name={Group}, GID={Gid}", ["Action": "group_added"]),
        // groupadd
        TemplateRule("group added to {Database}: name={Group}, GID={Gid}", ["Action": "group_added"]),
        TemplateRule("group added to {Database}: name={Group}", ["Action": "group_added"]),
        // useradd -G, usermod -G/-aG
        TemplateRule("add '{User}' to group '{Group}'", ["Action": "group_member_added"]),
        TemplateRule("add '{User}' to shadow group '{Group}'", ["Action": "group_member_added", "Database": "/etc/gshadow"]),
        // usermod
        TemplateRule("change user name '{User}' to '{NewName}'", ["Action": "user_renamed"]),
        TemplateRule("change admin '{User}' to '{NewName}' in shadow group '{Group}'", ["Action": "group_member_renamed", "Database": "/etc/gshadow"]),
        TemplateRule("change '{User}' to '{NewName}' in shadow group '{Group}'", ["Action": "group_member_renamed", "Database": "/etc/gshadow"]),
        TemplateRule("change '{User}' to '{NewName}' in group '{Group}'", ["Action": "group_member_renamed"]),
        TemplateRule("change user '{User}' UID from '{OldValue}' to '{Uid}'", ["Action": "user_modified", "Attribute": "uid"]),
        TemplateRule("change user '{User}' GID from '{OldValue}' to '{Gid}'", ["Action": "user_modified", "Attribute": "gid"]),
        TemplateRule("change user '{User}' home from '{OldValue}' to '{Home}'", ["Action": "user_modified", "Attribute": "home"]),
        TemplateRule("change user '{User}' shell from '{OldValue}' to '{Shell}'", ["Action": "user_modified", "Attribute": "shell"]),
        TemplateRule("change user '{User}' expiration from '{OldValue}' to '{NewValue}'", ["Action": "user_modified", "Attribute": "expiration"]),
        TemplateRule("change user '{User}' inactive from '{OldValue}' to '{NewValue}'", ["Action": "user_modified", "Attribute": "inactive"]),
        TemplateRule("change user '{User}' password", ["Action": "password_changed"]),
        TemplateRule("lock user '{User}' password", ["Action": "password_locked"]),
        TemplateRule("unlock user '{User}' password", ["Action": "password_unlocked"]),
        // usermod -r, userdel
        TemplateRule("delete '{User}' from group '{Group}'", ["Action": "group_member_removed"]),
        TemplateRule("delete '{User}' from shadow group '{Group}'", ["Action": "group_member_removed", "Database": "/etc/gshadow"]),
        TemplateRule("delete user '{User}'", ["Action": "user_deleted"]),
        TemplateRule("removed group '{Group}' owned by '{User}'", ["Action": "group_deleted"]),
        TemplateRule("removed shadow group '{Group}' owned by '{User}'", ["Action": "group_deleted", "Database": "/etc/gshadow"]),
        // groupdel
        TemplateRule("group '{Group}' removed from {Database}", ["Action": "group_deleted"]),
        TemplateRule("group '{Group}' removed", ["Action": "group_deleted"]),
        // gpasswd
        TemplateRule("user {User:token} added by {InitiatingUser:token} to group {Group:token}", ["Action": "group_member_added"]),
        TemplateRule("user {User:token} removed by {InitiatingUser:token} from group {Group:token}", ["Action": "group_member_removed"]),
        TemplateRule("members of group {Group:token} set by {InitiatingUser:token} to {Members}", ["Action": "group_members_set"]),
        TemplateRule("administrators of group {Group:token} set by {InitiatingUser:token} to {Members}", ["Action": "group_administrators_set"]),
        TemplateRule("password of group {Group:token} changed by {InitiatingUser:token}", ["Action": "group_password_changed"]),
        TemplateRule("password of group {Group:token} removed by {InitiatingUser:token}", ["Action": "group_password_removed"]),
        TemplateRule("access to group {Group:token} restricted by {InitiatingUser:token}", ["Action": "group_restricted"]),
        // passwd
        TemplateRule("password for '{User}' changed by '{InitiatingUser}'", ["Action": "password_changed"]),
        TemplateRule("password locked for '{User}'", ["Action": "password_locked"]),
        TemplateRule("password changed for {User:token}", ["Action": "password_changed"]),
        // chsh, chfn, chage
        TemplateRule("changed user '{User}' shell to '{Shell}'", ["Action": "user_modified", "Attribute": "shell"]),
        TemplateRule("changed user '{User}' information", ["Action": "user_modified", "Attribute": "information"]),
        TemplateRule("changed password expiry for {User:token}", ["Action": "user_modified", "Attribute": "password_expiry"]),
    ]

    private static let groupChanged = Bytes.of("group changed in ")
    private static let groupOpen = Bytes.of(" (group ")
    private static let newName = Bytes.of(", new name: ")
    private static let newGid = Bytes.of(", new gid: ")

    /// groupmod: `group changed in /etc/group (group NAME/GID[, new name: X][, new password][, new gid: N])`
    /// (`/etc/gshadow` lines have no `/GID`).
    private static func appendGroupChange(_ message: ArraySlice<UInt8>, to fields: inout ParsedFields) {
        guard let rest = message.dropping(prefix: groupChanged),
              let open = rest.rangeOfFirst(groupOpen),
              rest.last == UInt8(ascii: ")")
        else { return }
        let database = rest[..<open.lowerBound]
        let change = rest[open.upperBound..<(rest.endIndex - 1)]
        let nameAndID = change.prefix { $0 != UInt8(ascii: ",") }
        guard !database.contains(byte: Bytes.space), !nameAndID.isEmpty, !nameAndID.contains(byte: Bytes.space) else { return }
        fields.append("Action", constant: "group_modified")
        fields.append("Database", database)
        if let slash = nameAndID.firstIndex(of: UInt8(ascii: "/")) {
            fields.append("Group", nonEmpty: nameAndID[..<slash])
            fields.append("Gid", nonEmpty: nameAndID[(slash + 1)...])
        } else {
            fields.append("Group", nameAndID)
        }
        if let found = change.rangeOfFirst(newName) {
            fields.append("NewName", nonEmpty: change[found.upperBound...].prefix { $0 != UInt8(ascii: ",") })
        }
        if let found = change.rangeOfFirst(newGid) {
            fields.append("NewGid", nonEmpty: change[found.upperBound...].prefix { $0 != UInt8(ascii: ",") })
        }
    }
}
