import Glibc

/// A NULL-terminated array of C strings (`argv`, `envp`) that owns its copies.
///
/// Strings must not contain NUL (the invocation is validated first); `strdup` would cut them short.
final class CStringArray {
    /// The pointers, ending with nil, as `posix_spawn` takes them.
    private(set) var pointers: [UnsafeMutablePointer<CChar>?]

    /// Copies `strings` into C memory; nil when `strdup` fails (out of memory).
    init?(_ strings: [String]) {
        pointers = []
        pointers.reserveCapacity(strings.count + 1)
        for string in strings {
            guard let copy = strdup(string) else {
                pointers.forEach { free($0) }
                return nil
            }
            pointers.append(copy)
        }
        pointers.append(nil)
    }

    deinit {
        pointers.forEach { free($0) }
    }

    /// Calls `body` with the array's base address, valid only inside `body`.
    func withUnsafePointer<Result>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
        pointers.withUnsafeBufferPointer { buffer in
            // A buffer of at least one element (the terminating nil) always has a base address.
            body(buffer.baseAddress!)
        }
    }
}
