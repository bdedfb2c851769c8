import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser lives here on Linux, in Foundation on Darwin.
#endif

/// The `XMLParser` delegate that collects a Sysmon event's `EventID`, `Computer` and
/// `EventData` fields, and gives up on any other shape.
///
/// Used by one `parse()` on one thread, then read; never shared.
final class SysmonXMLReader: NSObject, XMLParserDelegate {
    /// What the text being collected belongs to.
    private enum Target {
        case eventID
        case computer
        case data(name: String?)
    }

    /// Sysmon nests four deep (`Event/EventData/Data`); anything deeper is not its event.
    private static let maximumDepth = 4

    /// The names of the open elements, outermost first.
    private var path: [String] = []
    /// The element whose text is being collected, and that text so far.
    private var target: Target?
    private var text = ""

    /// The `<EventID>` text of `<System>`, once read.
    private(set) var eventID: String?
    /// The `<Computer>` text of `<System>`, once read.
    private(set) var computer: String?
    /// The named `<Data>` elements of `<EventData>`, in document order, markers not yet restored.
    private(set) var data: [(name: String, value: String)] = []
    /// Whether the document turned out not to be a Sysmon event.
    private(set) var refused = false
    /// Whether the root element has ended. `XMLParser` on Linux reports success for a
    /// document cut short (it never tells libxml2 the input has ended), so only this says the
    /// document is whole.
    private(set) var complete = false

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        guard !complete, target == nil, path.count < Self.maximumDepth, path.isEmpty == (elementName == "Event") else {
            refuse(parser)
            return
        }
        path.append(elementName)
        switch (path.count, path.count >= 2 ? path[1] : "", elementName) {
        case (3, "System", "EventID"):
            guard eventID == nil else { return refuse(parser) }
            target = .eventID
        case (3, "System", "Computer"):
            target = .computer
        case (3, "EventData", "Data"):
            target = .data(name: attributes["Name"])
        default:
            break
        }
        text = ""
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        switch target {
        case .eventID: eventID = text
        case .computer: computer = text
        case .data(let name?): data.append((name, text))
        case .data(nil), nil: break
        }
        target = nil
        text = ""
        path.removeLast()
        complete = path.isEmpty
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if target != nil { text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        refuse(parser)
    }

    /// `XMLParser` on Linux asks libxml2 to recover from errors and its `parse()` returns true
    /// regardless, so an error reported here is the only sign of a malformed document.
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        refuse(parser)
    }

    func parser(_ parser: XMLParser, validationErrorOccurred validationError: any Error) {
        refuse(parser)
    }

    /// Marks the document as not a Sysmon event and stops the parser.
    private func refuse(_ parser: XMLParser) {
        refused = true
        parser.abortParsing()
    }
}
