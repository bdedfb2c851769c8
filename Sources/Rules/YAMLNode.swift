import Yams

/// Small readers over Yams nodes, shared by the rule, detection and selection parsers.
extension Node {
    /// The line the node starts on, or `fallback` when Yams gave none.
    func line(or fallback: Int) -> Int {
        mark?.line ?? fallback
    }

    /// Where the node starts in `file` (line and column), or `fallback` when Yams gave no mark.
    func location(in file: String, or fallback: SourceLocation) -> SourceLocation {
        guard let mark else { return fallback }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    /// Whether the node is a plain YAML null (`null`, `~` or nothing); a quoted `'null'` is text.
    var isNull: Bool {
        guard case .scalar = self else { return false }
        return tag.rawValue == Tag.Name.null.rawValue
    }

    /// The text of a scalar that is not null, as written (numbers and booleans keep their spelling).
    var text: String? {
        guard case .scalar(let scalar) = self, !isNull else { return nil }
        return scalar.string
    }

    /// What kind of YAML value the node is, for messages: "a map", "a list", "text", "null".
    var kindDescription: String {
        switch self {
        case .mapping: "a map"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar: isNull ? "null" : "text"
        }
    }
}

extension Node.Mapping {
    /// The first entry whose key is the text `name`.
    func entry(_ name: String) -> (key: Node, value: Node)? {
        first { $0.key.text == name }
    }
}
