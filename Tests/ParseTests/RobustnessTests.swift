import Glibc
import Journal
import Testing
@testable import Parse

/// Parsers see whatever any process logged: binary, invalid UTF-8, megabytes. They must
/// return (having appended something or nothing), never trap.
@Suite struct RobustnessTests {
    /// A small deterministic generator, so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func entry(_ message: [UInt8], type: String? = nil, unit: String? = nil) -> JournalEntry {
        var fields: [(name: String, value: [UInt8])] = [("MESSAGE", message)]
        if let type { fields.append(("_AUDIT_TYPE_NAME", Array(type.utf8))) }
        if let unit { fields.append(("UNIT", Array(unit.utf8))) }
        return JournalEntry(fields: fields, cursor: Cursor("s=test;i=1")!)
    }

    static func parseWithEveryParser(_ message: [UInt8]) {
        for parser in FieldParsers.all {
            var fields = ParsedFields()
            parser.parse(entry(message, type: "EXECVE", unit: "x.service"), into: &fields)
            parser.parse(entry(message), into: &fields)
        }
    }

    static let seeds: [String] = FieldParsersTests.allCases.map(\.testCase.message) + [
        "SYSCALL arch=c000003e syscall=59 success=yes a0=1 comm=\"x\" exe=2F78 key=6101620 msg='op=x acct=\"y' z",
        "EXECVE argc=3 a0=\"a\" a1[0]=41 a1[1]=\"b\" a2[0]=4 a3[x]=1 a4[]=2 =1 a= a5=\"",
        "PROCTITLE proctitle=0000 proctitle=00 proctitle=0",
    ]

    @Test func survivesEveryTruncation() {
        for seed in Self.seeds {
            let bytes = Array(seed.utf8)
            for length in 0...bytes.count { Self.parseWithEveryParser(Array(bytes[..<length])) }
            for start in 0...bytes.count { Self.parseWithEveryParser(Array(bytes[start...])) }
        }
    }

    @Test func survivesRandomMutations() {
        var generator = SplitMix(state: 0xC0DE)
        let specials: [UInt8] = [0x00, 0xFF, 0xC3, 0x80, 0x20, 0x22, 0x27, 0x3D, 0x3A, 0x3B, 0x0A, 0x28, 0x29, 0x5B, 0x5D]
        for seed in Self.seeds {
            for _ in 0..<40 {
                var bytes = Array(seed.utf8)
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    let byte = Bool.random(using: &generator) ? specials.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &generator)] = byte
                    case 1: bytes.insert(byte, at: Int.random(in: 0...bytes.count, using: &generator))
                    default: if !bytes.isEmpty { bytes.remove(at: Int.random(in: 0..<bytes.count, using: &generator)) }
                    }
                }
                Self.parseWithEveryParser(bytes)
            }
        }
    }

    @Test func survivesRandomBinary() {
        var generator = SplitMix(state: 42)
        for length in [0, 1, 2, 7, 64, 4096] {
            for _ in 0..<20 {
                Self.parseWithEveryParser((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
        }
    }

    @Test func keepsInvalidUTF8AsBytes() {
        let user: [UInt8] = [0x78, 0xFF, 0xC3, 0x00, 0x20, 0x79]
        let message = Array("Failed password for invalid user ".utf8) + user + Array(" from 10.9.9.9 port 22 ssh2".utf8)
        var fields = ParsedFields()
        SSHDParser().parse(Self.entry(message), into: &fields)
        #expect(fields.value(of: "User").map(Array.init) == user)
        #expect(fields.value(of: "SourceIp").map(Array.init) == Array("10.9.9.9".utf8))

        let argument: [UInt8] = [0xFF, 0xFE, 0x00, 0x41]
        let hex = argument.map { String($0, radix: 16, uppercase: true).count == 1 ? "0" + String($0, radix: 16, uppercase: true) : String($0, radix: 16, uppercase: true) }.joined()
        var audit = ParsedFields()
        AuditParser().parse(Self.entry(Array("EXECVE argc=1 a0=\(hex)".utf8), type: "EXECVE"), into: &audit)
        #expect(audit.value(of: "a0").map(Array.init) == argument)
    }

    /// One mebibyte in the shapes that make a careless parser slow: long runs of separators,
    /// an enormous user name, an enormous audit argument. The limit catches a parser gone
    /// quadratic; under a sanitizer (`make sanitize` sets CORDON_SANITIZER) the same work is several
    /// times slower, beside every other suite, so the limit is wider there.
    @Test(.timeLimit(getenv("CORDON_SANITIZER") == nil ? .minutes(1) : .minutes(15)))
    func handlesOneMebibyte() {
        let size = 1 << 20
        let filler = [UInt8](repeating: UInt8(ascii: "a"), count: size)
        let hugeUser = Array("Failed password for invalid user ".utf8) + filler + Array(" from 10.9.9.9 port 22 ssh2".utf8)
        var fields = ParsedFields()
        SSHDParser().parse(Self.entry(hugeUser), into: &fields)
        #expect(fields.value(of: "User")?.count == size)
        #expect(fields.value(of: "SourceIp").map(Array.init) == Array("10.9.9.9".utf8))

        let hugeArgument = Array("EXECVE argc=1 a0=".utf8) + [UInt8](repeating: UInt8(ascii: "4"), count: size)
        var audit = ParsedFields()
        AuditParser().parse(Self.entry(hugeArgument, type: "EXECVE"), into: &audit)
        #expect(audit.value(of: "a0")?.count == size / 2)

        let shapes: [[UInt8]] = [
            filler,
            [UInt8](repeating: UInt8(ascii: " "), count: size),
            [UInt8](repeating: 0, count: size),
            [UInt8](repeating: UInt8(ascii: "="), count: size),
            Array(repeating: Array(" ; ".utf8), count: size / 3).flatMap { $0 },
            Array("alice : ".utf8) + Array(repeating: Array("TTY=x ; ".utf8), count: size / 8).flatMap { $0 },
            Array("alice : TTY=x ; PWD=".utf8) + Array(repeating: Array(" ; X".utf8), count: size / 4).flatMap { $0 },
            Array(repeating: Array(" from 1.2.3.4 port 1".utf8), count: size / 20).flatMap { $0 } + Array(" ssh2".utf8),
            Array("Failed password for ".utf8) + Array(repeating: Array(" ssh2: ".utf8), count: size / 7).flatMap { $0 },
            Array("pam_unix(sshd:auth): authentication failure; ".utf8) + Array(repeating: Array("logname=".utf8), count: size / 8).flatMap { $0 },
            Array(repeating: Array("a=\"b\" ".utf8), count: size / 6).flatMap { $0 },
            Array("USER_CMD msg='".utf8) + Array(repeating: Array("k=v ".utf8), count: size / 4).flatMap { $0 },
            Array("Started ".utf8) + filler + Array(".".utf8),
            Array("x.service: ".utf8) + Array(repeating: Array(": ".utf8), count: size / 2).flatMap { $0 },
            Array("new user: name=".utf8) + Array(repeating: Array(", UID=".utf8), count: size / 6).flatMap { $0 },
        ]
        for shape in shapes { Self.parseWithEveryParser(shape) }
    }
}
