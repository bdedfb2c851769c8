/// Fields a parser derived from one entry (`User`, `SourceIp`, `a0` …), as bytes.
///
/// Every `name=value` pair shares one buffer, like `JournalEntry`. A parser appends; the engine
/// clears the set between entries with `removeAll()`, which keeps the capacity, so parsing
/// does not allocate once the buffers have grown.
public struct ParsedFields: Sendable {
    /// Names and values back to back.
    private var storage: [UInt8] = []
    /// Where each name and value lies in `storage`.
    private var spans: [Span] = []

    private struct Span: Sendable {
        let nameStart: Int32
        let valueStart: Int32
        let end: Int32
    }

    /// An empty set.
    public init() {}

    /// Whether no field has been appended.
    public var isEmpty: Bool { spans.isEmpty }

    /// How many fields there are.
    public var count: Int { spans.count }

    /// Removes every field, keeping the buffers' capacity.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    /// Appends a field. A later field with the same name does not replace an earlier one:
    /// lookups return the first.
    /// - Parameters:
    ///   - name: the field name, Sigma-style (`User`, `SourceIp`), ASCII.
    ///   - value: the value's bytes.
    public mutating func append<Value: Collection<UInt8>>(_ name: StaticString, _ value: Value) {
        let nameStart = storage.count
        name.withUTF8Buffer { storage.append(contentsOf: $0) }
        let valueStart = storage.count
        storage.append(contentsOf: value)
        spans.append(Span(nameStart: Int32(nameStart), valueStart: Int32(valueStart), end: Int32(storage.count)))
    }

    /// Appends a field whose name is built at run time (audit's `a0`, `a1` …).
    /// - Parameters:
    ///   - name: the field name's bytes, ASCII.
    ///   - value: the value's bytes.
    public mutating func append<Name: Collection<UInt8>, Value: Collection<UInt8>>(name: Name, _ value: Value) {
        let nameStart = storage.count
        storage.append(contentsOf: name)
        let valueStart = storage.count
        storage.append(contentsOf: value)
        spans.append(Span(nameStart: Int32(nameStart), valueStart: Int32(valueStart), end: Int32(storage.count)))
    }

    /// The value of the first field called `name`, or nil.
    public func value(of name: String) -> ArraySlice<UInt8>? {
        var name = name
        return name.withUTF8 { value(ofName: UnsafeRawBufferPointer($0)) }
    }

    /// The value of the first field with these name bytes, or nil.
    public func value(ofName name: UnsafeRawBufferPointer) -> ArraySlice<UInt8>? {
        storage.withUnsafeBytes { bytes in
            for span in spans where Int(span.valueStart - span.nameStart) == name.count {
                let candidate = UnsafeRawBufferPointer(rebasing: bytes[Int(span.nameStart)..<Int(span.valueStart)])
                if candidate.elementsEqual(name) {
                    return storage[Int(span.valueStart)..<Int(span.end)]
                }
            }
            return nil
        }
    }

    /// Every field in the order appended, as text names and byte values (tests, `--explain`).
    public var fields: [(name: String, value: ArraySlice<UInt8>)] {
        spans.map {
            (String(decoding: storage[Int($0.nameStart)..<Int($0.valueStart)], as: UTF8.self),
             storage[Int($0.valueStart)..<Int($0.end)])
        }
    }
}
