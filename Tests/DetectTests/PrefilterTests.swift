import Journal
import Parse
import Rules
import Testing
@testable import Detect

/// The rules `grouped` matches in `event`, and those the engines of one rule each match, in order.
func compare(_ grouped: inout Engine, _ single: inout [Engine], _ event: Event) -> (grouped: [String], alone: [String]) {
    var matches: [Match] = []
    grouped.evaluate(event, into: &matches)
    var alone: [String] = []
    for index in single.indices {
        var one: [Match] = []
        single[index].evaluate(event, into: &one)
        alone += one.map(\.rule.identifier)
    }
    return (matches.map(\.rule.identifier), alone)
}

@Suite struct PrefilterTests {
    /// Detections of every shape the requirement derivation handles, over a small vocabulary so
    /// that random events hit some of them.
    static let detections: [String] = {
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
        var detections: [String] = []
        for (index, word) in words.enumerated() {
            let other = words[(index + 3) % words.count]
            detections += [
                "sel: {MESSAGE|contains: '\(word)'}\ncondition: sel",
                "sel: {MESSAGE|startswith: '\(word) '}\ncondition: sel",
                "keywords: ['\(word)', '\(other)x']\ncondition: keywords",
                "sel: {MESSAGE|contains|all: ['\(word)', '\(other)']}\ncondition: sel",
                "a: {MESSAGE|contains: '\(word)'}\nb: {MESSAGE|contains: '\(other)'}\ncondition: a and not b",
                "a: {MESSAGE|contains: '\(word)'}\nb: {USER: '\(other)'}\ncondition: a or b",
                "sel: {MESSAGE|re: '\(word)[0-9]'}\ncondition: sel",
                "sel: {MESSAGE: '*\(word)?\(other)*'}\ncondition: sel",
                "a: {MESSAGE|contains: 'x\(word)'}\nb: {MESSAGE|endswith: '\(other)'}\ncondition: 1 of them",
                "sel: {MESSAGE|contains|cased: '\(word.uppercased())'}\ncondition: sel",
                "sel: {MESSAGE|re: '\(word) [a-z]+ \(other)'}\ncondition: sel",
                "a: {MESSAGE|contains: '\(word)'}\nb: {IP|cidr: ['10.\(index).0.0/16', '2001:db8:\(index)::/48']}\ncondition: a and b",
                "sel: {IP|cidr: '192.168.\(index).0/24'}\ncondition: sel",
            ]
        }
        return detections
    }()

    @Test func prefilteredEngineMatchesExactlyWhatEachRuleAloneMatches() throws {
        let rules = try Self.detections.enumerated().map { try loadRule(id: "r\($0.offset)", detection: $0.element) }
        var grouped = Engine(rules: rules)
        var single = rules.map { Engine(rules: [$0]) }
        var generator = SplitMix64(seed: 7)
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "ALPHA", "Bravo", "x", " ", "1", "-"]
        for _ in 0..<2_000 {
            let message = (0..<Int.random(in: 0...6, using: &generator)).map { _ in words.randomElement(using: &generator) ?? "" }
                .joined(separator: Bool.random(using: &generator) ? " " : "")
            var fields = [("MESSAGE", message)]
            if Bool.random(using: &generator) { fields.append(("USER", words.randomElement(using: &generator) ?? "")) }
            if Bool.random(using: &generator) {
                let addresses = ["10.\(Int.random(in: 0...9, using: &generator)).1.2", "192.168.\(Int.random(in: 0...9, using: &generator)).7",
                                 "2001:db8:\(Int.random(in: 0...9, using: &generator))::1", "::ffff:10.3.0.1", "not an address", "10.1.2"]
                fields.append(("IP", addresses.randomElement(using: &generator) ?? ""))
            }
            let (matches, expected) = compare(&grouped, &single, event(fields))
            #expect(matches == expected, "\(fields)")
        }
        #expect(grouped.statistics.prefilteredOut > 0)
    }
}

