/// A field a rule matched on, with the event's value of it.
public struct MatchedField: Sendable, Hashable {
    /// The journal field name, e.g. `MESSAGE`.
    public let name: String
    /// The field's value in the event, as bytes (it may be binary or invalid UTF-8).
    public let value: [UInt8]

    /// Makes a matched field.
    /// - Parameters:
    ///   - name: the journal field name.
    ///   - value: the field's value in the event.
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}
