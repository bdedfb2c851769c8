/// Every field parser, by name.
public enum FieldParsers {
    /// All parsers.
    public static let all: [any FieldParser] = [SSHDParser(), SudoParser(), SuParser(), PAMParser()]

    /// The parser called `name`, or nil.
    public static func named(_ name: String) -> (any FieldParser)? {
        all.first { $0.name == name }
    }
}
