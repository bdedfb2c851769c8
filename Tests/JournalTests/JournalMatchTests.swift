import Foundation
import Journal
import Testing

/// Disjunctions of matches and the distinct values of a field, on a real journal file.
extension JournalReaderTests {
    private func messages(_ journal: Journal) throws -> [String] {
        try journal.seekHead()
        var messages: [String] = []
        while try journal.next() { messages.append(try journal.entry().string("MESSAGE") ?? "") }
        return messages
    }

    @Test func disjunctionOrsGroupsOfMatches() throws {
        let (directory, file) = try makeFile([
            entry(1_700_000_000_000_001, [JournalField("MESSAGE", "a"), JournalField("KIND", "x"), JournalField("HOST", "one")]),
            entry(1_700_000_000_000_002, [JournalField("MESSAGE", "b"), JournalField("KIND", "y"), JournalField("HOST", "one")]),
            entry(1_700_000_000_000_003, [JournalField("MESSAGE", "c"), JournalField("KIND", "x"), JournalField("HOST", "two")]),
            entry(1_700_000_000_000_004, [JournalField("MESSAGE", "d"), JournalField("KIND", "z"), JournalField("HOST", "two")]),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .files([file]))
        // Two fields: ANDed.
        try journal.addMatch(field: "KIND", value: "x")
        try journal.addMatch(field: "HOST", value: "two")
        #expect(try messages(journal) == ["c"])
        // (KIND=x ∧ HOST=two) ∨ KIND=y
        try journal.addDisjunction()
        try journal.addMatch(field: "KIND", value: "y")
        #expect(try messages(journal) == ["b", "c"])
        journal.flushMatches()
        // (KIND=x ∨ KIND=z) ∧ (HOST=one): a conjunction of two groups.
        try journal.addMatch(field: "KIND", value: "x")
        try journal.addMatch(field: "KIND", value: "z")
        try journal.addConjunction()
        try journal.addMatch(field: "HOST", value: "one")
        #expect(try messages(journal) == ["a"])
        journal.flushMatches()
        #expect(try messages(journal) == ["a", "b", "c", "d"])
    }

    @Test func uniqueValuesListsEachValueOnce() throws {
        let (directory, file) = try makeFile([
            entry(1_700_000_000_000_001, [JournalField("MESSAGE", "a"), JournalField("TITLE", "SSH brute force")]),
            entry(1_700_000_000_000_002, [JournalField("MESSAGE", "b"), JournalField("TITLE", "Sudo to root")]),
            entry(1_700_000_000_000_003, [JournalField("MESSAGE", "c"), JournalField("TITLE", "SSH brute force")]),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(source: .files([file]))
        try journal.addMatch(field: "MESSAGE", value: "b")  // matches do not narrow the values
        let values = try journal.uniqueValues(of: "TITLE").map { String(decoding: $0, as: UTF8.self) }.sorted()
        #expect(values == ["SSH brute force", "Sudo to root"])
        #expect(try journal.uniqueValues(of: "ABSENT").isEmpty)
        // Enumerating again gives the same values.
        #expect(try journal.uniqueValues(of: "TITLE").count == 2)
        // And reading entries still works afterwards.
        #expect(try messages(journal) == ["b"])
    }
}
