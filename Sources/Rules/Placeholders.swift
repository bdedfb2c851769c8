/// Values for Sigma placeholders (`%Administrators%`), used by the `expand` modifier.
///
/// Sigma leaves their meaning to the tool; Cordon takes them from the configuration
/// (`placeholders:` in cordon.yaml). A rule that expands a placeholder without values is rejected,
/// as the specification requires.
public struct Placeholders: Sendable, Hashable {
    /// The values of each placeholder, by name without the `%`.
    public var values: [String: [String]]

    /// Makes a set of placeholders.
    /// - Parameters:
    ///   - values: the values of each placeholder, by name without the `%`.
    public init(_ values: [String: [String]] = [:]) {
        self.values = values
    }

    /// The defined names.
    public var names: [String] { Array(values.keys) }

    /// Replaces every `%name%` in `text` by each of its values (every combination when there
    /// are several placeholders). `\%` is a plain `%`.
    /// - Returns: the expanded texts, or the first placeholder that has no values.
    public func expand(_ text: String) -> Result<[String], UnknownPlaceholder> {
        var results = [""]
        var characters = Substring(text)
        while let first = characters.first {
            if first == "\\", characters.dropFirst().first == "%" {
                results = results.map { $0 + "%" }
                characters = characters.dropFirst(2)
            } else if first == "%", let end = characters.dropFirst().firstIndex(of: "%") {
                let name = String(characters[characters.index(after: characters.startIndex)..<end])
                guard let options = values[name], !options.isEmpty else { return .failure(UnknownPlaceholder(name: name)) }
                results = results.flatMap { prefix in options.map { prefix + $0 } }
                characters = characters[characters.index(after: end)...]
            } else {
                results = results.map { $0 + String(first) }
                characters = characters.dropFirst()
            }
        }
        return .success(results)
    }

    /// A placeholder a value uses but the configuration does not define.
    public struct UnknownPlaceholder: Error, Sendable, Hashable {
        /// Its name, without the `%`.
        public let name: String
    }
}

extension Placeholders.UnknownPlaceholder: CustomStringConvertible {
    /// `%name%`.
    public var description: String { "%\(name)%" }
}
