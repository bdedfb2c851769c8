import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser lives here on Linux, in Foundation on Darwin.
#endif

/// Reads the XML that Sysmon for Linux logs (SYSLOG_IDENTIFIER=sysmon) in `MESSAGE`.
///
/// Format: SysmonForLinux `outputxml.cpp` (`FormatSyslogString`, pugixml with `format_raw |
/// format_no_declaration`: one line, no XML declaration, `&amp; &lt; &gt; &quot;` and `&#NN;`
/// for control characters) called from SysmonCommon `eventsCommon.cpp`, which formats into a
/// 65,536-byte buffer and so cuts longer events short. Field names per event ID are
/// SysmonCommon `manifest.xml`'s; SigmaHQ's Linux rules use them as they are.
public enum SysmonXML {
    /// The largest message read, in bytes: twice the 64 KiB buffer Sysmon formats each event
    /// into, so every event Sysmon can write fits, and a message that could not come from it
    /// costs no more than this to refuse.
    public static let maximumSize = 128 * 1024

    /// nil when the bytes are not a Sysmon event (not XML, no EventID, a DOCTYPE/ENTITY declaration — Sysmon never writes one, and refusing them avoids entity-expansion attacks — or larger than `maximumSize`).
    ///
    /// Also nil for XML that is cut short, as Sysmon's own 64 KiB limit cuts a longer event,
    /// for an `<EventID>` that is not a decimal number, and for a root element other than
    /// `<Event>`. Comments, CDATA and processing instructions are refused with DOCTYPE: Sysmon
    /// writes none. Invalid UTF-8 and control characters in values are kept as bytes (see
    /// `SysmonXMLTransport`); external entities are never resolved.
    /// - Parameter message: The `MESSAGE` bytes of one journal entry.
    /// - Returns: The event's fields, `EventID` first, or nil.
    public static func parse<Bytes: Collection<UInt8>>(_ message: Bytes) -> SysmonRecord? {
        guard message.count <= maximumSize, let document = SysmonXMLTransport.encoded(Array(message)),
              SysmonXMLSyntax.isWellFormed(document) else {
            return nil
        }
        let reader = SysmonXMLReader()
        let parser = XMLParser(data: Data(document))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = reader
        guard parser.parse(), !reader.refused, reader.complete, let eventIDText = reader.eventID,
              let eventID = decimal(eventIDText) else {
            return nil
        }
        var fields: [(name: String, value: [UInt8])] = [("EventID", Array(eventIDText.utf8))]
        fields.reserveCapacity(reader.data.count + 2)
        for field in reader.data {
            fields.append((field.name, SysmonXMLTransport.restored(field.value)))
        }
        if let computer = reader.computer {
            fields.append(("Computer", SysmonXMLTransport.restored(computer)))
        }
        return SysmonRecord(eventID: eventID, fields: fields)
    }

    /// The value of one to nine ASCII decimal digits, or nil for anything else.
    private static func decimal(_ text: String) -> Int? {
        let digits = Array(text.utf8)
        guard (1...9).contains(digits.count), digits.allSatisfy(Bytes.isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - Bytes.zero) }
    }
}
