import Fuzz
import Journal
import Testing

/// How fuzzer bytes become journal entries.
@Suite struct FuzzEntriesTests {
    @Test("Fields, a bare line as MESSAGE, an empty line between entries")
    func fieldsAndMessages() {
        let input = Array("SYSLOG_IDENTIFIER=sshd\nFailed password for root\n\n_COMM=sudo\nMESSAGE=x=y\nlower=case\n".utf8)
        let entries = FuzzEntries.decode(input)
        #expect(entries.count == 2)
        #expect(entries[0].string("SYSLOG_IDENTIFIER") == "sshd")
        #expect(entries[0].string("MESSAGE") == "Failed password for root")
        #expect(entries[1].string("_COMM") == "sudo")
        #expect(entries[1].fields.map(\.nameString) == ["_COMM", "MESSAGE", "MESSAGE"])
        #expect(entries[1].fields.map { String(decoding: $0.value, as: UTF8.self) } == ["sudo", "x=y", "lower=case"])
        #expect(entries[0].cursor != entries[1].cursor)
    }

    @Test("Timestamps: absolute, +seconds, one second after the previous by default")
    func timestamps() {
        let input = Array("__REALTIME_TIMESTAMP=5000000\nMESSAGE=a\n\nMESSAGE=b\n\n__REALTIME_TIMESTAMP=+60\nMESSAGE=c\n\n__CURSOR=s=x\n__MONOTONIC_TIMESTAMP=7\nMESSAGE=d".utf8)
        let entries = FuzzEntries.decode(input)
        #expect(entries.map(\.realtime) == [5_000_000, 6_000_000, 66_000_000, 67_000_000])
        #expect(entries[3].monotonic == 7)
        #expect(entries[3].value(of: "__CURSOR") == nil)
    }
}
