import Parse
import Testing
@testable import Detect

extension TemplateMiner {
    @discardableResult
    fileprivate mutating func add(_ message: String, source: String = "sshd", at realtime: UInt64 = 1) -> Outcome {
        add(bytes: Array(message.utf8), source: source, at: realtime)
    }

    @discardableResult
    fileprivate mutating func add(bytes message: [UInt8], source: String = "sshd", at realtime: UInt64 = 1) -> Outcome {
        let name = Array(source.utf8)
        return name.withUnsafeBytes { name in
            message.withUnsafeBytes { message in categorise(source: name, message: message, realtime: realtime) }
        }
    }

    fileprivate func template(_ outcome: Outcome) -> String { category(at: outcome.slot).template }

    /// Every category as (slot, category), in `forEachCategory`'s order.
    fileprivate var all: [(Int32, Category)] {
        var result: [(Int32, Category)] = []
        forEachCategory { result.append(($0, $1)) }
        return result
    }
}

/// A small deterministic generator (64-bit LCG), so runs repeat exactly.
private struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11
    }
    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    /// A word of random lowercase letters (no digits, so it stays a literal token).
    mutating func word() -> String {
        String(decoding: (0..<(3 + next(6))).map { _ in UInt8(ascii: "a") + UInt8(next(26)) }, as: UTF8.self)
    }
    mutating func ip() -> String { "\(next(223) + 1).\(next(256)).\(next(256)).\(next(256))" }
}

@Suite struct TemplateMinerTests {
    /// Feeds `lines`, expects them all in one category with `template`, and returns its outcome.
    @discardableResult
    private func expectOneCategory(_ miner: inout TemplateMiner, _ lines: [String], source: String = "sshd", template: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) -> TemplateMiner.Outcome? {
        let outcomes = lines.map { miner.add($0, source: source) }
        #expect(Set(outcomes.map(\.identifier)).count == 1, "\(lines)", sourceLocation: sourceLocation)
        guard let last = outcomes.last else { return nil }
        #expect(miner.template(last) == template, sourceLocation: sourceLocation)
        return last
    }

    @Test func sshdLinesOfOneShapeShareACategory() {
        var miner = TemplateMiner()
        let failed = expectOneCategory(&miner, [
            "Failed password for root from 203.0.113.9 port 22 ssh2",
            "Failed password for admin from 10.0.0.5 port 52311 ssh2",
            "Failed password for jdoe from 2001:db8::7 port 4022 ssh2",
        ], template: "Failed password for <USER> from <IP> port <NUM> ssh2")
        let invalid = expectOneCategory(&miner, [
            "Failed password for invalid user admin from 203.0.113.9 port 22 ssh2",
            "Failed password for invalid user oracle from 198.51.100.23 port 40022 ssh2",
        ], template: "Failed password for invalid user <USER> from <IP> port <NUM> ssh2")
        let invalidUser = expectOneCategory(&miner, [
            "Invalid user admin from 203.0.113.9 port 22",
            "Invalid user test123 from 198.51.100.23 port 51000",
        ], template: "Invalid user <USER> from <IP> port <NUM>")
        let accepted = expectOneCategory(&miner, [
            "Accepted publickey for jdoe from 10.0.0.1 port 50000 ssh2: RSA SHA256:Jm6mY0Hc7aBcDeFgHiJkLmNoPqRsTuVwXyZ",
            "Accepted publickey for alice from 10.0.0.2 port 50001 ssh2: RSA SHA256:Qw3rTy9UiOpAsDfGhJkLzXcVbNm1234567",
        ], template: "Accepted publickey for <USER> from <IP> port <NUM> ssh2: RSA SHA256:<ID>")
        let disconnected = expectOneCategory(&miner, [
            "Disconnected from user jdoe 10.0.0.1 port 50000",
            "Disconnected from user alice 10.0.0.2 port 50001",
        ], template: "Disconnected from user <USER> <IP> port <NUM>")
        let closed = expectOneCategory(&miner, [
            "Connection closed by 203.0.113.9 port 22 [preauth]",
            "Connection closed by 198.51.100.23 port 61000 [preauth]",
        ], template: "Connection closed by <IP> port <NUM> [preauth]")
        let closedInvalid = expectOneCategory(&miner, [
            "Connection closed by invalid user admin 203.0.113.9 port 22 [preauth]",
            "Connection closed by invalid user guest 198.51.100.23 port 61000 [preauth]",
        ], template: "Connection closed by invalid user <USER> <IP> port <NUM> [preauth]")
        // sshd's empty user name: "from" is no name.
        let empty = miner.add("Invalid user  from 203.0.113.9 port 22")
        #expect(miner.template(empty) == "Invalid user from <IP> port <NUM>")
        let identifiers = [failed, invalid, invalidUser, accepted, disconnected, closed, closedInvalid].map { $0?.identifier }
        #expect(Set(identifiers).count == 7)
        #expect(miner.count == 8)
        #expect(miner.evictions == 0)
    }

