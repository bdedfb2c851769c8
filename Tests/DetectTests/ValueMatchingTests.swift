import Testing

/// One-field selections: how a value compares with a field.
let valueCases: [MatchCase] = [
    // Exact match, case-insensitive by default, against the whole value.
    MatchCase("exact", "sel: {_COMM: sshd}\ncondition: sel", [("_COMM", "sshd")], true),
    MatchCase("exact ignores ASCII case", "sel: {_COMM: sshd}\ncondition: sel", [("_COMM", "SSHD")], true),
    MatchCase("exact pattern upper-case", "sel: {_COMM: SshD}\ncondition: sel", [("_COMM", "sshd")], true),
    MatchCase("exact is the whole value", "sel: {_COMM: sshd}\ncondition: sel", [("_COMM", "sshd2")], false),
    MatchCase("exact is not a prefix", "sel: {_COMM: sshd}\ncondition: sel", [("_COMM", "ssh")], false),
    MatchCase("absent field", "sel: {_COMM: sshd}\ncondition: sel", [("MESSAGE", "sshd")], false),
    MatchCase("field names are case-sensitive", "sel: {_comm: sshd}\ncondition: sel", [("_COMM", "sshd")], false),
    MatchCase("number as text", "sel: {PRIORITY: 3}\ncondition: sel", [("PRIORITY", "3")], true),
    MatchCase("number keeps spelling", "sel: {PRIORITY: 0x3}\ncondition: sel", [("PRIORITY", "3")], false),
    MatchCase("empty string needs empty field", "sel: {F: ''}\ncondition: sel", [("F", "")], true),
    MatchCase("empty string and absent field", "sel: {F: ''}\ncondition: sel", [("G", "")], false),
    MatchCase("empty string and non-empty field", "sel: {F: ''}\ncondition: sel", [("F", "x")], false),
    MatchCase("non-ASCII is compared as is", "sel: {F: 'Äbc'}\ncondition: sel", [("F", "ÄBC")], true),
    MatchCase("non-ASCII does not fold", "sel: {F: 'äbc'}\ncondition: sel", [("F", "ÄBC")], false),

    // cased
    MatchCase("cased same case", "sel: {_COMM|cased: sshd}\ncondition: sel", [("_COMM", "sshd")], true),
    MatchCase("cased other case", "sel: {_COMM|cased: sshd}\ncondition: sel", [("_COMM", "SSHD")], false),
    MatchCase("cased contains", "sel: {MESSAGE|contains|cased: Failed}\ncondition: sel", [("MESSAGE", "x failed y")], false),
    MatchCase("cased contains hit", "sel: {MESSAGE|cased|contains: Failed}\ncondition: sel", [("MESSAGE", "x Failed y")], true),

    // contains, startswith, endswith
    MatchCase("contains middle", "sel: {MESSAGE|contains: failed password}\ncondition: sel",
              [("MESSAGE", "Sep 1: FAILED Password for root")], true),
    MatchCase("contains whole", "sel: {MESSAGE|contains: abc}\ncondition: sel", [("MESSAGE", "abc")], true),
    MatchCase("contains miss", "sel: {MESSAGE|contains: failed password}\ncondition: sel", [("MESSAGE", "failed pass")], false),
    MatchCase("contains empty value", "sel: {MESSAGE|contains: ''}\ncondition: sel", [("MESSAGE", "anything")], true),
    MatchCase("startswith hit", "sel: {MESSAGE|startswith: Accepted}\ncondition: sel", [("MESSAGE", "accepted key")], true),
    MatchCase("startswith miss", "sel: {MESSAGE|startswith: Accepted}\ncondition: sel", [("MESSAGE", "key accepted")], false),
    MatchCase("endswith hit", "sel: {EXE|endswith: /nc}\ncondition: sel", [("EXE", "/usr/bin/nc")], true),
    MatchCase("endswith miss", "sel: {EXE|endswith: /nc}\ncondition: sel", [("EXE", "/usr/bin/ncat")], false),
    MatchCase("contains with inner wildcard", "sel: {MESSAGE|contains: 'user * from'}\ncondition: sel",
              [("MESSAGE", "Invalid user admin from 10.0.0.1")], true),
    MatchCase("contains overlapping prefix", "sel: {MESSAGE|contains: aab}\ncondition: sel", [("MESSAGE", "aaab")], true),
    MatchCase("startswith longer than value", "sel: {MESSAGE|startswith: abcdef}\ncondition: sel", [("MESSAGE", "abc")], false),

    // Wildcards
    MatchCase("? is one byte", "sel: {F: 'prog?.exe'}\ncondition: sel", [("F", "progA.exe")], true),
    MatchCase("? needs a byte", "sel: {F: 'prog?.exe'}\ncondition: sel", [("F", "prog.exe")], false),
    MatchCase("? is only one byte", "sel: {F: 'prog?.exe'}\ncondition: sel", [("F", "progAB.exe")], false),
    MatchCase("* any run", "sel: {F: 'antivirus_V*.exe'}\ncondition: sel", [("F", "antivirus_V21.2.1.exe")], true),
    MatchCase("* empty run", "sel: {F: 'antivirus_V*.exe'}\ncondition: sel", [("F", "antivirus_V.exe")], true),
    MatchCase("* alone", "sel: {F: '*'}\ncondition: sel", [("F", "")], true),
    MatchCase("* needs the field", "sel: {F: '*'}\ncondition: sel", [("G", "x")], false),
    MatchCase("stars in order", "sel: {F: 'a*b*c'}\ncondition: sel", [("F", "aXXbYYc")], true),
    MatchCase("stars out of order", "sel: {F: 'a*b*c'}\ncondition: sel", [("F", "acb")], false),
    MatchCase("star backtracking case", "sel: {F: '*ab*abc'}\ncondition: sel", [("F", "xabyababc")], true),
    MatchCase("star and ? together", "sel: {F: '*a?c*'}\ncondition: sel", [("F", "zzabcz")], true),
    MatchCase("suffix cannot overlap prefix", "sel: {F: 'ab*ba'}\ncondition: sel", [("F", "aba")], false),
    MatchCase("consecutive stars", "sel: {F: 'a**b'}\ncondition: sel", [("F", "ab")], true),

    // Escapes
    MatchCase(#"\* is a star"#, #"sel: {F: 'a\*b'}\#ncondition: sel"#, [("F", "a*b")], true),
    MatchCase(#"\* is not a wildcard"#, #"sel: {F: 'a\*b'}\#ncondition: sel"#, [("F", "aXb")], false),
    MatchCase(#"\? is a question mark"#, #"sel: {F: 'why\?'}\#ncondition: sel"#, [("F", "why?")], true),
    MatchCase(#"\? is not a wildcard"#, #"sel: {F: 'why\?'}\#ncondition: sel"#, [("F", "whyX")], false),
    MatchCase(#"single \ before a letter"#, #"sel: {F: 'C:\Windows'}\#ncondition: sel"#, [("F", #"C:\Windows"#)], true),
    MatchCase(#"\\ is one backslash"#, #"sel: {F: 'C:\\Windows'}\#ncondition: sel"#, [("F", #"C:\Windows"#)], true),
    MatchCase(#"\\* is backslash and wildcard"#, #"sel: {F: 'C:\\*'}\#ncondition: sel"#, [("F", #"C:\Temp\x"#)], true),
    MatchCase(#"\\\* is backslash and star"#, #"sel: {F: 'C:\\\*'}\#ncondition: sel"#, [("F", #"C:\*"#)], true),
    MatchCase(#"\\\* is not a wildcard"#, #"sel: {F: 'C:\\\*'}\#ncondition: sel"#, [("F", #"C:\x"#)], false),
    MatchCase(#"\\\\ is two backslashes"#, #"sel: {F: 'a\\\\b'}\#ncondition: sel"#, [("F", #"a\\b"#)], true),
    MatchCase(#"trailing \"#, #"sel: {F: 'abc\'}\#ncondition: sel"#, [("F", #"abc\"#)], true),
    MatchCase("escaped star with contains", #"sel: {F|contains: '\*'}\#ncondition: sel"#, [("F", "x*y")], true),
    MatchCase("escaped star with contains miss", #"sel: {F|contains: '\*'}\#ncondition: sel"#, [("F", "xy")], false),

    // Lists, all, null, exists
    MatchCase("list is OR", "sel: {_COMM: [sshd, sudo]}\ncondition: sel", [("_COMM", "sudo")], true),
    MatchCase("list is OR miss", "sel: {_COMM: [sshd, sudo]}\ncondition: sel", [("_COMM", "su")], false),
    MatchCase("all needs every value", "sel: {MESSAGE|contains|all: [alpha, beta]}\ncondition: sel",
              [("MESSAGE", "beta then alpha")], true),
    MatchCase("all misses one", "sel: {MESSAGE|contains|all: [alpha, beta]}\ncondition: sel", [("MESSAGE", "alpha only")], false),
    MatchCase("null matches absent", "sel: {F: null}\ncondition: sel", [("G", "x")], true),
    MatchCase("null matches empty", "sel: {F: null}\ncondition: sel", [("F", "")], true),
    MatchCase("null misses a value", "sel: {F: null}\ncondition: sel", [("F", "x")], false),
    MatchCase("quoted null is text", "sel: {F: 'null'}\ncondition: sel", [("F", "NULL")], true),
    MatchCase("quoted null needs the field", "sel: {F: 'null'}\ncondition: sel", [("G", "x")], false),
    MatchCase("exists true present", "sel: {F|exists: true}\ncondition: sel", [("F", "")], true),
    MatchCase("exists true absent", "sel: {F|exists: true}\ncondition: sel", [("G", "x")], false),
    MatchCase("exists false absent", "sel: {F|exists: false}\ncondition: sel", [("G", "x")], true),
    MatchCase("exists false present", "sel: {F|exists: false}\ncondition: sel", [("F", "x")], false),

    // Keywords search MESSAGE, anywhere, any case.
    MatchCase("keyword list", "keywords:\n    - 'event::clear'\n    - 'event::drop'\ncondition: keywords",
              [("MESSAGE", "ran EVENT::DROP now")], true),
    MatchCase("keyword list miss", "keywords:\n    - 'event::clear'\ncondition: keywords",
              [("MESSAGE", "event::list")], false),
    MatchCase("keyword is MESSAGE only", "keywords: [sshd]\ncondition: keywords", [("_COMM", "sshd")], false),
    MatchCase("keyword string", "keyword: 'Failed password'\ncondition: keyword", [("MESSAGE", "x failed password y")], true),
    MatchCase("keyword all", "keywords:\n    '|all': [Oab, ' -ExternalUrl ']\ncondition: keywords",
              [("MESSAGE", "set -externalurl x")], false),
    MatchCase("keyword all hit", "keywords:\n    '|all': [Oab, ' -ExternalUrl ']\ncondition: keywords",
              [("MESSAGE", "OabVirtualDirectory -ExternalUrl x")], true),
    MatchCase("keyword with wildcard", "keywords: ['user * from']\ncondition: keywords",
              [("MESSAGE", "invalid user bob from 1.2.3.4")], true),
]

@Suite struct ValueMatchingTests {
    @Test(arguments: valueCases)
    func matchesValues(_ testCase: MatchCase) throws {
        try testCase.check()
    }
}