/// The engine-wide scans (`PrefilterScans`) serve several groups from one scan per field; a
/// group whose parser gives a field another value than the entry has must still see its own.
@Suite struct MultiGroupPrefilterTests {
    static let sources = """
        logsources:
          - logsource: {product: linux, service: all}
            trusted: false
          - logsource: {product: linux, service: sshd}
            select: {_COMM: sshd}
            parser: sshd
            trusted: false
          - logsource: {product: linux, service: words}
            select: {MESSAGE|contains: golf}
            trusted: false
        """
    static let detections = [
        "sel: {MESSAGE|contains: 'Failed password'}\ncondition: sel",
        "sel: {MESSAGE|contains: 'alpha'}\ncondition: sel",
        "a: {MESSAGE|contains: 'bravo'}\nb: {MESSAGE|contains: 'golf'}\ncondition: a and b",
        "sel: {User|contains: 'adm'}\ncondition: sel",
        "sel: {SourceIp|cidr: '10.1.0.0/16'}\ncondition: sel",
        "a: {SourceIp|cidr: ['192.0.2.0/24', '10.2.0.0/16']}\nb: {MESSAGE|contains: 'for'}\ncondition: a and b",
        "sel: {MESSAGE|re: 'from 10\\.[0-9]+\\.[0-9]+\\.[0-9]+ port'}\ncondition: sel",
    ]

    /// Each detection under each of the three sources.
    static func rules() throws -> (rules: [Rule], logSources: [LogSourceMapping]) {
        var text = sources
        for service in ["all", "sshd", "words"] {
            for (index, detection) in detections.enumerated() {
                let indented = detection.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
                text += "\n---\ntitle: \(service)-\(index)\nid: \(service)-\(index)\nlevel: low\n"
                    + "logsource: {product: linux, service: \(service)}\ndetection:\n\(indented)\n"
            }
        }
        let loaded = RuleLoader.load(yaml: text, file: "groups.yml")
        try #require(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        return (loaded.rules, loaded.logSources)
    }

    @Test func mergedScansMatchExactlyWhatEachRuleAloneMatches() throws {
        let (rules, logSources) = try Self.rules()
        var grouped = Engine(rules: rules, logSources: logSources)
        #expect(grouped.scans.fields.count >= 3)  // MESSAGE, SourceIp, User: one automaton each for all groups
        var single = rules.map { Engine(rules: [$0], logSources: logSources) }
        var generator = SplitMix64(seed: 11)
        let users = ["admin", "root", "sysadm", "alpha"]
        let addresses = ["10.1.4.5", "10.2.0.9", "192.0.2.77", "198.51.100.1", "::ffff:10.1.0.1"]
        let words = ["alpha", "bravo", "golf", "for", "x"]
        for _ in 0..<3_000 {
            var message: String
            if Bool.random(using: &generator) {
                message = "Failed password for \(users.randomElement(using: &generator)!) from \(addresses.randomElement(using: &generator)!) port 22 ssh2"
            } else {
                message = (0..<Int.random(in: 0...4, using: &generator)).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
            }
            if Bool.random(using: &generator) { message += " golf" }
            var fields = [("MESSAGE", message)]
            if Bool.random(using: &generator) { fields.append(("_COMM", "sshd")) }
            // A raw field of the name the sshd parser produces, with another value.
            if Bool.random(using: &generator) { fields.append(("SourceIp", addresses.randomElement(using: &generator)!)) }
            if Bool.random(using: &generator) { fields.append(("User", users.randomElement(using: &generator)!)) }
            let (matches, expected) = compare(&grouped, &single, event(fields))
            #expect(matches.sorted() == expected.sorted(), "\(fields)")
        }
        #expect(grouped.statistics.prefilteredOut > 0)
    }
}

@Suite struct RegexLiteralTests {
    @Test(arguments: [
        ("(Failed|Accepted) (password|publickey) for (invalid user )?kali[0-9]{2} from [0-9.]+", [" from ", " for ", "kali"]),
        ("^/usr/bin/python[23]? -c", ["/usr/bin/python", " -c"]),
        (#"a\.example\.org"#, ["a.example.org"]),
        ("wget https?://", ["wget http", "://"]),
        ("abc+d", ["abc"]),
        ("colou?r scheme", ["r scheme", "colo"]),
        ("x{0,2}yyyy", ["yyyy"]),
    ])
    func requiredRuns(_ pattern: String, _ expected: [String]) {
        #expect(RegexLiteral.required(in: pattern) == expected.map { Array($0.utf8) })
    }

    @Test(arguments: ["foo|barbaz", "(a+)+$", #"\d+\.\d+"#, "ab", "[abc]def*", "unbalanced(", "x*?y"])
    func noRequiredRun(_ pattern: String) {
        #expect(RegexLiteral.required(in: pattern).isEmpty)
    }
}
