import Testing
@testable import Parse

@Suite struct PAMParserTests {
    static let cases: [ParserCase] = [
        ParserCase("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root", [
            "PamModule": "pam_unix", "PamService": "sshd", "PamType": "auth", "Outcome": "failure",
            "User": "root", "CallerUid": "0", "CallerEuid": "0", "Tty": "ssh", "RemoteHost": "1.2.3.4",
        ]),
        ParserCase("pam_unix(su-l:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=root", [
            "PamModule": "pam_unix", "PamService": "su-l", "PamType": "auth", "Outcome": "failure",
            "User": "root", "LoginName": "alice", "CallerUid": "1000", "CallerEuid": "0", "Tty": "/dev/pts/0",
            "RemoteUser": "alice",
        ]),
        ParserCase("pam_sss(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=tty1 ruser= rhost= user=bob", [
            "PamModule": "pam_sss", "PamService": "login", "PamType": "auth", "Outcome": "failure",
            "User": "bob", "LoginName": "LOGIN", "CallerUid": "0", "CallerEuid": "0", "Tty": "tty1",
        ]),
        ParserCase("pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", [
            "PamModule": "pam_unix", "PamService": "cron", "PamType": "session", "Outcome": "session_opened",
            "User": "root", "Uid": "0", "InitiatingUid": "0",
        ]),
        ParserCase("pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)", [
            "PamModule": "pam_unix", "PamService": "sudo", "PamType": "session", "Outcome": "session_opened",
            "User": "root", "Uid": "0", "InitiatingUser": "alice", "InitiatingUid": "1000",
        ]),
        ParserCase("pam_unix(su:session): session opened for user nobody by root(uid=0)", [
            "PamModule": "pam_unix", "PamService": "su", "PamType": "session", "Outcome": "session_opened",
            "User": "nobody", "InitiatingUser": "root", "InitiatingUid": "0",
        ]),
        ParserCase("pam_unix(su:session): session closed for user nobody", [
            "PamModule": "pam_unix", "PamService": "su", "PamType": "session", "Outcome": "session_closed", "User": "nobody",
        ]),
        ParserCase("pam_unix(passwd:chauthtok): password changed for eve", [
            "PamModule": "pam_unix", "PamService": "passwd", "PamType": "chauthtok", "Outcome": "password_changed", "User": "eve",
        ]),
        ParserCase("pam_unix(sshd:auth): check pass; user unknown", [
            "PamModule": "pam_unix", "PamService": "sshd", "PamType": "auth", "Outcome": "user_unknown",
        ]),
        // A value with a space breaks the fixed shape: the key=value list is not guessed at.
        ParserCase("pam_unix(rsh:auth): authentication failure; logname= uid=0 euid=0 tty= ruser=x rhost=10.1.1.1 rhost=10.9.9.9 user=root", [
            "PamModule": "pam_unix", "PamService": "rsh", "PamType": "auth", "Outcome": "failure",
        ]),
    ]

    @Test(arguments: cases)
    func readsMessage(_ testCase: ParserCase) {
        check(PAMParser(), testCase)
    }

    @Test(arguments: [
        "pam_limits(su:session): Could not set limit for 'nofile' to soft=1024, hard=32768: Operation not permitted; uid=0,euid=0",
        "pam_systemd(su:session): Failed to connect to system bus: No such file or directory",
        "pam_unix(sudo:auth): conversation failed",
        "pam_unix sshd:auth): authentication failure; logname=",
        "pam_unix(sshd auth): authentication failure; logname=",
        "pam_(x",
        "session opened for user root",
    ])
    func ignoresOtherMessages(_ message: String) {
        #expect(parsedFields(PAMParser(), message: message).isEmpty)
    }
}
