import Glibc

/// The shared state of a `HookPool` and its workers, which hold it (not the pool) so the pool can
/// be released while they finish.
///
/// `@unchecked Sendable`: every stored `var` is only read or written with `lock` held.
final class HookPoolState: @unchecked Sendable {
    /// One accepted run.
    struct Job {
        var invocation: HookInvocation
        var completion: @Sendable (HookOutcome) -> Void
    }

    private let lock = ConditionLock()
    private let maxConcurrent: Int
    private let maxQueued: Int
    /// Accepted jobs; those from `next` on wait for a worker, oldest first. The taken prefix is
    /// dropped when the queue empties or is mostly taken.
    private var jobs: [Job] = []
    private var next = 0
    private var running = 0
    private var workers = 0
    private var idleWorkers = 0
    private var shuttingDown = false

    init(maxConcurrent: Int, maxQueued: Int) {
        self.maxConcurrent = maxConcurrent
        self.maxQueued = maxQueued
    }

    /// The running and waiting counts, read together.
    var counts: (running: Int, queued: Int) {
        lock.withLock { (running, jobs.count - next) }
    }

    /// Accepts `job` unless `maxConcurrent + maxQueued` are already running or waiting; starts a
    /// worker when no idle one will take it.
    func submit(_ job: Job) -> Bool {
        lock.withLock {
            let waiting = jobs.count - next
            guard running + waiting < maxConcurrent + maxQueued else { return false }
            if waiting + 1 > idleWorkers && workers < maxConcurrent {
                if DetachedThread.start({ [self] in work() }) == nil {
                    workers += 1
                } else if workers == 0 {
                    return false  // Nothing would ever run it.
                }
            }
            jobs.append(job)
            lock.signal(.workAvailable)
            return true
        }
    }

    /// Blocks until nothing runs or waits, or `deadline` passes; whether it drained.
    func drain(until deadline: Double) -> Bool {
        lock.withLock {
            while running > 0 || next < jobs.count {
                guard MonotonicClock.now() < deadline else { return false }
                lock.wait(for: .runFinished, until: deadline)
            }
            return true
        }
    }

    /// Lets the workers end once the queue is empty.
    func shutDown() {
        lock.withLock {
            shuttingDown = true
            lock.broadcast(.workAvailable)
        }
    }

    /// A worker thread's life: take the oldest job, run it, call its completion, repeat; end when
    /// shutting down with nothing queued.
    private func work() {
        while let job = take() {
            let outcome = HookProcess.run(job.invocation)
            job.completion(outcome)
            lock.withLock {
                running -= 1
                lock.broadcast(.runFinished)
            }
        }
    }

    /// The oldest queued job (counted as running from now), waiting for one; nil to end the worker.
    private func take() -> Job? {
        lock.withLock {
            while next == jobs.count {
                if shuttingDown {
                    workers -= 1
                    return nil
                }
                idleWorkers += 1
                lock.wait(for: .workAvailable)
                idleWorkers -= 1
            }
            let job = jobs[next]
            next += 1
            if next == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                next = 0
            } else if next >= 64 && next * 2 >= jobs.count {
                jobs.removeFirst(next)
                next = 0
            }
            running += 1
            return job
        }
    }
}
