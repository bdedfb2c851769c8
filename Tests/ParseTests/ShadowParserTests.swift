import Testing
@testable import Parse

/// Messages as shadow-utils 4.13 (Debian 12) logged them on a test machine, plus a few from
/// the current shadow sources.
@Suite struct ShadowParserTests {
    static let cases: [ParserCase] = [
        ParserCase("new user: name=eve, UID=1001, GID=1001, home=/home/eve, shell=/bin/bash, from=/dev/pts/0", [
            "Action": "user_added", "User": "eve", "Uid": "1001", "Gid": "1001", "Home": "/home/eve",
            "Shell": "/bin/bash", "From": "/dev/pts/0",
        ]),
        ParserCase("new user: name=cordonpx, UID=1001, GID=1001, home=/home/cordonpx, shell=/bin/bash, from=none", [
            "Action": "user_added", "User": "cordonpx", "Uid": "1001", "Gid": "1001", "Home": "/home/cordonpx",
            "Shell": "/bin/bash", "From": "none",
        ]),
        ParserCase("new user: name=old, UID=5, GID=5, home=/, shell=/bin/sh", [
            "Action": "user_added", "User": "old", "Uid": "5", "Gid": "5", "Home": "/", "Shell": "/bin/sh",
        ]),
        ParserCase("new group: name=eve, GID=1001", ["Action": "group_added", "Group": "eve", "Gid": "1001"]),
        ParserCase("group added to /etc/group: name=cordongx, GID=1002", [
            "Action": "group_added", "Group": "cordongx", "Gid": "1002", "Database": "/etc/group",
        ]),
        ParserCase("group added to /etc/gshadow: name=cordongx", [
            "Action": "group_added", "Group": "cordongx", "Database": "/etc/gshadow",
        ]),
        ParserCase("add 'eve' to group 'sudo'", ["Action": "group_member_added", "User": "eve", "Group": "sudo"]),
        ParserCase("add 'eve' to shadow group 'sudo'", [
            "Action": "group_member_added", "User": "eve", "Group": "sudo", "Database": "/etc/gshadow",
        ]),
        ParserCase("change user 'eve' shell from '/bin/bash' to '/bin/sh'", [
            "Action": "user_modified", "Attribute": "shell", "User": "eve", "OldValue": "/bin/bash", "Shell": "/bin/sh",
        ]),
        ParserCase("change user 'cordonpz' UID from '1001' to '0'", [
            "Action": "user_modified", "Attribute": "uid", "User": "cordonpz", "OldValue": "1001", "Uid": "0",
        ]),
        ParserCase("change user 'cordonpz' GID from '1002' to '100'", [
            "Action": "user_modified", "Attribute": "gid", "User": "cordonpz", "OldValue": "1002", "Gid": "100",
        ]),
        ParserCase("change user 'cordonpz' home from '/home/cordonpz' to '/tmp/cz'", [
            "Action": "user_modified", "Attribute": "home", "User": "cordonpz", "OldValue": "/home/cordonpz", "Home": "/tmp/cz",
        ]),
        ParserCase("change user 'cordonpz' expiration from 'never' to '2030-01-01'", [
            "Action": "user_modified", "Attribute": "expiration", "User": "cordonpz", "OldValue": "never", "NewValue": "2030-01-01",
        ]),
        ParserCase("change user name 'cordonpx' to 'cordonpy'", ["Action": "user_renamed", "User": "cordonpx", "NewName": "cordonpy"]),
        ParserCase("change 'cordonpx' to 'cordonpy' in group 'cordongx'", [
            "Action": "group_member_renamed", "User": "cordonpx", "NewName": "cordonpy", "Group": "cordongx",
        ]),
        ParserCase("change 'cordonpx' to 'cordonpy' in shadow group 'cordongx'", [
            "Action": "group_member_renamed", "User": "cordonpx", "NewName": "cordonpy", "Group": "cordongx", "Database": "/etc/gshadow",
        ]),
        ParserCase("lock user 'cordonpy' password", ["Action": "password_locked", "User": "cordonpy"]),
        ParserCase("unlock user 'cordonpy' password", ["Action": "password_unlocked", "User": "cordonpy"]),
        ParserCase("change user 'cordonpy' password", ["Action": "password_changed", "User": "cordonpy"]),
        ParserCase("delete user 'eve'\n", ["Action": "user_deleted", "User": "eve"]),
        ParserCase("delete 'eve' from group 'sudo'", ["Action": "group_member_removed", "User": "eve", "Group": "sudo"]),
        ParserCase("delete 'eve' from shadow group 'sudo'", [
            "Action": "group_member_removed", "User": "eve", "Group": "sudo", "Database": "/etc/gshadow",
        ]),
        ParserCase("removed group 'cordonsys' owned by 'cordonsys'", ["Action": "group_deleted", "Group": "cordonsys", "User": "cordonsys"]),
        ParserCase("removed shadow group 'cordonsys' owned by 'cordonsys'", [
            "Action": "group_deleted", "Group": "cordonsys", "User": "cordonsys", "Database": "/etc/gshadow",
        ]),
        ParserCase("group 'cordongx' removed from /etc/group", ["Action": "group_deleted", "Group": "cordongx", "Database": "/etc/group"]),
        ParserCase("group 'cordongx' removed", ["Action": "group_deleted", "Group": "cordongx"]),
        ParserCase("group changed in /etc/group (group cordonga/1888, new name: cordongb)", [
            "Action": "group_modified", "Database": "/etc/group", "Group": "cordonga", "Gid": "1888", "NewName": "cordongb",
        ]),
        ParserCase("group changed in /etc/gshadow (group cordonga, new name: cordongb)", [
            "Action": "group_modified", "Database": "/etc/gshadow", "Group": "cordonga", "NewName": "cordongb",
        ]),
        ParserCase("group changed in /etc/passwd (group cordongb/1888, new name: x, new gid: 1889)", [
            "Action": "group_modified", "Database": "/etc/passwd", "Group": "cordongb", "Gid": "1888", "NewName": "x", "NewGid": "1889",
        ]),
        ParserCase("user cordonpx added by root to group sudo", [
            "Action": "group_member_added", "User": "cordonpx", "InitiatingUser": "root", "Group": "sudo",
        ]),
        ParserCase("user cordonpx removed by root from group sudo", [
            "Action": "group_member_removed", "User": "cordonpx", "InitiatingUser": "root", "Group": "sudo",
        ]),
        ParserCase("members of group cordongb set by root to cordonpz,eve", [
            "Action": "group_members_set", "Group": "cordongb", "InitiatingUser": "root", "Members": "cordonpz,eve",
        ]),
        ParserCase("administrators of group cordongb set by root to cordonpz", [
            "Action": "group_administrators_set", "Group": "cordongb", "InitiatingUser": "root", "Members": "cordonpz",
        ]),
        ParserCase("password of group cordongb removed by root", [
            "Action": "group_password_removed", "Group": "cordongb", "InitiatingUser": "root",
        ]),
        ParserCase("password of group cordongb changed by root", [
            "Action": "group_password_changed", "Group": "cordongb", "InitiatingUser": "root",
        ]),
        ParserCase("password for 'cordonpz' changed by 'root'", ["Action": "password_changed", "User": "cordonpz", "InitiatingUser": "root"]),
        ParserCase("password changed for eve", ["Action": "password_changed", "User": "eve"]),
        ParserCase("pam_unix(passwd:chauthtok): password changed for eve", ["Action": "password_changed", "User": "eve"]),
        ParserCase("pam_unix(chpasswd:chauthtok): password changed for cordonpx", ["Action": "password_changed", "User": "cordonpx"]),
        ParserCase("changed user 'cordonpy' shell to '/bin/bash'", [
            "Action": "user_modified", "Attribute": "shell", "User": "cordonpy", "Shell": "/bin/bash",
        ]),
        ParserCase("changed user 'cordonpz' information", ["Action": "user_modified", "Attribute": "information", "User": "cordonpz"]),
        ParserCase("changed password expiry for cordonpz", ["Action": "user_modified", "Attribute": "password_expiry", "User": "cordonpz"]),
    ]

    @Test(arguments: cases)
    func readsMessage(_ testCase: ParserCase) {
        check(ShadowParser(), testCase)
    }

    @Test(arguments: [
        "useradd defaults: GROUP=100, HOME=/home, SHELL=/bin/sh",
        "failed adding user 'x', data deleted",
        "cannot open /etc/passwd",
        "pam_unix(passwd:chauthtok): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=",
        "group changed in /etc/group",
        "group changed in /etc/group (group )",
        "new user: name=x",
        "user x added by",
    ])
    func ignoresOtherMessages(_ message: String) {
        #expect(parsedFields(ShadowParser(), message: message).isEmpty)
    }
}
