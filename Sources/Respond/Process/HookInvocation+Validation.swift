import Glibc

extension HookInvocation {
    /// `EINVAL` when this invocation cannot be handed to `execve` exactly as given, else nil.
    ///
    /// Refused: a relative or empty executable path; NUL in the path, an argument or a value (a C
    /// string would silently cut it short); an environment name outside `[A-Za-z_][A-Za-z0-9_]*`
    /// or given twice; a negative or NaN timeout or kill grace; a negative output limit.
    var invalidityErrno: Int32? {
        guard executable.utf8.first == UInt8(ascii: "/"), !executable.utf8.contains(0) else { return EINVAL }
        guard !arguments.contains(where: { $0.utf8.contains(0) }) else { return EINVAL }
        var names = Set<String>()
        for (name, value) in environment {
            guard Self.isEnvironmentName(name), !value.utf8.contains(0) else { return EINVAL }
            guard names.insert(name).inserted else { return EINVAL }
        }
        guard timeout >= 0, killGrace >= 0, outputLimit >= 0 else { return EINVAL }  // NaN fails >= too
        return nil
    }

    /// Whether `name` matches `[A-Za-z_][A-Za-z0-9_]*`.
    static func isEnvironmentName(_ name: String) -> Bool {
        func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "_") || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        }
        guard let first = name.utf8.first, isLetterOrUnderscore(first) else { return false }
        return name.utf8.allSatisfy { isLetterOrUnderscore($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
