import Testing
@testable import Parse

@Suite struct SuParserTests {
    static let cases: [ParserCase] = [
        ParserCase("(to root) alice on pts/0", ["User": "alice", "TargetUser": "root", "Tty": "pts/0", "Outcome": "success"]),
        ParserCase("(to nobody) root on none", ["User": "root", "TargetUser": "nobody", "Tty": "none", "Outcome": "success"]),
        ParserCase("FAILED SU (to root) alice on pts/0", ["User": "alice", "TargetUser": "root", "Tty": "pts/0", "Outcome": "failure"]),
        ParserCase("FAILED RUNUSER (to www-data) root on none", ["User": "root", "TargetUser": "www-data", "Tty": "none", "Outcome": "failure"]),
        ParserCase("+ /dev/pts/0 alice:root", ["User": "alice", "TargetUser": "root", "Tty": "/dev/pts/0", "Outcome": "success"]),
        ParserCase("pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=root", [
            "User": "alice", "TargetUser": "root", "Tty": "/dev/pts/0", "Outcome": "failure",
        ]),
        ParserCase("pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)", [
            "User": "alice", "TargetUser": "root", "Outcome": "session_opened",
        ]),
        ParserCase("pam_unix(su-l:session): session opened for user nobody(uid=65534) by (uid=0)", [
            "TargetUser": "nobody", "Outcome": "session_opened",
        ]),
        ParserCase("pam_unix(su:session): session closed for user root", ["TargetUser": "root", "Outcome": "session_closed"]),
    ]

    @Test(arguments: cases)
    func readsMessage(_ testCase: ParserCase) {
        check(SuParser(), testCase)
    }

    @Test(arguments: [
        "(to root) alice",
        "(to root alice on pts/0",
        "FAILED SU (to root) alice bob on pts/0",
        "pam_unix(su:auth): conversation failed",
        "Attempted login by UNKNOWN (UID: 65534) on UNKNOWN",
    ])
    func ignoresOtherMessages(_ message: String) {
        #expect(parsedFields(SuParser(), message: message).isEmpty)
    }
}
