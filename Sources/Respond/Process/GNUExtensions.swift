import Glibc

/// The GNU extensions the hook runner uses, which Swift's Glibc module does not show: it is
/// compiled without `_GNU_SOURCE`, so `<spawn.h>` and `<unistd.h>` hide everything under
/// `__USE_GNU`. Functions are looked up with `dlsym` (rather than declared in a C shim) so that
/// the binary still loads where one is missing; each has a documented fallback.
enum GNUExtensions {
    /// `POSIX_SPAWN_SETSID` from `<spawn.h>` (glibc ≥ 2.26): the child calls `setsid()`, so it leads
    /// a new session and process group whose id is its pid. The value is part of glibc's ABI.
    static let setSessionFlag: Int32 = 0x80

    /// The C type of `posix_spawn_file_actions_addclosefrom_np`.
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, CInt) -> CInt

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc ≥ 2.34), found with `dlsym` at run time;
    /// nil on an older C library, where the close-on-exec flag is all that keeps the daemon's
    /// descriptors from the hook.
    ///
    static let addCloseFrom: AddCloseFrom? = function("posix_spawn_file_actions_addclosefrom_np")

    /// The C type of `pipe2`.
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<CInt>?, CInt) -> CInt

    /// `pipe2` (glibc ≥ 2.9, so in practice always there); when nil, `HookPipe` falls back to
    /// `pipe` and `FD_CLOEXEC`, where a spawn on another thread between the two calls could
    /// inherit the pipe if `addCloseFrom` were missing too.
    static let pipe2: Pipe2? = function("pipe2")

    /// The function `name` in the global scope, as `Function`; nil when no such symbol exists.
    private static func function<Function>(_ name: String) -> Function? {
        // A nil handle is RTLD_DEFAULT: the global scope, where libc is.
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
