import Glibc

/// Starts detached pthreads running Swift closures (Foundation's `Thread` is not used here).
enum DetachedThread {
    /// The closure a new thread runs, handed through `pthread_create`'s argument.
    private final class Start {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a detached thread running `body`; nil on success, else the `errno` of
    /// `pthread_create` (`EAGAIN` when the system is out of threads).
    /// The corresponding C function is `pthread_create`.
    static func start(_ body: @escaping @Sendable () -> Void) -> Int32? {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, CInt(PTHREAD_CREATE_DETACHED))
        let argument = Unmanaged.passRetained(Start(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { argument in
            guard let argument else { return nil }
            Unmanaged<Start>.fromOpaque(argument).takeRetainedValue().body()
            return nil
        }, argument)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(argument).release()
            return result
        }
        return nil
    }
}