    @Test func sudoPamAndSystemdLines() {
        var miner = TemplateMiner()
        expectOneCategory(&miner, [
            "jdoe : TTY=pts/0 ; PWD=/home/jdoe ; USER=root ; COMMAND=/usr/bin/apt update",
            "alice : TTY=pts/3 ; PWD=/srv/app ; USER=postgres ; COMMAND=/usr/bin/psql update",
        ], source: "sudo", template: "<USER> : TTY=<ID> ; PWD=<PATH> ; USER=<USER> ; COMMAND=<PATH> update")
        let generalised = miner.add("bob : TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/apt upgrade", source: "sudo")
        #expect(!generalised.isNew && generalised.generalised)
        #expect(miner.template(generalised) == "<USER> : TTY=<ID> ; PWD=<PATH> ; USER=<USER> ; COMMAND=<PATH> <*>")
        #expect(!miner.add("carol : TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/bin/ls list", source: "sudo").generalised)

        expectOneCategory(&miner, [
            "pam_unix(sshd:session): session opened for user jdoe(uid=1000) by (uid=0)",
            "pam_unix(sshd:session): session opened for user alice(uid=1001) by (uid=0)",
        ], template: "pam_unix(sshd:session): session opened for user <USER>(uid=<NUM>) by (uid=<NUM>)")
        expectOneCategory(&miner, [
            "pam_unix(sudo:session): session opened for user root(uid=0) by jdoe(uid=1000)",
            "pam_unix(sudo:session): session opened for user postgres(uid=114) by alice(uid=1001)",
        ], source: "sudo", template: "pam_unix(sudo:session): session opened for user <USER>(uid=<NUM>) by <USER>(uid=<NUM>)")
        expectOneCategory(&miner, [
            "pam_unix(sshd:session): session closed for user jdoe",
            "pam_unix(sshd:session): session closed for user alice",
        ], template: "pam_unix(sshd:session): session closed for user <USER>")

        expectOneCategory(&miner, [
            "Started session-12.scope - Session 12 of User jdoe.",
            "Started session-4711.scope - Session 4711 of User alice.",
        ], source: "systemd", template: "Started <ID> - Session <NUM> of User <USER>.")
        expectOneCategory(&miner, ["nginx.service: Deactivated successfully."] , source: "systemd",
                          template: "nginx.service: Deactivated successfully.")
        expectOneCategory(&miner, ["nginx.service: Consumed 1.234s CPU time.", "nginx.service: Consumed 12.5s CPU time."],
                          source: "systemd", template: "nginx.service: Consumed <NUM> CPU time.")
        expectOneCategory(&miner, ["Stopped nginx.service - A high performance web server and a reverse proxy server."],
                          source: "systemd", template: "Stopped nginx.service - A high performance web server and a reverse proxy server.")
        expectOneCategory(&miner, ["user@1000.service: Deactivated successfully.", "user@1001.service: Deactivated successfully."],
                          source: "systemd", template: "<ID>: Deactivated successfully.")
        #expect(miner.count == 9)
    }

