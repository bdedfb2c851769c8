import Journal
import Testing
@testable import Parse

@Suite struct SSHDParserTests {
    static let cases: [ParserCase] = [
        ParserCase("Accepted password for alice from 10.0.0.5 port 50122 ssh2", [
            "Outcome": "success", "User": "alice", "SourceIp": "10.0.0.5", "SourcePort": "50122",
            "AuthMethod": "password", "InvalidUser": "false", "Preauth": "false",
        ]),
        ParserCase("Accepted publickey for root from 192.168.1.9 port 2222 ssh2: RSA SHA256:AbCdEf0123+/xyz", [
            "Outcome": "success", "User": "root", "SourceIp": "192.168.1.9", "SourcePort": "2222",
            "AuthMethod": "publickey", "InvalidUser": "false", "Preauth": "false",
            "KeyType": "RSA", "KeyFingerprint": "SHA256:AbCdEf0123+/xyz",
        ]),
        ParserCase("Accepted publickey for deploy from 2001:db8::7 port 40000 ssh2: ED25519-CERT SHA256:q1 ID ci from 6.6.6.6 port 1 ssh2 (serial 4) CA ED25519 SHA256:q2", [
            "Outcome": "success", "User": "deploy", "SourceIp": "2001:db8::7", "SourcePort": "40000",
            "AuthMethod": "publickey", "InvalidUser": "false", "Preauth": "false",
            "KeyType": "ED25519-CERT", "KeyFingerprint": "SHA256:q1",
        ]),
        ParserCase("Accepted keyboard-interactive/pam for carol from fe80::1%eth0 port 5 ssh2", [
            "Outcome": "success", "User": "carol", "SourceIp": "fe80::1%eth0", "SourcePort": "5",
            "AuthMethod": "keyboard-interactive/pam", "InvalidUser": "false", "Preauth": "false",
        ]),
        ParserCase("Failed password for invalid user bob from 1.2.3.4 port 4242 ssh2", [
            "Outcome": "failure", "User": "bob", "SourceIp": "1.2.3.4", "SourcePort": "4242",
            "AuthMethod": "password", "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Failed password for root from 1.2.3.4 port 4242 ssh2", [
            "Outcome": "failure", "User": "root", "SourceIp": "1.2.3.4", "SourcePort": "4242",
            "AuthMethod": "password", "InvalidUser": "false", "Preauth": "false",
        ]),
        ParserCase("Failed publickey for alice from 1.2.3.4 port 4242 ssh2: ECDSA SHA256:zz", [
            "Outcome": "failure", "User": "alice", "SourceIp": "1.2.3.4", "SourcePort": "4242",
            "AuthMethod": "publickey", "InvalidUser": "false", "Preauth": "false",
            "KeyType": "ECDSA", "KeyFingerprint": "SHA256:zz",
        ]),
        ParserCase("Failed none for invalid user admin from 1.2.3.4 port 4242 ssh2 [preauth]", [
            "Outcome": "failure", "User": "admin", "SourceIp": "1.2.3.4", "SourcePort": "4242",
            "AuthMethod": "none", "InvalidUser": "true", "Preauth": "true",
        ]),
        ParserCase("Failed keyboard-interactive/pam for invalid user guest from ::ffff:10.1.2.3 port 22 ssh2", [
            "Outcome": "failure", "User": "guest", "SourceIp": "::ffff:10.1.2.3", "SourcePort": "22",
            "AuthMethod": "keyboard-interactive/pam", "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Partial publickey for alice from 10.0.0.5 port 50122 ssh2: ED25519 SHA256:k", [
            "Outcome": "partial", "User": "alice", "SourceIp": "10.0.0.5", "SourcePort": "50122",
            "AuthMethod": "publickey", "InvalidUser": "false", "Preauth": "false",
            "KeyType": "ED25519", "KeyFingerprint": "SHA256:k",
        ]),
        ParserCase("Postponed keyboard-interactive for alice from 10.0.0.5 port 50122 ssh2 [preauth]", [
            "Outcome": "postponed", "User": "alice", "SourceIp": "10.0.0.5", "SourcePort": "50122",
            "AuthMethod": "keyboard-interactive", "InvalidUser": "false", "Preauth": "true",
        ]),
        ParserCase("Invalid user bob from 1.2.3.4 port 4242", [
            "Outcome": "invalid_user", "User": "bob", "SourceIp": "1.2.3.4", "SourcePort": "4242",
            "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Invalid user bob from 1.2.3.4", [
            "Outcome": "invalid_user", "User": "bob", "SourceIp": "1.2.3.4", "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root", [
            "Outcome": "failure", "User": "root", "SourceIp": "1.2.3.4", "Preauth": "false",
        ]),
        ParserCase("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4", [
            "Outcome": "failure", "SourceIp": "1.2.3.4", "Preauth": "false",
        ]),
        ParserCase("pam_unix(sshd:auth): check pass; user unknown", [
            "Outcome": "invalid_user", "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)", [
            "Outcome": "session_opened", "User": "alice", "Preauth": "false",
        ]),
        ParserCase("pam_unix(sshd:session): session closed for user alice", [
            "Outcome": "session_closed", "User": "alice", "Preauth": "false",
        ]),
        ParserCase("PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root", [
            "Outcome": "failure", "User": "root", "SourceIp": "1.2.3.4", "FailedAttempts": "2", "Preauth": "false",
        ]),
        ParserCase("ROOT LOGIN REFUSED FROM 1.2.3.4 port 4242", [
            "Outcome": "refused", "User": "root", "SourceIp": "1.2.3.4", "SourcePort": "4242", "Preauth": "false",
        ]),
        ParserCase("ROOT LOGIN REFUSED FROM 1.2.3.4", [
            "Outcome": "refused", "User": "root", "SourceIp": "1.2.3.4", "Preauth": "false",
        ]),
        ParserCase("User root from 1.2.3.4 not allowed because not listed in AllowUsers", [
            "Outcome": "refused", "User": "root", "SourceIp": "1.2.3.4", "InvalidUser": "false", "Preauth": "false",
        ]),
        ParserCase("User bob from host.example.org not allowed because account is locked", [
            "Outcome": "refused", "User": "bob", "InvalidUser": "false", "Preauth": "false",
        ]),
        ParserCase("Disconnected from authenticating user root 1.2.3.4 port 22 [preauth]", [
            "Outcome": "disconnect", "User": "root", "SourceIp": "1.2.3.4", "SourcePort": "22",
            "InvalidUser": "false", "Preauth": "true",
        ]),
        ParserCase("Disconnected from user alice 10.0.0.5 port 50122", [
            "Outcome": "disconnect", "User": "alice", "SourceIp": "10.0.0.5", "SourcePort": "50122",
            "InvalidUser": "false", "Preauth": "false",
        ]),
        ParserCase("Disconnected from 10.0.0.5 port 50122", [
            "Outcome": "disconnect", "SourceIp": "10.0.0.5", "SourcePort": "50122", "Preauth": "false",
        ]),
        ParserCase("Connection closed by invalid user x 1.2.3.4 port 5 [preauth]", [
            "Outcome": "disconnect", "User": "x", "SourceIp": "1.2.3.4", "SourcePort": "5",
            "InvalidUser": "true", "Preauth": "true",
        ]),
        ParserCase("Connection closed by 1.2.3.4 port 5 [preauth]", [
            "Outcome": "disconnect", "SourceIp": "1.2.3.4", "SourcePort": "5", "Preauth": "true",
        ]),
        ParserCase("Connection reset by authenticating user root 1.2.3.4 port 5 [preauth]", [
            "Outcome": "disconnect", "User": "root", "SourceIp": "1.2.3.4", "SourcePort": "5",
            "InvalidUser": "false", "Preauth": "true",
        ]),
        ParserCase("Received disconnect from 1.2.3.4 port 5:11: Bye Bye [preauth]", [
            "Outcome": "disconnect", "SourceIp": "1.2.3.4", "SourcePort": "5", "Preauth": "true",
        ]),
        ParserCase("Received disconnect from 2001:db8::1 port 5:11: disconnected by user", [
            "Outcome": "disconnect", "SourceIp": "2001:db8::1", "SourcePort": "5", "Preauth": "false",
        ]),
        ParserCase("error: maximum authentication attempts exceeded for root from 1.2.3.4 port 22 ssh2 [preauth]", [
            "Outcome": "too_many_failures", "User": "root", "SourceIp": "1.2.3.4", "SourcePort": "22",
            "InvalidUser": "false", "Preauth": "true",
        ]),
        ParserCase("error: maximum authentication attempts exceeded for invalid user admin from 1.2.3.4 port 22 ssh2 [preauth]", [
            "Outcome": "too_many_failures", "User": "admin", "SourceIp": "1.2.3.4", "SourcePort": "22",
            "InvalidUser": "true", "Preauth": "true",
        ]),
        ParserCase("Disconnecting authenticating user root 1.2.3.4 port 22: Too many authentication failures [preauth]", [
            "Outcome": "too_many_failures", "User": "root", "SourceIp": "1.2.3.4", "SourcePort": "22",
            "InvalidUser": "false", "Preauth": "true",
        ]),
        ParserCase("Disconnecting invalid user admin 1.2.3.4 port 22: Too many authentication failures [preauth]", [
            "Outcome": "too_many_failures", "User": "admin", "SourceIp": "1.2.3.4", "SourcePort": "22",
            "InvalidUser": "true", "Preauth": "true",
        ]),
        ParserCase("drop connection #0 from [1.2.3.4]:51234 on [10.0.0.1]:22 penalty: failed authentication", [
            "Outcome": "refused", "SourceIp": "1.2.3.4", "SourcePort": "51234", "Preauth": "false",
        ]),
    ]

    @Test(arguments: cases)
    func readsMessage(_ testCase: ParserCase) {
        check(SSHDParser(), testCase)
    }

    /// User names are the client's choice: they may hold spaces and text that looks like the
    /// rest of the message. The address and port always come from the fixed end.
    static let injections: [ParserCase] = [
        ParserCase("Failed password for invalid user x from 10.1.1.1 port 1 from 10.9.9.9 port 22 ssh2", [
            "Outcome": "failure", "User": "x from 10.1.1.1 port 1", "SourceIp": "10.9.9.9", "SourcePort": "22",
            "AuthMethod": "password", "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Failed password for invalid user x from 10.1.1.1 port 1 ssh2 from 10.9.9.9 port 22 ssh2", [
            "Outcome": "failure", "User": "x from 10.1.1.1 port 1 ssh2", "SourceIp": "10.9.9.9", "SourcePort": "22",
            "AuthMethod": "password", "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Failed password for invalid user root from 10.1.1.1 port 1 ssh2 [preauth] from 10.9.9.9 port 22 ssh2", [
            "Outcome": "failure", "User": "root from 10.1.1.1 port 1 ssh2 [preauth]", "SourceIp": "10.9.9.9",
            "SourcePort": "22", "AuthMethod": "password", "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Failed password for invalid user invalid user root from 10.9.9.9 port 22 ssh2", [
            "Outcome": "failure", "User": "invalid user root", "SourceIp": "10.9.9.9", "SourcePort": "22",
            "AuthMethod": "password", "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Invalid user x from 10.1.1.1 port 1 from 10.9.9.9 port 22", [
            "Outcome": "invalid_user", "User": "x from 10.1.1.1 port 1", "SourceIp": "10.9.9.9", "SourcePort": "22",
            "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Connection closed by invalid user x 10.1.1.1 port 1 10.9.9.9 port 22 [preauth]", [
            "Outcome": "disconnect", "User": "x 10.1.1.1 port 1", "SourceIp": "10.9.9.9", "SourcePort": "22",
            "InvalidUser": "true", "Preauth": "true",
        ]),
        ParserCase("Disconnecting invalid user x 10.1.1.1 port 1: Too many authentication failures 10.9.9.9 port 22: Too many authentication failures [preauth]", [
            "Outcome": "too_many_failures", "User": "x 10.1.1.1 port 1: Too many authentication failures",
            "SourceIp": "10.9.9.9", "SourcePort": "22", "InvalidUser": "true", "Preauth": "true",
        ]),
        // The reason of a client's disconnect is the client's text; the address comes before it.
        ParserCase("Received disconnect from 10.9.9.9 port 22:11: x from 10.1.1.1 port 1 [preauth]", [
            "Outcome": "disconnect", "SourceIp": "10.9.9.9", "SourcePort": "22", "Preauth": "true",
        ]),
        ParserCase("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.9.9.9  user=x rhost=10.1.1.1", [
            "Outcome": "failure", "User": "x rhost=10.1.1.1", "SourceIp": "10.9.9.9", "Preauth": "false",
        ]),
        // A non-address where the address belongs is not reported as SourceIp.
        ParserCase("Failed password for invalid user x from evil.example port 22 ssh2", [
            "Outcome": "failure", "User": "x", "SourcePort": "22", "AuthMethod": "password",
            "InvalidUser": "true", "Preauth": "false",
        ]),
        ParserCase("Failed password for x from 1.2.3.4 port 99999 ssh2", [
            "Outcome": "failure", "User": "x", "SourceIp": "1.2.3.4", "AuthMethod": "password",
            "InvalidUser": "false", "Preauth": "false",
        ]),
        ParserCase("Failed password for x from 999.2.3.4 port 22 ssh2", [
            "Outcome": "failure", "User": "x", "SourcePort": "22", "AuthMethod": "password",
            "InvalidUser": "false", "Preauth": "false",
        ]),
    ]

    @Test(arguments: injections)
    func takesAddressFromFixedEnd(_ testCase: ParserCase) {
        check(SSHDParser(), testCase)
    }

    @Test(arguments: [
        "Server listening on 0.0.0.0 port 22.",
        "Accepted password for alice from 10.0.0.5 port ssh2",
        "Accepted password",
        "Failed password for",
        "Invalid user",
        "Connection closed by",
        "Disconnecting: Too many authentication failures for root",
        "Disconnecting authenticating user root 1.2.3.4 port 22: Change of username or service not allowed: (a,b) -> (c,d)",
        "Received disconnect from 1.2.3.4: 11: Bye",
        "User child is on pid 1234",
        "pam_unix(sshd:auth): something else",
        "PAM service(sshd) ignoring max retries; 6 > 3",
        "ROOT LOGIN REFUSED FROM ",
        "",
    ])
    func ignoresOtherMessages(_ message: String) {
        #expect(parsedFields(SSHDParser(), message: message).isEmpty)
    }

    @Test func readsSshdSessionEntries() {
        // OpenSSH ≥ 9.8 logs authentication from sshd-session with the same text.
        let entry = JournalEntry(["MESSAGE": "Accepted password for alice from 10.0.0.5 port 50122 ssh2", "_COMM": "sshd-session"])
        #expect(parsedFields(SSHDParser(), entry)["User"] == "alice")
    }
}
