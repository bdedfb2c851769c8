import Foundation
import Parse
import Testing

/// `systemd/cordon.catalog`, the journald message catalog that `journalctl -x` reads: one section
/// for every `MESSAGE_ID` Cordon writes and none for an id it does not, each one complete, and
/// journalctl's own catalog compiler accepting it. (`make system-test` checks `journalctl -x` on a
/// real alert.)
@Suite struct MessageCatalogTests {
    static let catalogPath = Paths.packageRoot + "/systemd/cordon.catalog"

    /// One `-- ID [lang]` section: its id and its header fields.
    struct Section {
        let identifier: String
        let line: Int
        var headers: [String: String] = [:]
        var text: [String] = []
    }

    /// The sections of the catalog, in order, parsed as journalctl does: `#` lines are comments,
    /// a section starts at `-- <32 hex digits>`, headers run to the first empty line.
    static func sections() throws -> [Section] {
        let content = try String(contentsOfFile: catalogPath, encoding: .utf8)
        var sections: [Section] = []
        var inHeaders = false
        for (index, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("-- ") {
                let identifier = line.dropFirst(3).split(separator: " ").first.map(String.init) ?? ""
                sections.append(Section(identifier: identifier, line: index + 1))
                inHeaders = true
                continue
            }
            guard !sections.isEmpty else { continue }
            if inHeaders, line.isEmpty { inHeaders = false; continue }
            if inHeaders, let colon = line.firstIndex(of: ":") {
                sections[sections.count - 1].headers[String(line[..<colon])] =
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            } else if !inHeaders, !line.isEmpty {
                sections[sections.count - 1].text.append(String(line))
            }
        }
        return sections
    }

    @Test("the catalog has exactly one section for each id in CordonMessageID.all")
    func everyIdentifierOnce() throws {
        let sections = try Self.sections()
        let identifiers = sections.map(\.identifier)
        for section in sections {
            #expect(section.identifier.count == 32 && section.identifier.allSatisfy(\.isHexDigit)
                    && section.identifier == section.identifier.lowercased(),
                    "cordon.catalog:\(section.line): '\(section.identifier)' is not 32 lower-case hex digits")
        }
        let missing = CordonMessageID.all.subtracting(identifiers)
        #expect(missing.isEmpty, "cordon.catalog has no section for \(missing.sorted()); add one")
        let unknown = Set(identifiers).subtracting(CordonMessageID.all)
        #expect(unknown.isEmpty, "cordon.catalog has sections for ids Cordon never writes: \(unknown.sorted())")
        #expect(identifiers.count == Set(identifiers).count, "cordon.catalog has an id twice: \(identifiers)")
    }

    @Test("each section has a subject, Defined-By: cordon, support and documentation links and text")
    func everySectionComplete() throws {
        for section in try Self.sections() {
            let place = "cordon.catalog:\(section.line)"
            #expect(section.headers["Subject"]?.hasPrefix("Cordon") == true, "\(place): the Subject should start with Cordon")
            #expect(section.headers["Defined-By"] == "cordon", "\(place): Defined-By should be cordon")
            #expect(section.headers["Support"]?.isEmpty == false, "\(place): no Support")
            #expect(section.headers["Documentation"]?.isEmpty == false, "\(place): no Documentation")
            #expect(section.text.count >= 3, "\(place): say what happened and what to do")
        }
    }

    @Test("journalctl --update-catalog compiles it and lists every id")
    func journalctlAcceptsIt() throws {
        let root = try TemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root.path) }
        _ = try root.write("usr/lib/systemd/catalog/cordon.catalog",
                           try String(contentsOfFile: Self.catalogPath, encoding: .utf8))
        let update = try runCommand(["journalctl", "--root=" + root.path, "--update-catalog"])
        #expect(update.status == 0, "\(update.standardError)")
        #expect(!update.standardError.contains("cordon.catalog"), "\(update.standardError)")
        let list = try runCommand(["journalctl", "--root=" + root.path, "--list-catalog"])
        #expect(list.status == 0, "\(list.standardError)")
        let listed = Set(list.standardOutput.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: " ", maxSplits: 2)
            return parts.count == 3 && parts[1] == "cordon:" ? String(parts[0]) : nil
        })
        #expect(listed == CordonMessageID.all, "journalctl lists \(listed.sorted())")
    }
}
