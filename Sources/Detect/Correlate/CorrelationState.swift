import Journal
import Rules

/// The state of one correlation rule or detector: what it has seen, per group, bounded.
///
/// Time is entry time only: `observe` gets each match's `realtime`, `advance` moves a watermark
/// (the newest entry time seen, or the wall clock standing in for an idle live journal) so
/// windows close and silences are noticed without new matches. No implementation reads a clock.
public protocol CorrelationState: Sendable {
    /// The rule it evaluates.
    var rule: CorrelationRule { get }
    /// Takes one observation of a rule it refers to (already resolved: `observation` is for
    /// one of `rule.ruleReferences`; `fields` holds its values, aliases applied: group-by names
    /// and `condition.field` names as the rule writes them). Appends what fires.
    mutating func observe(_ observation: Observation, fields: [String: [UInt8]], into matches: inout [CorrelationMatch])
    /// Entry time has reached `realtime`: expires windows, notices silences; appends what fires.
    mutating func advance(to realtime: UInt64, into matches: inout [CorrelationMatch])
    /// The earliest entry time at which `advance(to:)` would fire something (a window judged at
    /// its close, a silence); nil when only a new observation can. `run` sleeps until then on an
    /// idle journal instead of waking on a tick. Expiring windows that are judged as matches
    /// arrive needs no wake-up and gives no deadline.
    var nextDeadline: UInt64? { get }
    /// Groups held now.
    var groupCount: Int { get }
    /// Groups evicted since the state was made (or decoded) because the cap was reached.
    var evictions: Int { get }
    /// Writes the state.
    func encode(into encoder: inout StateEncoder)
    /// Reads a state written by `encode` for the same rule; throws on malformed bytes.
    init(rule: CorrelationRule, maximumGroups: Int, decoding decoder: inout StateDecoder) throws(StateDecodingError)
    /// A fresh state.
    init(rule: CorrelationRule, maximumGroups: Int)
}

/// A little-endian binary writer for state snapshots.
public struct StateEncoder: Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public mutating func write(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: [UInt8]) {
        write(value.count)
        bytes.append(contentsOf: value)
    }
    public mutating func write(_ value: String) { write(Array(value.utf8)) }
    public mutating func write(_ cursor: Cursor) { write(cursor.rawValue) }
}

/// Reads what `StateEncoder` wrote; every read checks bounds.
public struct StateDecoder: Sendable {
    let bytes: [UInt8]
    public private(set) var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readUInt64() throws(StateDecodingError) -> UInt64 {
        guard bytes.count - offset >= 8 else { throw StateDecodingError(message: "state ends early at byte \(offset)") }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return value
    }
    public mutating func readInt() throws(StateDecodingError) -> Int { Int(Int64(bitPattern: try readUInt64())) }
    public mutating func readDouble() throws(StateDecodingError) -> Double { Double(bitPattern: try readUInt64()) }
    public mutating func readBool() throws(StateDecodingError) -> Bool {
        guard offset < bytes.count else { throw StateDecodingError(message: "state ends early at byte \(offset)") }
        offset += 1
        return bytes[offset - 1] != 0
    }
    public mutating func readBytes() throws(StateDecodingError) -> [UInt8] {
        let count = try readInt()
        guard count >= 0, bytes.count - offset >= count else { throw StateDecodingError(message: "bad length \(count) at byte \(offset)") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
    public mutating func readString() throws(StateDecodingError) -> String { String(decoding: try readBytes(), as: UTF8.self) }
    public mutating func readCursor() throws(StateDecodingError) -> Cursor {
        let text = try readString()
        guard let cursor = Cursor(text) else { throw StateDecodingError(message: "not a cursor at byte \(offset)") }
        return cursor
    }
}

/// A state snapshot that cannot be read.
public struct StateDecodingError: Error, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
}
