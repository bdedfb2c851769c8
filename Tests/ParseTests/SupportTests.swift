import Testing
@testable import Parse

@Suite struct IPAddressTests {
    @Test(arguments: [
        "0.0.0.0", "1.2.3.4", "255.255.255.255", "10.0.0.5",
        "::", "::1", "1::", "2001:db8::7", "fe80::1%eth0", "::ffff:10.1.2.3", "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:1.2.3.4", "2001:DB8:0:0:8:800:200C:417A", "fe80::a:b%enp0s31f6",
    ])
    func acceptsAddress(_ text: String) {
        #expect(IPAddress(Array(text.utf8)[...]) != nil)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..3.4", "a.b.c.d",
        "1.2.3.-4", "999999999999.1.1.1", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "12345::", "g::1", "::1%", "::1%a b", "1.2.3.4::", "::1.2.3", "fe80::1%eth0%eth1", "1:2:3:4:5:6:7::8:9",
        "host.example.org", "localhost", "[::1]", "x from 10.1.1.1",
    ])
    func rejectsNonAddress(_ text: String) {
        #expect(IPAddress(Array(text.utf8)[...]) == nil)
    }

    @Test func readsTheBits() throws {
        let v4 = try #require(IPAddress(Array("10.1.2.3".utf8)[...]))
        #expect(v4 == IPAddress(isIPv4: true, high: 0, low: 0x0a01_0203))
        let v6 = try #require(IPAddress(Array("2001:db8::7".utf8)[...]))
        #expect(v6 == IPAddress(isIPv4: false, high: 0x2001_0db8_0000_0000, low: 7))
        let mapped = try #require(IPAddress(Array("::ffff:10.1.2.3".utf8)[...]))
        #expect(mapped.unmapped == v4)
        let tail = try #require(IPAddress(Array("1:2:3:4:5:6:1.2.3.4".utf8)[...]))
        #expect(tail == IPAddress(isIPv4: false, high: 0x0001_0002_0003_0004, low: 0x0005_0006_0102_0304))
        #expect(v4.sharesPrefix(with: IPAddress(isIPv4: true, high: 0, low: 0x0aff_0000), length: 8))
        #expect(!v4.sharesPrefix(with: IPAddress(isIPv4: true, high: 0, low: 0x0aff_0000), length: 9))
    }
}

@Suite struct MessageTemplateTests {
    func captures(_ format: StaticString, _ message: String) -> [String: String]? {
        var fields = ParsedFields()
        guard MessageTemplate(format).match(Array(message.utf8)[...], into: &fields) else { return nil }
        return Dictionary(fields.fields.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }) { first, _ in first }
    }

    @Test func capturesHolesBetweenLiterals() {
        #expect(captures("new group: name={Group}, GID={Gid}", "new group: name=eve, GID=1001") == ["Group": "eve", "Gid": "1001"])
        #expect(captures("delete user '{User}'", "delete user 'eve'") == ["User": "eve"])
        #expect(captures("{Unit:token}: done", "a.service: done") == ["Unit": "a.service"])
        #expect(captures("Reloading.", "Reloading.") == [:])
    }

    @Test func requiresTheWholeMessage() {
        #expect(captures("delete user '{User}'", "delete user 'eve' now") == nil)
        #expect(captures("Reloading.", "Reloading.x") == nil)
        #expect(captures("Reloading.", "Reloading") == nil)
        #expect(captures("x {A} y {B}", "x 1 z 2") == nil)
        #expect(captures("ab{A}ba", "aba") == nil)
    }

    @Test func checksTokensAndSkipsEmptyAndAnonymousHoles() {
        #expect(captures("user {User:token} added", "user a b added") == nil)
        #expect(captures("user {User} added", "user a b added") == ["User": "a b"])
        #expect(captures("a={A}, b={B}", "a=, b=2") == ["B": "2"])
        #expect(captures("a={_}, b={B}", "a=1, b=2") == ["B": "2"])
    }

    @Test func appendsNothingWhenTheMatchFails() {
        var fields = ParsedFields()
        #expect(!MessageTemplate("a={A}, b={B}.").match(Array("a=1, b=2".utf8)[...], into: &fields))
        #expect(fields.isEmpty)
    }
}

@Suite struct HexDecodedTests {
    @Test func decodesEvenRunsOfHexDigits() {
        #expect(HexDecoded(Array("2F746d70".utf8)[...]).map(Array.init) == Array("/tmp".utf8))
        #expect(HexDecoded(Array("610062".utf8)[...], nulAsSpace: true).map(Array.init) == Array("a b".utf8))
        #expect(HexDecoded(Array("FF00".utf8)[...]).map(Array.init) == [0xFF, 0x00])
    }

    @Test(arguments: ["", "A", "ABC", "GG", "2F 7", "0x2F"])
    func rejectsOtherText(_ text: String) {
        #expect(HexDecoded(Array(text.utf8)[...]) == nil)
    }
}

@Suite struct ByteSearchTests {
    let text = Array("a ; b ; c".utf8)[...]

    @Test func findsFirstAndLastOccurrences() {
        #expect(text.rangeOfFirst(Array(" ; ".utf8)) == 1..<4)
        #expect(text.rangeOfFirst(Array(" ; ".utf8), from: 2) == 5..<8)
        #expect(text.rangeOfLast(Array(" ; ".utf8)) == 5..<8)
        #expect(text.rangeOfLast(Array(" ; ".utf8), before: 7) == 1..<4)
        #expect(text.rangeOfFirst(Array("x".utf8)) == nil)
        #expect(text.rangeOfFirst([]) == nil)
        #expect(text.rangeOfLast(Array("a ; b ; c ; d".utf8)) == nil)
    }

    @Test func worksOnSlicesThatDoNotStartAtZero() {
        let slice = text[3...]
        #expect(slice.hasPrefix(Array(" b".utf8)))
        #expect(slice.hasSuffix(Array("; c".utf8)))
        #expect(slice.rangeOfFirst(Array(" ; ".utf8)) == 5..<8)
        #expect(slice.rangeOfLast(Array("a".utf8)) == nil)
        #expect(slice.dropping(prefix: Array(" b".utf8)).map(Array.init) == Array(" ; c".utf8))
        #expect(Array("42".utf8)[...].decimalValue(limit: 41) == nil)
        #expect(Array("0042".utf8)[...].decimalValue(limit: 42) == 42)
    }
}
