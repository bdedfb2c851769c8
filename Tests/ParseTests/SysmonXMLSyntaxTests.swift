import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Parse

/// Malformed Sysmon XML never reaches `XMLParser`, which leaks about 72 bytes per error it
/// reports on Linux: memory grew with every malformed message logged as `sysmon` (found by
/// `make fuzz`, parsers target, input `SYSLOG_IDENTIFIER=sysmon` with a cut-short event).
@Suite struct SysmonXMLSyntaxTests {
    /// Records whether libxml2 reported any error or warning.
    final class ErrorRecorder: NSObject, XMLParserDelegate {
        var failed = false
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { failed = true }
        func parser(_ parser: XMLParser, validationErrorOccurred validationError: any Error) { failed = true }
    }

    /// Whether `XMLParser` parses `document` to its end without reporting an error.
    static func parsesCleanly(_ document: [UInt8]) -> Bool {
        let recorder = ErrorRecorder()
        let parser = XMLParser(data: Data(document))
        parser.shouldResolveExternalEntities = false
        parser.delegate = recorder
        return parser.parse() && !recorder.failed
    }

    static let fixtureNames = ["authorized-keys.xml", "chmod-setuid.xml", "curl-pipe-sh.xml", "dev-tcp-connect.xml", "useradd.xml"]

    @Test("Every fixture passes the check and still parses", arguments: fixtureNames)
    func fixturesPass(_ name: String) throws {
        let document = try #require(SysmonXMLTransport.encoded(try SysmonXMLTests.fixture(name)))
        #expect(SysmonXMLSyntax.isWellFormed(document))
        #expect(SysmonXML.parse(try SysmonXMLTests.fixture(name)) != nil)
    }

    @Test(arguments: [
        "<Event><System><EventID>1</EventID></System></Event",  // the fuzzer's input: cut short
        "<Event><System><EventID>1</EventID></System>",
        "<Event><a></b></Event>",
        "<Event a=\"1\" a=\"2\"/>",
        "<Event a=1/>",
        "<Event a=\"<\"/>",
        "<Event>&nbsp;</Event>",
        "<Event>&#xFFFE;</Event>",
        "<Event>&#xD800;</Event>",
        "<Event>&amp</Event>",
        "<Event>]]></Event>",
        "<Event/><Event/>",
        "text<Event/>",
        "<Event/>text",
        "<x:Event/>",
        "<Event xmlns=\"relative\"/>",
        "<1Event/>",
        "<Event",
        "",
    ])
    func malformedIsRefused(_ text: String) throws {
        let document = try #require(SysmonXMLTransport.encoded(Array(text.utf8)))
        #expect(!SysmonXMLSyntax.isWellFormed(document))
        #expect(SysmonXML.parse(Array(text.utf8)) == nil)
    }

    @Test func referencesWhitespaceAndQuotesPass() throws {
        let text = " <Event a='&quot;x&apos;' b=\"&#x41;&#66;\" >\t&lt;&gt;&amp;&#x10FFFD;é<E2 />]]</Event >\n"
        let document = try #require(SysmonXMLTransport.encoded(Array(text.utf8)))
        #expect(SysmonXMLSyntax.isWellFormed(document))
        #expect(Self.parsesCleanly(document))
    }

    /// The property the check exists for, on every truncation of a fixture and on mutations of
    /// it: what the check accepts, `XMLParser` parses without an error.
    @Test func acceptedDocumentsParseWithoutError() throws {
        var generator = RobustnessTests.SplitMix(state: 0x5E5)
        let specials = Array("<>/&;=\"' #x]!?:".utf8)
        var accepted = 0
        for name in Self.fixtureNames.prefix(2) {
            let fixture = try SysmonXMLTests.fixture(name)
            var candidates = (0...fixture.count).map { Array(fixture[..<$0]) }
            for _ in 0..<600 {
                var bytes = fixture
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let position = Int.random(in: 0..<bytes.count, using: &generator)
                    let byte = specials[Int.random(in: 0..<specials.count, using: &generator)]
                    if Bool.random(using: &generator) { bytes[position] = byte } else { bytes.remove(at: position) }
                }
                candidates.append(bytes)
            }
            for candidate in candidates {
                guard let document = SysmonXMLTransport.encoded(candidate), SysmonXMLSyntax.isWellFormed(document) else { continue }
                accepted += 1
                #expect(Self.parsesCleanly(document), "\(String(decoding: candidate, as: UTF8.self))")
            }
        }
        #expect(accepted > 2)
    }
}

/// A character reference too large for any code point: `characterReference` multiplied past
/// `UInt32.max` and trapped, so one `logger -t sysmon` line stopped the daemon (found by
/// `make fuzz`, parsers: Tests/Fuzz/Crashes/parsers/sysmon-reference-overflow).
@Suite struct SysmonReferenceOverflowTests {
    @Test(arguments: ["&#x410000000;", "&#xFFFFFFFFFF;", "&#9999999999;", "&#x110000;", "&#1114112;"])
    func hugeReferenceIsRefused(_ reference: String) {
        let message = Array(SysmonXMLTests.event("1", "<Data Name=\"Image\">/bin/\(reference)</Data>").utf8)
        #expect(SysmonXML.parse(message) == nil)
    }

    @Test func largestCodePointStillParses() {
        let message = Array(SysmonXMLTests.event("1", "<Data Name=\"Image\">/bin/&#x10FFFD;</Data>").utf8)
        #expect(SysmonXMLTests.text(SysmonXML.parse(message)).contains("Image=/bin/\u{10FFFD}"))
    }
}
