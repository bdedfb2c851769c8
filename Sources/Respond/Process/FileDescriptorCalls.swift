import Glibc

/// The few descriptor calls the hook runner makes, each retried on `EINTR`.
enum FileDescriptorCalls {
    /// Closes `descriptor`, ignoring errors: on Linux the descriptor is released even when `close`
    /// reports `EINTR`, so it is never retried.
    static func close(_ descriptor: CInt) {
        _ = Glibc.close(descriptor)
    }

    /// Adds `O_NONBLOCK` to the descriptor's status flags; the `errno` on failure.
    static func setNonBlocking(_ descriptor: CInt) -> Int32? {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0 else { return errno }
        guard fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else { return errno }
        return nil
    }

    /// Writes once from `bytes`; the count written, or the `errno` (`EAGAIN` when the pipe is full).
    static func write(_ descriptor: CInt, _ bytes: UnsafeRawBufferPointer) -> Result<Int, CallFailure> {
        while true {
            let count = Glibc.write(descriptor, bytes.baseAddress, bytes.count)
            if count >= 0 { return .success(count) }
            if errno != EINTR { return .failure(CallFailure(errno: errno)) }
        }
    }

    /// Reads once into `buffer`; the count read (0 at end of file), or the `errno`.
    static func read(_ descriptor: CInt, _ buffer: UnsafeMutableRawBufferPointer) -> Result<Int, CallFailure> {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return .success(count) }
            if errno != EINTR { return .failure(CallFailure(errno: errno)) }
        }
    }
}
