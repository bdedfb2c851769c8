// A first categoriser with the miner's API: one category per distinct template, where a token with a
// digit is masked. The Drain-style miner (tree, similarity, typed masks, caps) replaces it.
public struct TemplateMinerError: Error, CustomStringConvertible { public var description: String }
public struct TemplateMiner: Sendable {
    public struct Limits: Sendable, Equatable {
        public var categoriesPerSource = 1_000
        public var categories = 20_000
        public var sources = 1_000
        public var similarity = 0.5
        public var maximumChildren = 64
        public var maximumTokens = 48
        public init() {}
    }
    public struct Outcome: Sendable, Equatable {
        public var slot: Int32
        public var identifier: UInt64
        public var isNew: Bool
        public var generalised: Bool
    }
    public struct Category: Sendable, Equatable {
        public var identifier: UInt64
        public var source: String
        public var template: String
        public var count: UInt64
        public var firstSeen: UInt64
        public var lastSeen: UInt64
        public var example: String
    }
    public private(set) var evictions = 0
    var stored: [Category] = []
    var index: [UInt64: Int32] = [:]
    public var count: Int { stored.count }
    public init(limits: Limits = Limits()) {}
    public mutating func categorise(source: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer, realtime: UInt64) -> Outcome {
        var line = Array(message)
        if let nl = line.firstIndex(of: 10) { line = Array(line[..<nl]) }
        let tokens = line.split(separator: 32).map { t -> String in t.contains(where: { $0 >= 48 && $0 <= 57 }) ? "<NUM>" : String(decoding: t, as: UTF8.self) }
        let template = tokens.joined(separator: " ")
        var h: UInt64 = 0xcbf29ce484222325
        for b in Array(source) + [0] + Array(template.utf8) { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        if let slot = index[h] { stored[Int(slot)].count += 1; stored[Int(slot)].lastSeen = realtime; return Outcome(slot: slot, identifier: h, isNew: false, generalised: false) }
        let slot = Int32(stored.count)
        stored.append(Category(identifier: h, source: String(decoding: source, as: UTF8.self), template: template, count: 1, firstSeen: realtime, lastSeen: realtime, example: String(decoding: line.prefix(200), as: UTF8.self)))
        index[h] = slot
        return Outcome(slot: slot, identifier: h, isNew: true, generalised: false)
    }
    public func category(at slot: Int32) -> Category { stored[Int(slot)] }
    public func slot(of identifier: UInt64) -> Int32? { index[identifier] }
    public func forEachCategory(_ body: (Int32, Category) -> Void) { for (i, c) in stored.enumerated() { body(Int32(i), c) } }
    public mutating func takeEvicted() -> [UInt64] { [] }
    public static func hex(_ identifier: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        let digits = Array("0123456789abcdef".utf8)
        for i in 0..<16 { buffer[i] = digits[Int((identifier >> UInt64(60 - 4 * i)) & 15)] }
    }
    public func encode(into bytes: inout [UInt8]) {
        var e = StateEncoder()
        e.write(stored.count)
        for c in stored { e.write(c.identifier); e.write(c.source); e.write(c.template); e.write(c.count); e.write(c.firstSeen); e.write(c.lastSeen); e.write(c.example) }
        bytes += e.bytes
    }
    public init(decoding bytes: ArraySlice<UInt8>, limits: Limits) throws(TemplateMinerError) {
        var d = StateDecoder(Array(bytes))
        do {
            let n = try d.readInt()
            for _ in 0..<n {
                let c = Category(identifier: try d.readUInt64(), source: try d.readString(), template: try d.readString(), count: try d.readUInt64(), firstSeen: try d.readUInt64(), lastSeen: try d.readUInt64(), example: try d.readString())
                index[c.identifier] = Int32(stored.count); stored.append(c)
            }
        } catch { throw TemplateMinerError(description: "\(error)") }
    }
}
