import Parse
import Rules

/// A `FieldPredicate` ready to test events: field name as bytes, values as byte patterns.
struct CompiledPredicate: Sendable {
    /// What the predicate tests.
    enum Test: Sendable {
        /// The field's value against each value: any one (or every one, for `all`) must match.
        case values([CompiledValue], matchesAll: Bool)
        /// Whether the field is present (`true`) or absent (`false`).
        case exists(Bool)
    }

    /// One value of a predicate.
    enum CompiledValue: Sendable {
        case pattern(BytePattern)
        /// YAML `null`: the field is absent or empty.
        case null
    }

    /// The field name.
    let field: String
    /// The field name's bytes, for lookups without building a `String`.
    let fieldBytes: [UInt8]
    let test: Test

    init(_ predicate: FieldPredicate) {
        field = predicate.field
        fieldBytes = Array(predicate.field.utf8)
        if predicate.modifiers.contains(.exists) {
            test = .exists(predicate.values.first != .string("false"))
        } else {
            test = .values(predicate.values.map { value in
                switch value {
                case .null: .null
                case .string(let text): .pattern(BytePattern(text, modifiers: predicate.modifiers))
                }
            }, matchesAll: predicate.matchesAll)
        }
    }

    /// Whether the predicate holds for `event`. When it holds, `collect` is true and the event
    /// has the field, the field is appended to `matched`.
    func evaluate(_ event: Event, collect: Bool, into matched: inout [MatchedSlice]) -> Bool {
        let value = fieldBytes.withUnsafeBytes { event.value(ofName: $0) }
        let holds: Bool
        switch test {
        case .exists(let expected):
            holds = (value != nil) == expected
        case .values(let values, let matchesAll):
            holds = matchesAll
                ? values.allSatisfy { CompiledPredicate.matches($0, value) }
                : values.contains { CompiledPredicate.matches($0, value) }
        }
        if holds, collect, let value {
            matched.append(MatchedSlice(name: field, value: value))
        }
        return holds
    }

    private static func matches(_ compiled: CompiledValue, _ value: ArraySlice<UInt8>?) -> Bool {
        switch compiled {
        case .null: value?.isEmpty ?? true
        case .pattern(let pattern): value.map(pattern.matches) ?? false
        }
    }
}

/// A matched field still pointing into the event, copied only when the whole rule matches.
struct MatchedSlice {
    let name: String
    let value: ArraySlice<UInt8>
}
