/// `lt`, `lte`, `gt`, `gte`: the field read as a number compared with the rule's number.
struct NumericComparison: Sendable, Hashable {
    enum Operator: Sendable, Hashable {
        case less, lessOrEqual, greater, greaterOrEqual
    }

    let comparison: Operator
    let value: Double

    /// Parses the rule's value; nil when it is not a number.
    init?(_ comparison: Operator, _ text: String) {
        guard let value = NumericComparison.number(Array(text.utf8)[...]) else { return nil }
        self.comparison = comparison
        self.value = value
    }

    /// Whether the field's text, read as a number, compares as the operator says; a field
    /// that is not a number never matches.
    func matches(_ field: ArraySlice<UInt8>) -> Bool {
        guard let number = NumericComparison.number(field) else { return false }
        switch comparison {
        case .less: return number < value
        case .lessOrEqual: return number <= value
        case .greater: return number > value
        case .greaterOrEqual: return number >= value
        }
    }

    /// A decimal number (`-12`, `3.5`, `1e3`) in ASCII with optional surrounding spaces, or nil.
    static func number(_ bytes: ArraySlice<UInt8>) -> Double? {
        var bytes = bytes
        while let first = bytes.first, first == UInt8(ascii: " ") { bytes.removeFirst() }
        while let last = bytes.last, last == UInt8(ascii: " ") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 64,
              bytes.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || "+-.eE".utf8.contains($0) })
        else { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }
}