    @Test func kernelLines() {
        var miner = TemplateMiner()
        expectOneCategory(&miner, [
            "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.9 DST=10.0.0.5 LEN=60 TOS=0x00 "
                + "PREC=0x00 TTL=50 ID=54321 DF PROTO=TCP SPT=44321 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
            "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:aa:bb:cc:08:00 SRC=198.51.100.7 DST=10.0.0.5 LEN=44 TOS=0x10 "
                + "PREC=0x00 TTL=243 ID=1 DF PROTO=TCP SPT=51234 DPT=3389 WINDOW=1024 RES=0x00 SYN URGP=0",
        ], source: "kernel", template: "[UFW BLOCK] IN=eth0 OUT= MAC=<MAC> SRC=<IP> DST=<IP> LEN=<NUM> TOS=<HEX> PREC=<HEX> TTL=<NUM> "
            + "ID=<NUM> DF PROTO=TCP SPT=<NUM> DPT=<NUM> WINDOW=<NUM> RES=<HEX> SYN URGP=<NUM>")
        expectOneCategory(&miner, [
            "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.",
            "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.",
        ], source: "kernel", template: "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.")
        expectOneCategory(&miner, [
            "Out of memory: Killed process 1234 (java) total-vm:123456kB, anon-rss:65432kB, file-rss:0kB, shmem-rss:0kB, UID:1000 "
                + "pgtables:1234kB oom_score_adj:0",
            "Out of memory: Killed process 98765 (java) total-vm:7654321kB, anon-rss:5432100kB, file-rss:12kB, shmem-rss:4kB, UID:998 "
                + "pgtables:20480kB oom_score_adj:-100",
        ], source: "kernel", template: "Out of memory: Killed process <NUM> (java) total-vm:<NUM>, anon-rss:<NUM>, file-rss:<NUM>, "
            + "shmem-rss:<NUM>, UID:<NUM> pgtables:<NUM> oom_score_adj:<NUM>")
        // Another process name differs in one literal of 14: the template generalises it.
        let python = miner.add("Out of memory: Killed process 4321 (python3) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, "
            + "UID:0 pgtables:8kB oom_score_adj:0", source: "kernel")
        #expect(python.generalised && miner.template(python).contains("Killed process <NUM> <*> total-vm"))
        #expect(miner.count == 3)
    }

