import Glibc

/// One pipe between the daemon and a hook: both ends close-on-exec and numbered 3 or above.
///
/// Close-on-exec keeps this pipe out of hooks started concurrently on other threads; numbers of 3
/// and above make the child's `dup2` onto 0, 1 and 2 safe even when the daemon runs with one of
/// its standard descriptors closed (a `dup2(fd, fd)` would keep close-on-exec, and one `dup2` could
/// overwrite the source of the next).
struct HookPipe {
    /// The end that is read.
    var readEnd: CInt
    /// The end that is written.
    var writeEnd: CInt

    /// Creates the pipe; throws the `errno` of `pipe2(O_CLOEXEC)` or `fcntl(F_DUPFD_CLOEXEC)`.
    static func make() throws(CallFailure) -> HookPipe {
        var descriptors: [CInt] = [-1, -1]
        try createCloseOnExec(&descriptors)
        let readEnd: CInt
        do throws(CallFailure) {
            readEnd = try aboveStandardStreams(descriptors[0])
        } catch {
            FileDescriptorCalls.close(descriptors[1])
            throw error
        }
        do throws(CallFailure) {
            return HookPipe(readEnd: readEnd, writeEnd: try aboveStandardStreams(descriptors[1]))
        } catch {
            FileDescriptorCalls.close(readEnd)
            throw error
        }
    }

    /// `pipe2(O_CLOEXEC)`, or `pipe` then `FD_CLOEXEC` where `pipe2` is missing.
    private static func createCloseOnExec(_ descriptors: inout [CInt]) throws(CallFailure) {
        if let pipe2 = GNUExtensions.pipe2 {
            guard pipe2(&descriptors, O_CLOEXEC) == 0 else { throw CallFailure(errno: errno) }
            return
        }
        guard pipe(&descriptors) == 0 else { throw CallFailure(errno: errno) }
        for descriptor in descriptors where fcntl(descriptor, F_SETFD, FD_CLOEXEC) != 0 {
            let failure = errno
            descriptors.forEach { FileDescriptorCalls.close($0) }
            throw CallFailure(errno: failure)
        }
    }

    /// `descriptor` itself when it is 3 or above, else a close-on-exec copy at 3 or above (closing
    /// the original either way, so on failure nothing is left open).
    private static func aboveStandardStreams(_ descriptor: CInt) throws(CallFailure) -> CInt {
        guard descriptor < 3 else { return descriptor }
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, CInt(3))
        let failure = errno
        FileDescriptorCalls.close(descriptor)
        guard copy >= 0 else { throw CallFailure(errno: failure) }
        return copy
    }
}
