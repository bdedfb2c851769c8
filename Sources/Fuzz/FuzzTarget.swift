import Glibc

/// A fuzz target: a function of arbitrary bytes that must return, whatever the bytes, without
/// trapping. libFuzzer calls it in `cordon-fuzz` (`make fuzz`); FuzzTests call it on the seed
/// corpus and on every past crash.
///
/// Not thread-safe: a target keeps what it loaded once (rules, mappings) and is called from one thread.
public protocol FuzzTarget: AnyObject {
    /// Runs one input. Diagnostics, rejected entries and alerts are all fine; a trap is the bug.
    func run(_ input: [UInt8])
}

/// The fuzz targets, by name.
public enum FuzzTargets {
    /// The target names, as `cordon-fuzz` and `make fuzz` take them.
    public static let names = ["rules", "parsers", "pipeline"]

    /// Makes the target called `name`.
    /// - Parameters:
    ///   - name: one of `names`.
    ///   - rulesDirectory: the shipped rules (`rules/`): their log source mapping for `rules`,
    ///     all of them for `pipeline`.
    /// - Throws: `FuzzSetupError` for an unknown name or rules that do not load.
    public static func make(_ name: String, rulesDirectory: String) throws(FuzzSetupError) -> any FuzzTarget {
        switch name {
        case "rules": return try RulesFuzzTarget(rulesDirectory: rulesDirectory)
        case "parsers": return ParsersFuzzTarget()
        case "pipeline": return try PipelineFuzzTarget(rulesDirectory: rulesDirectory)
        default: throw FuzzSetupError("unknown fuzz target '\(name)'; use one of \(names.joined(separator: ", "))")
        }
    }
}

/// A fuzz target that cannot start (an unknown name, rules that do not load).
public struct FuzzSetupError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension FuzzTargets {
    /// The shipped rules of this checkout (`rules/` beside `Sources/`), or `CORDON_FUZZ_RULES`.
    public static var defaultRulesDirectory: String {
        if let directory = getenv("CORDON_FUZZ_RULES") { return String(cString: directory) }
        return repositoryDirectory + "/rules"
    }

    /// The checkout this file is in: two folders above `Sources/Fuzz/`.
    static var repositoryDirectory: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/")
    }
}