    @Test func nginxAndPostgresLines() {
        var miner = TemplateMiner()
        expectOneCategory(&miner, [
            #"203.0.113.9 - - [01/Mar/2024:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
            #"198.51.100.7 - - [02/Mar/2024:11:30:59 +0100] "GET /api/v1/items HTTP/2.0" 404 153 "-" "curl/7.88.1""#,
        ], source: "nginx.service", template: #"<IP> - - [<ID> <NUM>] "GET <PATH> <ID>" <NUM> <NUM> "-" "<ID>""#)
        expectOneCategory(&miner, [
            #"2024/03/01 10:00:00 [error] 1234#1234: *5 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), "#
                + #"client: 203.0.113.9, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "example.com""#,
            #"2024/03/02 23:59:01 [error] 88#88: *1021 open() "/usr/share/nginx/html/robots.txt" failed (2: No such file or directory), "#
                + #"client: 198.51.100.7, server: localhost, request: "GET /robots.txt HTTP/1.1", host: "example.com""#,
        ], source: "nginx.service", template: #"<DATE> <TIME> [error] <ID>: <ID> open() "<PATH>" failed (<NUM>: No such file or "#
            + #"directory), client: <IP>, server: localhost, request: "GET <PATH> <ID>", host: "example.com""#)
        expectOneCategory(&miner, [
            "2024-03-01 10:00:00.123 UTC [1234] ehr@ehr LOG:  duration: 12.3 ms  statement: SELECT * FROM patients WHERE id = 42",
            "2024-03-01 10:00:02.9 UTC [1299] ehr@ehr LOG:  duration: 0.41 ms  statement: SELECT * FROM patients WHERE id = 7",
        ], source: "postgresql@15-main.service",
           template: "<DATE> <TIME> UTC [<NUM>] ehr@ehr LOG: duration: <NUM> ms statement: SELECT * FROM patients WHERE id = <NUM>")
        expectOneCategory(&miner, [
            #"2024-03-01 10:00:01.456 UTC [1240] x@ehr FATAL:  password authentication failed for user "x""#,
            #"2024-03-01 10:00:03.001 UTC [1241] x@ehr FATAL:  password authentication failed for user "admin""#,
        ], source: "postgresql@15-main.service",
           template: #"<DATE> <TIME> UTC [<NUM>] x@ehr FATAL: password authentication failed for user "<USER>""#)
        #expect(miner.count == 4)
    }

    @Test func javaStackTraces() {
        var miner = TemplateMiner()
        let trace = "Exception in thread \"main\" java.lang.IllegalStateException: boom\n"
            + "\tat com.example.App.run(App.java:42)\n\tat com.example.App.main(App.java:10)\n"
        let first = miner.add(trace, source: "app.service")
        #expect(miner.template(first) == #"Exception in thread "main" java.lang.IllegalStateException: boom"#)
        #expect(miner.category(at: first.slot).example == #"Exception in thread "main" java.lang.IllegalStateException: boom"#)
        // The same first line with other frames is the same category.
        #expect(miner.add("Exception in thread \"main\" java.lang.IllegalStateException: boom\n\tat x.Y.z(Y.java:1)",
                          source: "app.service").identifier == first.identifier)
        // Frames sent one per entry share one category.
        expectOneCategory(&miner, [
            "\tat com.example.App.run(App.java:42)",
            "\tat com.example.db.Pool.borrow(Pool.java:317)",
            "\tat org.postgresql.jdbc.PgStatement.execute(PgStatement.java:1120)",
        ], source: "app.service", template: "at <ID>)")
        #expect(miner.count == 2)
    }

    @Test func masksAreTyped() {
        func token(_ text: String) -> String {
            var miner = TemplateMiner()
            let outcome = miner.add("value " + text)
            let template = miner.template(outcome)
            return String(template.dropFirst("value ".count))
        }
        for ip in ["192.0.2.1", "10.0.0.1:8080", "10.0.0.0/8", "2001:db8::1", "fe80::1%eth0", "[2001:db8::1]:22", "::1",
                   "::ffff:192.0.2.1", "2001:0db8:0000:0000:0000:ff00:0042:8329"] {
            #expect(token(ip).hasSuffix("<IP>") || token(ip).hasSuffix("<IP>]") || token(ip) == "[<IP>", "\(ip) → \(token(ip))")
        }
        #expect(token("[2001:db8::1]:22") == "[<IP>")
        for (text, mask) in [
            ("42", "<NUM>"), ("-3", "<NUM>"), ("+0000", "<NUM>"), ("12ms", "<NUM>"), ("4.5s", "<NUM>"), ("100%", "<NUM>"),
            ("1024K", "<NUM>"), ("1,024", "<NUM>"), ("0xdeadbeef", "<HEX>"), ("3fa85f64a1b2", "<HEX>"),
            ("52:54:00:12:34:56", "<MAC>"), ("52-54-00-12-34-56", "<MAC>"),
            ("123e4567-e89b-12d3-a456-426614174000", "<UUID>"), ("2024-03-01", "<DATE>"), ("2024-03-01T10:00:00.123Z", "<DATE>"),
            ("2024/03/01", "<DATE>"), ("10:00:00", "<TIME>"), ("10:00:00.123", "<TIME>"), ("12:34:56+02:00", "<TIME>"),
            ("jdoe@example.com", "<EMAIL>"), ("/usr/bin/apt", "<PATH>"), ("session-12.scope", "<ID>"), ("pts/0", "<ID>"),
            ("a1b2c3d4e5f6g7", "<ID>"), ("(1234)", "(<NUM>)"), ("[1234]:", "[<NUM>]:"), ("port=22", "port=<NUM>"),
            ("src=\"10.0.0.1\"", "src=\"<IP>\""), ("acct=\"jdoe\"", "acct=\"<USER>\""), ("user=jdoe", "user=<USER>"),
            ("\"abc1\"", "\"<ID>\""), ("getty@tty1.service", "<ID>"), (String(repeating: "x", count: 101), "<LONG>"),
        ] {
            #expect(token(text) == mask, "\(text)")
        }
        for literal in ["ssh2", "eth0", "vda1", "EXT4-fs", "[preauth]", "dead::beef", "OUT=", "PROTO=TCP", "-", "...", "<*>x", "ehr@ehr",
                        "/", "é"] {
            #expect(token(literal) == literal, "\(literal)")
        }
        // An IP never merges with a number: same position, different masks generalise.
        var miner = TemplateMiner()
        let number = miner.add("peer 42 gone")
        let address = miner.add("peer 10.0.0.1 gone")
        #expect(number.identifier == address.identifier && address.generalised)
        #expect(miner.template(address) == "peer <*> gone")
    }

    /// The tokeniser counts digits, `:`, `.` and `@` once per token and skips recognisers those counts rule out:
    /// punctuation stripped from a core must not change which masks apply.
    @Test func masksAfterStrippedPunctuationAndKeys() {
        func token(_ text: String) -> String {
            var miner = TemplateMiner()
            let outcome = miner.add("value " + text)
            return String(miner.template(outcome).dropFirst("value ".count))
        }
        for (text, mask) in [
            ("10.0.0.1.", "<IP>."), ("(10.0.0.1:22),", "(<IP>),"), ("\"::1\"", "\"<IP>\""), ("ab:cd::1", "<IP>"),
            ("10:00:00:", "<TIME>:"), ("addr=10.0.0.1", "addr=<IP>"), ("pid=2003,", "pid=<NUM>,"), ("+5.", "<NUM>."),
            ("-1:", "<NUM>:"), ("Port:22", "Port:<NUM>"), ("RUSER=root", "RUSER=<USER>"), ("logname=x1", "logname=<USER>"),
            ("1.2.3.", "<NUM>."), ("eth0:", "eth0:"), ("zz:12:34", "zz:<TIME>"),
        ] {
            #expect(token(text) == mask, "\(text) → \(token(text))")
        }
    }

    @Test func parseTreeSendsFirstTokensPastMaximumChildrenToTheWildcardChild() {
        var limits = TemplateMiner.Limits()
        limits.maximumChildren = 8
        var miner = TemplateMiner(limits: limits)
        var generator = Generator(state: 11)
        let lines = (0..<30).map { _ in "\(generator.word()) \(generator.word()) \(generator.word()) \(generator.word())" }
        let outcomes = lines.map { miner.add($0) }
        #expect(outcomes.allSatisfy(\.isNew) && miner.count == 30)
        #expect(miner.childrenByLength == [LengthKey(source: 0, length: 4): 8])
        #expect(miner.leafByKey[LeafKey(source: 0, length: 4, first: TokenHash.wildcard)].map { miner.leaves[Int($0)].clusters.count } == 23)  // 7 exact children, then <*>
        // Each line finds its category again, in an exact child or under <*>.
        #expect(lines.map { miner.add($0) } == outcomes.map { TemplateMiner.Outcome(slot: $0.slot, identifier: $0.identifier, isNew: false,
                                                                                     generalised: false) })
        // A leaf holds at most 4 × maximumChildren categories: the least recently seen goes.
        for _ in 0..<100 { miner.add("\(generator.word()) \(generator.word()) \(generator.word()) \(generator.word())") }
        #expect(miner.leaves.allSatisfy { $0.clusters.count <= 32 })
        #expect(miner.evictions > 0 && miner.count + miner.evictions == 130)
    }

    @Test func similarityThresholdAndTokenLimit() {
        var miner = TemplateMiner()
        let first = miner.add("alpha beta gamma delta")
        #expect(miner.add("alpha beta gamma omega").identifier == first.identifier)  // 3 of 4 equal
        #expect(miner.add("alpha x y z").isNew)  // 1 of 4 (the <*> counts as unequal, as in Drain3)
        var limits = TemplateMiner.Limits()
        limits.similarity = 0.25
        var loose = TemplateMiner(limits: limits)
        let looseFirst = loose.add("alpha beta gamma delta")
        let looseSecond = loose.add("alpha x y z")
        #expect(looseSecond.identifier == looseFirst.identifier && looseSecond.generalised)
        #expect(loose.template(looseSecond) == "alpha <*> <*> <*>")
        limits = TemplateMiner.Limits()
        limits.maximumTokens = 3
        var short = TemplateMiner(limits: limits)
        let truncated = short.add("one two three four five")
        #expect(short.template(truncated) == "one two three <*>")
        #expect(short.add("one two three six").identifier == truncated.identifier)
        var bytes: [UInt8] = [0x41]
        short.appendTemplate(at: truncated.slot, to: &bytes)
        #expect(bytes == Array("Aone two three <*>".utf8))
        short.appendTemplate(at: 77, to: &bytes)
        #expect(bytes.count == 18)
    }

    @Test func capitalisedWordsAfterUserAreNoNames() {
        var miner = TemplateMiner()
        let manager = miner.add("Started user@1000.service - User Manager for UID 1000.", source: "systemd")
        #expect(miner.template(manager) == "Started <ID> - User Manager for UID <NUM>.")
        let killed = miner.add("Main process exited, killed by SIGKILL", source: "systemd")
        #expect(miner.template(killed) == "Main process exited, killed by SIGKILL")
    }

    @Test func identifiersAreStableAcrossMiners() {
        let lines = (0..<500).map { index in
            ["Failed password for u\(index % 7) from 10.0.\(index % 5).\(index % 250) port \(1000 + index) ssh2",
             "Invalid user x\(index) from 192.0.2.\(index % 200) port \(index)", "session \(index) opened for user root",
             "random words \(["alpha", "beta", "gamma", "delta"][index % 4]) here \(index)"][index % 4]
        }
        var first = TemplateMiner(), second = TemplateMiner()
        let firstOutcomes = lines.enumerated().map { first.add($1, source: "s\($0 % 3)", at: UInt64($0)) }
        let secondOutcomes = lines.enumerated().map { second.add($1, source: "s\($0 % 3)", at: UInt64($0)) }
        #expect(firstOutcomes == secondOutcomes)
        #expect(first.all.map(\.1) == second.all.map(\.1))
        // The id is FNV-1a 64 of the source, a 0 byte and the masked template at creation.
        var miner = TemplateMiner()
        let outcome = miner.add("Failed password for root from 203.0.113.9 port 22 ssh2")
        #expect(outcome.identifier == FNV1a.hash(Array("sshd".utf8) + [0] + Array("Failed password for <USER> from <IP> port <NUM> ssh2".utf8)))
        #expect(miner.slot(of: outcome.identifier) == outcome.slot)
        #expect(miner.slot(of: outcome.identifier &+ 1) == nil)
        // The same template in another source is another category.
        #expect(miner.add("Failed password for root from 203.0.113.9 port 22 ssh2", source: "sshd.service").identifier != outcome.identifier)
    }

    @Test func categoriesViewAndOrder() {
        var miner = TemplateMiner()
        miner.add("b second", source: "zeta", at: 20)
        miner.add("a first", source: "zeta", at: 10)
        miner.add("c third", source: "alpha", at: 30)
        miner.add("b second", source: "zeta", at: 50)
        #expect(miner.all.map(\.1.template) == ["c third", "a first", "b second"])
        let second = miner.all[2].1
        #expect(second.source == "zeta" && second.count == 2 && second.firstSeen == 20 && second.lastSeen == 50 && second.example == "b second")
        #expect(miner.category(at: 999).identifier == 0)
        var buffer = [UInt8](repeating: 0, count: 16)
        buffer.withUnsafeMutableBytes { TemplateMiner.hex(0x0123_4567_89ab_cdef, into: $0) }
        #expect(String(decoding: buffer, as: UTF8.self) == "0123456789abcdef")
        #expect(TokenHash.wildcard == FNV1a.hash(Array("<*>".utf8)))
    }

    @Test func strangeMessagesGetACategory() {
        var miner = TemplateMiner()
        let empty = miner.add("")
        #expect(empty.isNew && miner.template(empty) == "")
        #expect(miner.add(" \t \r").identifier == empty.identifier)
        #expect(miner.add("\nsecond line only").identifier == empty.identifier)

        let binary: [UInt8] = [0x00, 0xFF, 0xFE, 0x20, 0xC3, 0x28, 0x20, 0x80, 0x01]
        let outcome = miner.add(bytes: binary)
        #expect(outcome.isNew && miner.category(at: outcome.slot).example.contains("\u{FFFD}"))
        #expect(miner.add(bytes: binary).identifier == outcome.identifier)

        let huge = miner.add(String(repeating: "A", count: 1 << 20))
        #expect(miner.template(huge) == "<LONG>")
        #expect(miner.category(at: huge.slot).example.utf8.count == 200)

        let many = miner.add((0..<10_000).map { "w\($0 % 2 == 0 ? "a" : "b")" }.joined(separator: " "))
        let tokens = miner.template(many).split(separator: " ")
        #expect(tokens.count == 49 && tokens.last == "<*>")

        // The example is cut before a UTF-8 sequence the 200-byte cut would split.
        let accented = miner.add(String(repeating: "a", count: 199) + "é tail")
        #expect(miner.category(at: accented.slot).example == String(repeating: "a", count: 199))
        // An empty source is a source.
        #expect(miner.add("x", source: "").isNew)
        #expect(miner.count == 6)
    }

    @Test func snapshotMidStreamContinuesLikeAnUninterruptedRun() throws {
        var limits = TemplateMiner.Limits()
        limits.categories = 60
        limits.categoriesPerSource = 25
        limits.sources = 6
        limits.maximumChildren = 4
        var generator = Generator(state: 42)
        let stream: [(String, String)] = (0..<3_000).map { _ in
            let source = "unit\(generator.next(9)).service"
            let line = switch generator.next(5) {
            case 0: "Failed password for \(generator.word()) from \(generator.ip()) port \(generator.next(65536)) ssh2"
            case 1: "\(generator.word()) \(generator.word()) \(generator.next(100))"
            case 2: "\(generator.word()) started in \(generator.next(999))ms"
            case 3: "Connection closed by \(generator.ip()) port \(generator.next(65536)) [preauth]"
            default: "\(["open", "close", "read"][generator.next(3)]) \(generator.word()) \(generator.word()) \(generator.word())"
            }
            return (source, line)
        }
        var whole = TemplateMiner(limits: limits)
        var wholeOutcomes: [TemplateMiner.Outcome] = []
        var wholeEvicted: [UInt64] = []
        for (index, (source, line)) in stream.enumerated() {
            wholeOutcomes.append(whole.add(line, source: source, at: UInt64(index)))
            if index % 100 == 0 { wholeEvicted += whole.takeEvicted() }
        }
        var first = TemplateMiner(limits: limits)
        var outcomes: [TemplateMiner.Outcome] = []
        var evicted: [UInt64] = []
        for (index, (source, line)) in stream.enumerated().prefix(1_537) {
            outcomes.append(first.add(line, source: source, at: UInt64(index)))
            if index % 100 == 0 { evicted += first.takeEvicted() }
        }
        var bytes: [UInt8] = [7, 7]  // encode appends
        first.encode(into: &bytes)
        var restored = try TemplateMiner(decoding: bytes[2...], limits: limits)
        var again: [UInt8] = []
        restored.encode(into: &again)
        #expect(Array(bytes[2...]) == again)
        #expect(restored.all.map(\.0) == first.all.map(\.0) && restored.all.map(\.1) == first.all.map(\.1))
        for (index, (source, line)) in stream.enumerated().dropFirst(1_537) {
            outcomes.append(restored.add(line, source: source, at: UInt64(index)))
            if index % 100 == 0 { evicted += restored.takeEvicted() }
        }
        #expect(outcomes == wholeOutcomes)
        #expect(evicted == wholeEvicted)
        #expect(restored.evictions == whole.evictions && whole.evictions > 0)
        #expect(restored.all.map(\.0) == whole.all.map(\.0))
        #expect(restored.all.map(\.1) == whole.all.map(\.1))
        #expect(whole.count <= limits.categories && whole.liveSources <= limits.sources)
    }

    @Test func snapshotDecodedWithSmallerCapsEvicts() throws {
        var miner = TemplateMiner()
        var generator = Generator(state: 5)
        for index in 0..<50 { miner.add("\(generator.word()) \(generator.word()) \(generator.word())", source: "s\(index % 5)") }
        #expect(miner.count == 50)
        var bytes: [UInt8] = []
        miner.encode(into: &bytes)
        var limits = TemplateMiner.Limits()
        limits.categories = 10
        limits.sources = 3
        var restored = try TemplateMiner(decoding: bytes[...], limits: limits)
        #expect(restored.count <= 10 && restored.liveSources <= 3)
        #expect(restored.evictions == miner.evictions + (miner.count - restored.count))
        #expect(restored.takeEvicted().count == miner.count - restored.count)
    }

    @Test func corruptSnapshotsThrow() throws {
        var miner = TemplateMiner()
        var generator = Generator(state: 7)
        for _ in 0..<40 { miner.add("\(generator.word()) \(generator.word()) from \(generator.ip())", source: "s\(generator.next(3))") }
        var bytes: [UInt8] = []
        miner.encode(into: &bytes)
        #expect(throws: TemplateMinerError.self) { try TemplateMiner(decoding: [][...], limits: .init()) }
        #expect(throws: TemplateMinerError.self) { try TemplateMiner(decoding: Array("not a snapshot at all".utf8)[...], limits: .init()) }
        var version = bytes
        version[16] = 2
        #expect(throws: TemplateMinerError.self) { try TemplateMiner(decoding: version[...], limits: .init()) }
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: TemplateMinerError.self) { try TemplateMiner(decoding: bytes[..<length], limits: .init()) }
        }
        for position in stride(from: 0, to: bytes.count, by: 5) {
            var flipped = bytes
            flipped[position] ^= 0x10
            #expect(throws: TemplateMinerError.self) { try TemplateMiner(decoding: flipped[...], limits: .init()) }
        }
        // A changed body with a valid checksum either throws or gives a miner that still works.
        for position in stride(from: 17, to: bytes.count - 8, by: 3) {
            var changed = Array(bytes[..<(bytes.count - 8)])
            changed[position] = changed[position] == 0xFF ? 0 : 0xFF
            var checksum = StateEncoder()
            checksum.write(FNV1a.hash(changed))
            if var decoded = try? TemplateMiner(decoding: (changed + checksum.bytes)[...], limits: .init()) {
                for index in 0..<50 { decoded.add("\(generator.word()) \(generator.word()) from \(generator.ip())", source: "s\(index % 4)") }
                #expect(decoded.count <= decoded.limits.categories)
            }
        }
    }

    @Test func capsHoldUnderAFloodOfDistinctMessages() {
        var miner = TemplateMiner()
        var generator = Generator(state: 1)
        var taken = 0, created = 0
        var peakLeaves = 0
        for index in 0..<100_000 {
            let line = (0..<(2 + generator.next(7))).map { _ in generator.word() }.joined(separator: " ")
            if miner.add(line, source: "flood", at: UInt64(index)).isNew { created += 1 }
            if index % 1_000 == 999 {
                let evicted = miner.takeEvicted()
                taken += evicted.count
                for identifier in evicted.suffix(10) { #expect(miner.slot(of: identifier) == nil) }
                peakLeaves = max(peakLeaves, miner.leafByKey.count)
            }
        }
        taken += miner.takeEvicted().count
        #expect(miner.count == miner.limits.categoriesPerSource)
        #expect(miner.evictions == created - miner.count && created > 99_000)
        #expect(taken == miner.evictions)
        #expect(miner.takeEvicted().isEmpty)
        #expect(miner.clusters.count <= miner.limits.categoriesPerSource + 1)
        #expect(miner.leaves.count <= miner.limits.categoriesPerSource + 1 && peakLeaves <= miner.count)
        #expect(miner.leaves.allSatisfy { $0.clusters.count <= miner.leafCapacity })
        #expect(miner.childrenByLength.values.allSatisfy { $0 <= Int32(miner.limits.maximumChildren) })
        #expect(miner.slotByIdentifier.count == miner.count)
    }

    @Test func sourceAndTotalCapsHold() {
        var limits = TemplateMiner.Limits()
        limits.sources = 100
        limits.categories = 500
        var miner = TemplateMiner(limits: limits)
        var generator = Generator(state: 3)
        var created = 0
        for index in 0..<20_000 {
            created += miner.add("\(generator.word()) \(generator.word()) \(generator.word())", source: "unit-\(generator.next(3_000))", at: UInt64(index)).isNew ? 1 : 0
            #expect(miner.liveSources <= 100)
        }
        #expect(miner.count <= 500)
        #expect(miner.sources.count <= 101 && miner.clusters.count <= 501)
        #expect(Set(miner.all.map(\.1.source)).count == miner.liveSources)
        #expect(miner.evictions == created - miner.count && miner.evictions > 0)
    }
}
