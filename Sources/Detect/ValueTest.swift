import Parse

/// One compiled value of a predicate: how a field's bytes are compared with it.
enum ValueTest: Sendable {
    /// A Sigma string (wildcards, placement modifiers and encodings applied) as a byte pattern.
    case pattern(BytePattern)
    /// YAML `null`: the field is absent or empty.
    case null
    /// `|re`: a PCRE2 regular expression.
    case regex(RegexMatcher)
    /// `|cidr`: an IP address inside a network.
    case network(IPNetwork)
    /// `|lt`, `|lte`, `|gt`, `|gte`: the field as a number.
    case number(NumericComparison)
    /// `|fieldref`: the value of another field of the same event, with the placement modifier.
    case fieldReference(name: [UInt8], placement: Placement, isCaseSensitive: Bool)

    /// Where a referenced field's value must sit in the field.
    enum Placement: Sendable {
        case equal, contains, startsWith, endsWith
    }

    /// Whether the field value `value` (nil when absent) passes the test.
    func matches(_ value: ArraySlice<UInt8>?, in event: Event, context: inout EvaluationContext) -> Bool {
        switch self {
        case .null:
            return value?.isEmpty ?? true
        case .pattern(let pattern):
            return value.map(pattern.matches) ?? false
        case .regex(let regex):
            guard let value else { return false }
            switch regex.match(value) {
            case .match: return true
            case .noMatch: return false
            case .limitHit:
                context.regexLimitHits += 1
                return false
            }
        case .network(let network):
            return value.map(network.contains) ?? false
        case .number(let comparison):
            return value.map(comparison.matches) ?? false
        case .fieldReference(let name, let placement, let isCaseSensitive):
            guard let value, let other = name.withUnsafeBytes({ event.value(ofName: $0) }) else { return false }
            return ValueTest.compare(value, other, placement: placement, isCaseSensitive: isCaseSensitive)
        }
    }

    /// Whether `reference` sits in `value` as `placement` says.
    private static func compare(_ value: ArraySlice<UInt8>, _ reference: ArraySlice<UInt8>, placement: Placement,
                                isCaseSensitive: Bool) -> Bool {
        func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
            isCaseSensitive ? a.elementsEqual(b) : a.elementsEqual(b) { ASCIICase.lowercased($0) == ASCIICase.lowercased($1) }
        }
        switch placement {
        case .equal: return equal(value, reference)
        case .startsWith: return value.count >= reference.count && equal(value.prefix(reference.count), reference)
        case .endsWith: return value.count >= reference.count && equal(value.suffix(reference.count), reference)
        case .contains:
            guard value.count >= reference.count else { return false }
            if reference.isEmpty { return true }
            var start = value.startIndex
            while start + reference.count <= value.endIndex {
                if equal(value[start..<start + reference.count], reference) { return true }
                start += 1
            }
            return false
        }
    }
}
