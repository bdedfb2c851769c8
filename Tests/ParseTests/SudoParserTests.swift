import Testing
@testable import Parse

@Suite struct SudoParserTests {
    static let cases: [ParserCase] = [
        ParserCase("alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id", [
            "User": "alice", "Outcome": "success", "Tty": "pts/0", "TTY": "pts/0", "CurrentDirectory": "/home/alice",
            "PWD": "/home/alice", "TargetUser": "root", "USER": "root", "Command": "/usr/bin/id", "COMMAND": "/usr/bin/id",
        ]),
        ParserCase("    root : TTY=pts/1 ; PWD=/root ; USER=postgres ; GROUP=postgres ; ENV=PGDATA=/srv/db ; COMMAND=/usr/bin/psql -c select 1 ; drop", [
            "User": "root", "Outcome": "success", "Tty": "pts/1", "TTY": "pts/1", "CurrentDirectory": "/root", "PWD": "/root",
            "TargetUser": "postgres", "USER": "postgres", "TargetGroup": "postgres", "GROUP": "postgres",
            "ENV": "PGDATA=/srv/db", "Command": "/usr/bin/psql -c select 1 ; drop", "COMMAND": "/usr/bin/psql -c select 1 ; drop",
        ]),
        ParserCase("alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/sh", [
            "User": "alice", "Outcome": "failure", "Reason": "3 incorrect password attempts", "FailedAttempts": "3",
            "Tty": "pts/0", "TTY": "pts/0", "CurrentDirectory": "/home/alice", "PWD": "/home/alice",
            "TargetUser": "root", "USER": "root", "Command": "/bin/sh", "COMMAND": "/bin/sh",
        ]),
        ParserCase("alice : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/sh", [
            "User": "alice", "Outcome": "failure", "Reason": "1 incorrect password attempt", "FailedAttempts": "1",
            "Tty": "pts/0", "TTY": "pts/0", "CurrentDirectory": "/", "PWD": "/",
            "TargetUser": "root", "USER": "root", "Command": "/bin/sh", "COMMAND": "/bin/sh",
        ]),
        ParserCase("mallory : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash", [
            "User": "mallory", "Outcome": "not_in_sudoers", "Reason": "user NOT in sudoers",
            "Tty": "pts/2", "TTY": "pts/2", "CurrentDirectory": "/tmp", "PWD": "/tmp",
            "TargetUser": "root", "USER": "root", "Command": "/bin/bash", "COMMAND": "/bin/bash",
        ]),
        ParserCase("bob : command not allowed ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash", [
            "User": "bob", "Outcome": "not_allowed", "Reason": "command not allowed",
            "Tty": "pts/2", "TTY": "pts/2", "CurrentDirectory": "/tmp", "PWD": "/tmp",
            "TargetUser": "root", "USER": "root", "Command": "/bin/bash", "COMMAND": "/bin/bash",
        ]),
        ParserCase("bob : TTY=pts/2 ; PWD=/tmp ; USER=#-1 ; COMMAND=/usr/bin/id", [
            "User": "bob", "Outcome": "success", "Tty": "pts/2", "TTY": "pts/2", "CurrentDirectory": "/tmp", "PWD": "/tmp",
            "TargetUser": "#-1", "USER": "#-1", "Command": "/usr/bin/id", "COMMAND": "/usr/bin/id",
        ]),
        ParserCase("pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=alice", [
            "User": "alice", "Outcome": "failure", "Tty": "/dev/pts/0",
        ]),
        ParserCase("pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)", [
            "User": "alice", "TargetUser": "root", "Outcome": "session_opened",
        ]),
        ParserCase("pam_unix(sudo:session): session closed for user root", [
            "TargetUser": "root", "Outcome": "session_closed",
        ]),
    ]

    @Test(arguments: cases)
    func readsMessage(_ testCase: ParserCase) {
        check(SudoParser(), testCase)
    }

    /// The working directory and the command line are the invoking user's text.
    static let injections: [ParserCase] = [
        ParserCase("bob : TTY=pts/2 ; PWD=/tmp/x ; USER=root ; USER=#-1 ; COMMAND=/usr/bin/id", [
            "User": "bob", "Outcome": "success", "Tty": "pts/2", "TTY": "pts/2", "CurrentDirectory": "/tmp/x", "PWD": "/tmp/x",
            "TargetUser": "root", "USER": "root", "Command": "/usr/bin/id", "COMMAND": "/usr/bin/id", "Ambiguous": "true",
        ]),
        ParserCase("bob : TTY=pts/2 ; PWD=/tmp ; USER=#-1 ; COMMAND=/bin/echo ; USER=root ; COMMAND=/bin/true", [
            "User": "bob", "Outcome": "success", "Tty": "pts/2", "TTY": "pts/2", "CurrentDirectory": "/tmp", "PWD": "/tmp",
            "TargetUser": "#-1", "USER": "#-1", "Command": "/bin/echo ; USER=root ; COMMAND=/bin/true",
            "COMMAND": "/bin/echo ; USER=root ; COMMAND=/bin/true", "Ambiguous": "true",
        ]),
        ParserCase("bob : TTY=pts/2 ; PWD=/tmp/a ; b ; USER=root ; COMMAND=/usr/bin/id", [
            "User": "bob", "Outcome": "success", "Tty": "pts/2", "TTY": "pts/2", "CurrentDirectory": "/tmp/a ; b",
            "PWD": "/tmp/a ; b", "TargetUser": "root", "USER": "root", "Command": "/usr/bin/id", "COMMAND": "/usr/bin/id",
        ]),
    ]

    @Test(arguments: injections)
    func flagsAmbiguousLines(_ testCase: ParserCase) {
        check(SudoParser(), testCase)
    }

    @Test(arguments: [
        "alice : (command continued) ; USER=root",
        "alice : unable to resolve host vm: Name or service not known",
        "a b : TTY=pts/0 ; USER=root ; COMMAND=/bin/id",
        " : TTY=pts/0 ; COMMAND=/bin/id",
        "pam_unix(sudo:auth): conversation failed",
        "pam_unix(sudo:auth): check pass; user unknown",
        "unable to open /etc/sudoers",
    ])
    func ignoresOtherMessages(_ message: String) {
        #expect(parsedFields(SudoParser(), message: message).isEmpty)
    }
}
