import Journal
import Rules

/// The values of `names` in `fields`, in order; a missing field is empty bytes (as
/// `CorrelationMatch.group` shows it).
func detectorValues(of names: [String], in fields: [String: [UInt8]]) -> [[UInt8]] {
    names.map { fields[$0] ?? [] }
}

/// The group as `CorrelationMatch` carries it: each `group-by` name with its value.
func detectorGroup(_ rule: CorrelationRule, _ values: [[UInt8]]) -> [(name: String, value: [UInt8])] {
    zip(rule.groupBy, values).map { (name: $0.0, value: $0.1) }
}

/// The cursors a match is built from, bounded: the first 10 and the last 10 seen.
struct BoundedEvidence: Sendable {
    /// How many cursors are kept at each end.
    static let perEnd = 10

    private(set) var first: [Cursor] = []
    /// The last cursors, oldest first.
    private(set) var last: [Cursor] = []

    init() {}

    init(first: [Cursor], last: [Cursor]) {
        self.first = Array(first.prefix(Self.perEnd))
        self.last = Array(last.suffix(Self.perEnd))
    }

    mutating func append(_ cursor: Cursor) {
        if first.count < Self.perEnd {
            first.append(cursor)
            return
        }
        if last.count == Self.perEnd { last.removeFirst() }
        last.append(cursor)
    }

    /// The first 10 then the last 10, in the order seen.
    var cursors: [Cursor] { first + last }

    func encode(into encoder: inout StateEncoder) {
        encoder.write(first.count)
        for cursor in first { encoder.write(cursor) }
        encoder.write(last.count)
        for cursor in last { encoder.write(cursor) }
    }

    init(decoding decoder: inout StateDecoder) throws(StateDecodingError) {
        let first = try decoder.readCursors(atMost: Self.perEnd)
        let last = try decoder.readCursors(atMost: Self.perEnd)
        self.init(first: first, last: last)
    }
}

extension StateDecoder {
    /// A count written by `StateEncoder.write(_: Int)`, checked to lie in `0...maximum`.
    mutating func readCount(atMost maximum: Int, of what: String) throws(StateDecodingError) -> Int {
        let count = try readInt()
        guard count >= 0, count <= maximum else {
            throw StateDecodingError(message: "\(what): count \(count) out of range 0...\(maximum) at byte \(offset)")
        }
        return count
    }

    /// A tag a state writes first, so that a snapshot of another kind or version is rejected.
    mutating func expectTag(_ tag: String) throws(StateDecodingError) {
        let found = try readBytes()
        guard found == Array(tag.utf8) else {
            throw StateDecodingError(message: "not a '\(tag)' state at byte \(offset)")
        }
    }

    /// A list of field values written as a count and byte strings; its count must be `arity`.
    mutating func readValues(arity: Int, of what: String) throws(StateDecodingError) -> [[UInt8]] {
        let count = try readInt()
        guard count == arity else {
            throw StateDecodingError(message: "\(what): \(count) values where the rule has \(arity) at byte \(offset)")
        }
        var values: [[UInt8]] = []
        for _ in 0..<count { values.append(try readBytes()) }
        return values
    }

    mutating func readCursors(atMost maximum: Int) throws(StateDecodingError) -> [Cursor] {
        let count = try readCount(atMost: maximum, of: "evidence")
        var cursors: [Cursor] = []
        for _ in 0..<count { cursors.append(try readCursor()) }
        return cursors
    }
}

extension StateEncoder {
    /// Writes field values as `StateDecoder.readValues` reads them.
    mutating func write(values: [[UInt8]]) {
        write(values.count)
        for value in values { write(value) }
    }
}
