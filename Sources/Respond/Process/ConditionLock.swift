import Glibc

/// A `pthread_mutex_t` with two condition variables on the monotonic clock: what `HookPool` needs
/// and `Synchronization.Mutex` lacks (it has no condition variables to wait on).
///
/// The pthread objects live in heap memory this class owns, since they must not move.
final class ConditionLock: @unchecked Sendable {  // Unchecked: the pthread objects are made for use across threads.
    /// Names one of the two condition variables.
    enum Condition {
        /// Work was queued, or the pool is shutting down.
        case workAvailable
        /// A run finished.
        case runFinished
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let workAvailable: UnsafeMutablePointer<pthread_cond_t>
    private let runFinished: UnsafeMutablePointer<pthread_cond_t>

    /// Creates the mutex and the condition variables. Traps only if pthread cannot initialise them,
    /// which glibc never reports for default attributes.
    init() {
        mutex = .allocate(capacity: 1)
        workAvailable = .allocate(capacity: 1)
        runFinished = .allocate(capacity: 1)
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init")
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        precondition(pthread_cond_init(workAvailable, &attributes) == 0, "pthread_cond_init")
        precondition(pthread_cond_init(runFinished, &attributes) == 0, "pthread_cond_init")
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(runFinished)
        pthread_cond_destroy(workAvailable)
        pthread_mutex_destroy(mutex)
        runFinished.deallocate()
        workAvailable.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` holding the mutex.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for `condition` to be signalled; call only inside `withLock`. May wake spuriously.
    func wait(for condition: Condition) {
        pthread_cond_wait(pointer(to: condition), mutex)
    }

    /// Waits for `condition` until `deadline` (monotonic seconds); call only inside `withLock`.
    /// May wake spuriously or early; callers recheck their predicate and the clock.
    func wait(for condition: Condition, until deadline: Double) {
        guard deadline.isFinite else { return wait(for: condition) }
        let seconds = deadline.rounded(.down)
        var time = timespec(tv_sec: Int(seconds), tv_nsec: Int((deadline - seconds) * 1_000_000_000))
        pthread_cond_timedwait(pointer(to: condition), mutex, &time)
    }

    /// Wakes one waiter on `condition`.
    func signal(_ condition: Condition) {
        pthread_cond_signal(pointer(to: condition))
    }

    /// Wakes every waiter on `condition`.
    func broadcast(_ condition: Condition) {
        pthread_cond_broadcast(pointer(to: condition))
    }

    private func pointer(to condition: Condition) -> UnsafeMutablePointer<pthread_cond_t> {
        switch condition {
        case .workAvailable: workAvailable
        case .runFinished: runFinished
        }
    }
}
