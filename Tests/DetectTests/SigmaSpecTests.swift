import Journal
import Parse
import Rules
import Testing
@testable import Detect

/// The Sigma specification's own examples (rules spec v2.1, modifiers appendix), one case each.
let sigmaSpecCases: [MatchCase] = [
    // Escape Character section: each bullet.
    MatchCase("plain backslash, single", #"sel: {F: 'C:\Windows\x'}"# + "\ncondition: sel", [("F", #"C:\Windows\x"#)], true),
    MatchCase("plain backslash, doubled", #"sel: {F: 'C:\\Windows'}"# + "\ncondition: sel", [("F", #"C:\Windows"#)], true),
    MatchCase("escaped star is a star", #"sel: {F: 'a\*b'}"# + "\ncondition: sel", [("F", "a*b")], true),
    MatchCase("escaped star is not a wildcard", #"sel: {F: 'a\*b'}"# + "\ncondition: sel", [("F", "axxb")], false),
    MatchCase("escaped question mark", #"sel: {F: 'a\?'}"# + "\ncondition: sel", [("F", "ab")], false),
    MatchCase("backslash then wildcard", #"sel: {F: 'dir\\*'}"# + "\ncondition: sel", [("F", #"dir\anything"#)], true),
    MatchCase("three backslashes: backslash and a plain star", #"sel: {F: 'dir\\\*'}"# + "\ncondition: sel", [("F", #"dir\*"#)], true),
    MatchCase("three backslashes: not a wildcard", #"sel: {F: 'dir\\\*'}"# + "\ncondition: sel", [("F", #"dir\x"#)], false),
    MatchCase("four backslashes are two", #"sel: {F: 'a\\\\b'}"# + "\ncondition: sel", [("F", #"a\\b"#)], true),
    // Wildcards, also in the middle.
    MatchCase("? is one character", "sel: {F: 'prog?.exe'}\ncondition: sel", [("F", "progA.exe")], true),
    MatchCase("? is exactly one", "sel: {F: 'prog?.exe'}\ncondition: sel", [("F", "prog.exe")], false),
    MatchCase("* in the middle", "sel: {F: 'antivirus_V*.exe'}\ncondition: sel", [("F", "antivirus_V21.2.1.exe")], true),
    MatchCase("several wildcards in the middle", "sel: {F: 'a*b?c*d'}\ncondition: sel", [("F", "a--bXc--d")], true),
    MatchCase("case-insensitive by default", "sel: {F: 'EvilService'}\ncondition: sel", [("F", "EVILSERVICE")], true),
    MatchCase("cased", "sel: {F|cased: 'EvilService'}\ncondition: sel", [("F", "EVILSERVICE")], false),
    // Lists, maps, keywords.
    MatchCase("list of values is OR", "sel: {EventID: [517, 1102]}\ncondition: sel", [("EventID", "1102")], true),
    MatchCase("map is AND", "sel: {A: x, B: y}\ncondition: sel", [("A", "x"), ("B", "z")], false),
    MatchCase("list of maps is OR", "sel:\n    - A|endswith: '.exe'\n    - B|contains: 'Test executable'\ncondition: sel",
              [("B", "a Test executable here")], true),
    MatchCase("keywords anywhere in MESSAGE", "keywords: ['event::clear', 'event::drop']\ncondition: keywords",
              [("MESSAGE", "mimikatz event::drop now")], true),
    MatchCase("keywords with all", "keywords:\n    '|all': ['OabVirtualDirectory', ' -ExternalUrl ']\ncondition: keywords",
              [("MESSAGE", "Set-OabVirtualDirectory x")], false),
    MatchCase("all: every value", "sel: {F|contains|all: [' -a', ' -b']}\ncondition: sel", [("F", "cmd -b -a")], true),
    // Special values.
    MatchCase("empty value", "sel: {F: ''}\ncondition: sel", [("F", "")], true),
    MatchCase("null: absent", "sel: {PasswordLastSet: null}\ncondition: sel", [("Other", "x")], true),
    MatchCase("null: present is not null", "sel: {PasswordLastSet: null}\ncondition: sel", [("PasswordLastSet", "x")], false),
    MatchCase("exists true", "sel: {F|exists: true}\ncondition: sel", [("F", "")], true),
    MatchCase("exists false", "sel: {F|exists: false}\ncondition: sel", [("F", "x")], false),
    MatchCase("neq", "sel: {F|neq: [a, b]}\ncondition: sel", [("F", "c")], true),
    MatchCase("neq equal value", "sel: {F|neq: [a, b]}\ncondition: sel", [("F", "B")], false),
    // Regular expressions and their flags.
    MatchCase("re is case-sensitive", "sel: {F|re: '^abc$'}\ncondition: sel", [("F", "ABC")], false),
    MatchCase("re i", "sel: {F|re|i: '^abc$'}\ncondition: sel", [("F", "ABC")], true),
    MatchCase("re without m: ^ is the start only", "sel: {F|re: '^two'}\ncondition: sel", [("F", "one\ntwo")], false),
    MatchCase("re m", "sel: {F|re|m: '^two'}\ncondition: sel", [("F", "one\ntwo")], true),
    MatchCase("re without s: dot stops at newline", "sel: {F|re: 'a.b'}\ncondition: sel", [("F", "a\nb")], false),
    MatchCase("re s", "sel: {F|re|s: 'a.b'}\ncondition: sel", [("F", "a\nb")], true),
    // Encodings.
    MatchCase("base64", "sel: {F: {}}\ncondition: sel".replacingOccurrences(of: "{F: {}}", with: "{F|base64: '/bin/sh'}"),
              [("F", "L2Jpbi9zaA==")], true),
    MatchCase("base64offset, offset 0", "sel: {F|base64offset|contains: '/bin/sh'}\ncondition: sel",
              [("F", "powershell -enc eGVjaG8gL2Jpbi9zaCAtYyBpZA==")], true),
    MatchCase("base64offset, offset 1", "sel: {F|base64offset|contains: '/bin/sh'}\ncondition: sel",
              [("F", "eHhlY2hvIC9iaW4vc2ggLWMgaWQ=")], true),
    MatchCase("base64offset, offset 2", "sel: {F|base64offset|contains: '/bin/sh'}\ncondition: sel",
              [("F", "ZWNobyAvYmluL3NoIC1jIGlk")], true),
    MatchCase("base64offset is case-sensitive", "sel: {F|base64offset|contains: '/bin/sh'}\ncondition: sel",
              [("F", "ZWNOBYAVYMLUL3NOIC1JIGLK")], false),
    MatchCase("windash: slash for dash", "sel: {F|windash|contains: ' -foo -bar'}\ncondition: sel", [("F", "x.exe /foo /bar")], true),
    MatchCase("windash: en dash", "sel: {F|windash|contains: ' -foo'}\ncondition: sel", [("F", "x.exe \u{2013}foo")], true),
    MatchCase("windash: mixed", "sel: {F|windash|contains: ' -foo -bar'}\ncondition: sel", [("F", "x /foo \u{2014}bar")], true),
    MatchCase("windash leaves inner dashes", "sel: {F|windash: 'a-b'}\ncondition: sel", [("F", "a/b")], false),
    // Addresses and numbers.
    MatchCase("cidr IPv4", "sel: {SourceIp|cidr: 10.0.0.0/8}\ncondition: sel", [("SourceIp", "10.200.3.4")], true),
    MatchCase("cidr IPv4 outside", "sel: {SourceIp|cidr: 10.0.0.0/8}\ncondition: sel", [("SourceIp", "11.0.0.1")], false),
    MatchCase("cidr IPv6", "sel: {SourceIp|cidr: '2001:db8::/32'}\ncondition: sel", [("SourceIp", "2001:db8:0:1::5")], true),
    MatchCase("cidr IPv6 outside", "sel: {SourceIp|cidr: '2001:db8::/32'}\ncondition: sel", [("SourceIp", "2001:db9::1")], false),
    MatchCase("cidr IPv4-mapped IPv6", "sel: {SourceIp|cidr: 192.168.0.0/16}\ncondition: sel", [("SourceIp", "::ffff:192.168.7.1")], true),
    MatchCase("cidr not an address", "sel: {SourceIp|cidr: 10.0.0.0/8}\ncondition: sel", [("SourceIp", "10.0.0.x")], false),
    MatchCase("gt", "sel: {Count|gt: 10}\ncondition: sel", [("Count", "11")], true),
    MatchCase("gt equal", "sel: {Count|gt: 10}\ncondition: sel", [("Count", "10")], false),
    MatchCase("gte", "sel: {Count|gte: 10}\ncondition: sel", [("Count", "10")], true),
    MatchCase("lt negative", "sel: {Count|lt: 0}\ncondition: sel", [("Count", "-3")], true),
    MatchCase("lte decimal", "sel: {Count|lte: 2.5}\ncondition: sel", [("Count", "2.5")], true),
    MatchCase("number compare on text", "sel: {Count|gt: 1}\ncondition: sel", [("Count", "many")], false),
    MatchCase("fieldref equal", "sel: {User|fieldref: TargetUser}\ncondition: sel", [("User", "root"), ("TargetUser", "ROOT")], true),
    MatchCase("fieldref differs", "sel: {User|fieldref: TargetUser}\ncondition: sel", [("User", "root"), ("TargetUser", "alice")], false),
    MatchCase("fieldref startswith", "sel: {Path|fieldref|startswith: Home}\ncondition: sel", [("Path", "/home/a/x"), ("Home", "/home/a")], true),
    MatchCase("fieldref neq", "sel: {User|fieldref|neq: TargetUser}\ncondition: sel", [("User", "root"), ("TargetUser", "alice")], true),
    // Conditions: precedence is or < and < not < x of < ().
    MatchCase("not a and b or c: c alone", "a: {A: 1}\nb: {B: 1}\nc: {C: 1}\ncondition: not a and b or c", [("A", "1"), ("C", "1")], true),
    MatchCase("not a and b or c: a and b", "a: {A: 1}\nb: {B: 1}\nc: {C: 1}\ncondition: not a and b or c", [("A", "1"), ("B", "1")], false),
    MatchCase("not a and b or c: b alone", "a: {A: 1}\nb: {B: 1}\nc: {C: 1}\ncondition: not a and b or c", [("B", "1")], true),
    MatchCase("parentheses", "a: {A: 1}\nb: {B: 1}\nc: {C: 1}\ncondition: not (a and b) and c", [("A", "1"), ("C", "1")], true),
    MatchCase("not binds tighter than 1 of", "s1: {A: 1}\ns2: {B: 1}\ncondition: not 1 of s*", [("B", "1")], false),
    MatchCase("1 of pattern", "selection_a: {A: 1}\nselection_b: {B: 1}\ncondition: 1 of selection_*", [("B", "1")], true),
    MatchCase("all of pattern", "selection_a: {A: 1}\nselection_b: {B: 1}\ncondition: all of selection_*", [("B", "1")], false),
    MatchCase("1 of them", "x: {A: 1}\ny: {B: 1}\ncondition: 1 of them", [("B", "1")], true),
    MatchCase("all of them leaves out _names", "x: {A: 1}\n_y: {B: 1}\ncondition: all of them", [("A", "1")], true),
    MatchCase("condition list is OR", "x: {A: 1}\ny: {B: 1}\ncondition:\n    - x\n    - y", [("B", "1")], true),
]

@Suite struct SigmaSpecTests {
    @Test(arguments: sigmaSpecCases)
    func specExample(_ testCase: MatchCase) throws {
        try testCase.check()
    }

    @Test func base64OffsetVariantsAreThoseOfPySigma() {
        let variants = ValueEncoding.base64Offsets(Array("/bin/sh".utf8)).map { String(decoding: $0, as: UTF8.self) }
        // Python: base64.b64encode(i * b' ' + b'/bin/sh')[(0, 2, 3)[i] : (None, -3, -2)[(7 + i) % 3]]
        #expect(variants == ["L2Jpbi9za", "9iaW4vc2", "vYmluL3No"])
    }

    @Test func utf16Encodings() throws {
        let wide = try evaluate(["sel: {F|wide|contains: 'cmd'}\ncondition: sel"],
                                binaryEvent([("F", [0x78, 0x00, 0x63, 0x00, 0x6d, 0x00, 0x64, 0x00])]))
        #expect(wide.count == 1)
        let big = try evaluate(["sel: {F|utf16be: 'cmd'}\ncondition: sel"], binaryEvent([("F", [0x00, 0x63, 0x00, 0x6d, 0x00, 0x64])]))
        #expect(big.count == 1)
        let bom = try evaluate(["sel: {F|utf16: 'cmd'}\ncondition: sel"], binaryEvent([("F", [0xff, 0xfe, 0x63, 0x00, 0x6d, 0x00, 0x64, 0x00])]))
        #expect(bom.count == 1)
    }

    @Test func filterCancelsAMatchOfTheRuleItNames() throws {
        let yaml = """
            title: Rule
            id: r1
            level: high
            logsource: {product: linux, service: sshd}
            detection:
                sel: {MESSAGE|contains: 'Accepted'}
                condition: sel
            ---
            title: Not the jump host
            logsource: {product: linux, service: sshd}
            filter:
                rules: [r1]
                jump: {MESSAGE|contains: 'from 10.0.0.5 '}
                condition: jump
            """
        let result = RuleLoader.load(yaml: yaml, file: "f.yml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.filterCount == 1)
        var engine = Engine(rules: result.rules)
        var matches: [Match] = []
        engine.evaluate(event([("MESSAGE", "Accepted password for a from 10.0.0.5 port 1 ssh2")]), into: &matches)
        #expect(matches.isEmpty)
        engine.evaluate(event([("MESSAGE", "Accepted password for a from 10.0.0.6 port 1 ssh2")]), into: &matches)
        #expect(matches.count == 1)
    }

    @Test func placeholdersExpandFromConfiguration() throws {
        let yaml = ruleText(detection: "sel: {User|expand: '%Administrators%'}\ncondition: sel")
        let missing = RuleLoader.load(yaml: yaml, file: "p.yml")
        #expect(missing.rules.isEmpty)
        #expect(missing.diagnostics.first?.message == "placeholder '%Administrators%' in 'User|expand' has no values")
        let loaded = RuleLoader.load(yaml: yaml, file: "p.yml", placeholders: Placeholders(["Administrators": ["root", "adm_*"]]))
        var engine = Engine(rules: loaded.rules)
        var matches: [Match] = []
        engine.evaluate(event([("User", "adm_jane")]), into: &matches)
        engine.evaluate(event([("User", "jane")]), into: &matches)
        #expect(matches.count == 1)
        #expect(Placeholders(["a": ["x"]]).expand(#"\%plain%a%"#) == .success(["%plainx"]))
    }

    @Test func logSourceMappingDecidesWhichRulesRunAndTrust() throws {
        let yaml = """
            logsources:
              - logsource: {product: linux, service: sshd}
                select:
                  - SYSLOG_IDENTIFIER: sshd
                trusted:
                  - _EXE: /usr/sbin/sshd
                    _UID: 0
            ---
            title: sshd rule
            id: s1
            level: low
            logsource: {product: linux, service: sshd}
            detection:
                sel: {MESSAGE|contains: 'Failed'}
                condition: sel
            ---
            title: unmapped rule
            id: u1
            level: low
            logsource: {product: linux, category: process_creation}
            detection:
                sel: {Image|endswith: '/nc'}
                condition: sel
            """
        let loaded = RuleLoader.load(yaml: yaml, file: "m.yml")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        var engine = Engine(rules: loaded.rules, logSources: loaded.logSources)
        #expect(engine.rules.map(\.identifier) == ["s1"])
        #expect(engine.unmappedRules.map(\.identifier) == ["u1"])
        #expect(engine.diagnostics.isEmpty)
        #expect(engine.unmappedDiagnostics.map(\.severity) == [.warning])
        #expect(engine.fieldNames.isSuperset(of: ["MESSAGE", "SYSLOG_IDENTIFIER", "_EXE", "_UID"]))
        var matches: [Match] = []
        engine.evaluate(event([("SYSLOG_IDENTIFIER", "sshd"), ("_EXE", "/usr/sbin/sshd"), ("_UID", "0"), ("MESSAGE", "Failed x")]), into: &matches)
        engine.evaluate(event([("SYSLOG_IDENTIFIER", "sshd"), ("_EXE", "/usr/bin/logger"), ("_UID", "1000"), ("MESSAGE", "Failed x")]), into: &matches)
        engine.evaluate(event([("SYSLOG_IDENTIFIER", "cron"), ("MESSAGE", "Failed x")]), into: &matches)
        #expect(matches.map(\.isTrusted) == [true, false])
        #expect(matches.first?.logSource == LogSource(product: "linux", service: "sshd"))
    }

    @Test func invalidRegularExpressionIsAnErrorAtItsLine() throws {
        let loaded = RuleLoader.load(yaml: ruleText(detection: "sel: {F|re: 'a(b'}\ncondition: sel"), file: "r.yml")
        let engine = Engine(rules: loaded.rules)
        #expect(engine.rules.isEmpty)
        let diagnostic = try #require(engine.diagnostics.first)
        #expect(diagnostic.line == 5)
        #expect(diagnostic.message.hasPrefix("invalid regular expression"))
    }
}

@Suite struct EventMappingTests {
    static let yaml = """
        logsources:
          - logsource: {product: linux, category: process_creation}
            events: process_creation
            trusted:
              - _TRANSPORT: audit
        ---
        title: netcat
        id: p1
        level: high
        logsource: {product: linux, category: process_creation}
        detection:
            sel: {Image|endswith: '/nc'}
            condition: sel
        """

    @Test func eventMappingsRunTheirRulesOnAssembledEventsOnly() throws {
        let loaded = RuleLoader.load(yaml: Self.yaml, file: "m.yml")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        var engine = Engine(rules: loaded.rules, logSources: loaded.logSources)
        #expect(engine.eventKinds == [.processCreation])
        #expect(engine.ruleEventKinds == [.processCreation])
        // Taxonomy fields are not journal fields: the reader is not asked for Image.
        #expect(!engine.fieldNames.contains("Image"))
        #expect(engine.fieldNames.isSuperset(of: EventAssembly.inputFieldNames))
        var matches: [Match] = []
        // A journal entry with the same fields is no process event.
        engine.evaluate(event([("Image", "/usr/bin/nc"), ("_TRANSPORT", "audit")]), into: &matches)
        #expect(matches.isEmpty)
        let cursor = Cursor("s=test;i=1")!
        for (transport, kind) in [("audit", EventKind.processCreation), ("syslog", .processCreation), ("audit", .fileEvent)] {
            let assembled = AssembledEvent(kind: kind, event: event([("_TRANSPORT", transport), ("Image", "/usr/bin/nc")]),
                                           cursor: cursor, group: 0)
            engine.evaluate(assembled, into: &matches)
        }
        #expect(matches.map(\.isTrusted) == [true, false])
    }

    @Test func anUnknownKindOfEventOrAParserIsAnError() throws {
        let unknown = RuleLoader.load(yaml: Self.yaml.replacing("events: process_creation", with: "events: process_start"),
                                      file: "m.yml")
        let engine = Engine(rules: unknown.rules, logSources: unknown.logSources)
        #expect(engine.diagnostics.count == 1)
        #expect(engine.diagnostics.first?.message.hasSuffix("reads events 'process_start', which Cordon does not make") == true)
        #expect(engine.diagnostics.first?.hint?.contains("process_creation, ") == true)
        let parser = RuleLoader.load(yaml: Self.yaml.replacing("events: process_creation", with: "events: process_creation\n    parser: sshd"),
                                     file: "m.yml")
        #expect(parser.diagnostics.map(\.message) == ["a mapping of assembled events cannot name a parser"])
        #expect(parser.diagnostics.first?.line == 4)
    }
}

extension EventMappingTests {
    @Test func auditRecordsAreNotTakenForTheAuditedProgramsOwnLines() throws {
        let yaml = """
            logsources:
              - logsource: {product: linux, service: sudo}
                select:
                  - _COMM: sudo
                trusted:
                  - _EXE: /usr/bin/sudo
              - logsource: {product: linux, service: anything}
                select:
                  - _TRANSPORT: [audit, syslog]
                trusted: false
            ---
            title: sudo failure
            id: s1
            level: high
            logsource: {product: linux, service: sudo}
            detection:
                sel: {MESSAGE|contains: 'authentication failure'}
                condition: sel
            ---
            title: anything
            id: a1
            level: low
            logsource: {product: linux, service: anything}
            detection:
                sel: {MESSAGE|contains: 'authentication failure'}
                condition: sel
            """
        let loaded = RuleLoader.load(yaml: yaml, file: "m.yml")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        var engine = Engine(rules: loaded.rules, logSources: loaded.logSources)
        var matches: [Match] = []
        // sudo's USER_AUTH audit record: journald gives it sudo's _COMM and _EXE, and the user typed `acct`.
        let message = "USER_AUTH pid=1 uid=0 auid=1000 ses=3 msg='op=PAM:authentication acct=\"authentication failure\" exe=\"/usr/bin/sudo\" res=failed'"
        engine.evaluate(event([("_TRANSPORT", "audit"), ("_COMM", "sudo"), ("_EXE", "/usr/bin/sudo"), ("MESSAGE", message)]), into: &matches)
        // A mapping that tests _TRANSPORT itself still sees audit records.
        #expect(matches.map(\.rule.identifier) == ["a1"])
        matches.removeAll()
        engine.evaluate(event([("_TRANSPORT", "syslog"), ("_COMM", "sudo"), ("_EXE", "/usr/bin/sudo"),
                               ("MESSAGE", "pam_unix(sudo:auth): authentication failure; logname=eve")]), into: &matches)
        #expect(matches.map(\.rule.identifier) == ["s1", "a1"])
        #expect(matches.first?.isTrusted == true)
    }
}
