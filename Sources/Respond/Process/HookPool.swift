import Glibc

/// A bounded pool of worker threads running hooks, so the detection loop never blocks on one.
///
/// At most `maxConcurrent` hooks run at once, each on its own worker thread (started when first
/// needed, then kept); at most `maxQueued` more wait, oldest first. `submit` never blocks. The
/// pool's threads finish queued work and end after the pool is released.
///
/// A worker thread starts with the signal mask of the thread whose `submit` started it, so a
/// daemon that blocks `SIGTERM`, `SIGINT` and `SIGHUP` for its signalfd keeps them blocked there
/// too; hooks themselves always start with an empty mask.
///
/// `@unchecked Sendable`: all mutable state (the queue and the counters) sits in `HookPoolState` and
/// is only touched with its `ConditionLock` held.
public final class HookPool: @unchecked Sendable {
    private let state: HookPoolState

    /// Creates an empty pool; no thread starts until the first `submit`.
    ///
    /// - Parameters:
    ///   - maxConcurrent: Hooks run at once at most; at least 1.
    ///   - maxQueued: Hooks waiting for a worker at most; 0 accepts only what can start at once.
    /// - Precondition: `maxConcurrent >= 1` and `maxQueued >= 0`.
    public init(maxConcurrent: Int, maxQueued: Int) {
        precondition(maxConcurrent >= 1, "HookPool needs maxConcurrent >= 1")
        precondition(maxQueued >= 0, "HookPool needs maxQueued >= 0")
        state = HookPoolState(maxConcurrent: maxConcurrent, maxQueued: maxQueued)
    }

    deinit {
        state.shutDown()
    }

    /// Queues a run; `completion` is called on a worker thread with the outcome. Returns false (and
    /// does not call completion) when maxQueued runs are already waiting.
    ///
    /// Also false when no worker thread exists and none can be started (`pthread_create` failed).
    /// - Parameters:
    ///   - invocation: What to run, with `HookProcess.run`.
    ///   - completion: Called exactly once per accepted run, after it ends, on a worker thread.
    /// - Returns: Whether the run was accepted.
    public func submit(_ invocation: HookInvocation, completion: @escaping @Sendable (HookOutcome) -> Void) -> Bool {
        state.submit(HookPoolState.Job(invocation: invocation, completion: completion))
    }

    /// Hooks running now (from the moment a worker takes one until its completion has returned).
    public var running: Int { state.counts.running }

    /// Hooks accepted and waiting for a worker.
    public var queued: Int { state.counts.queued }

    /// Waits until nothing runs or waits, or the timeout passes; returns whether it drained.
    ///
    /// Called from a completion it cannot drain (that run counts until its completion returns).
    /// - Parameter timeout: Seconds to wait at most, on the monotonic clock.
    /// - Returns: True when no hook was running or queued (all completions have returned).
    public func drain(timeout: Double) -> Bool {
        state.drain(until: MonotonicClock.now() + max(0, timeout))
    }
}
