import Foundation
import Glibc
import Synchronization
import Testing

@testable import Respond

/// The pool with real hooks. Hooks that must stay running wait for a gate file the test creates,
/// so nothing depends on timing; every wait has a generous limit.
@Suite(.timeLimit(.minutes(2)))
struct HookPoolTests {
    @Test func everyAcceptedRunCompletesExactlyOnce() throws {
        let scratch = try ScratchDirectory()
        let hook = try scratch.script("status", #"exit "$1""#)
        let pool = HookPool(maxConcurrent: 3, maxQueued: 100)
        let completions = Completions()
        for run in 0..<30 {
            let invocation = HookInvocation(
                executable: hook, arguments: ["\(run % 5)"], environment: testEnvironment, timeout: 60
            )
            #expect(pool.submit(invocation) { completions.record(run, $0) })
        }
        #expect(pool.submit(HookInvocation(executable: "/nonexistent", timeout: 60)) { completions.record(30, $0) })
        #expect(pool.drain(timeout: 90))
        #expect(pool.running == 0)
        #expect(pool.queued == 0)
        let recorded = completions.snapshot
        #expect(recorded.keys.sorted() == Array(0...30))
        for (run, outcomes) in recorded {
            #expect(outcomes.count == 1, "run \(run) completed \(outcomes.count) times")
            let expected: HookOutcome.Termination = run == 30 ? .failedToStart(ENOENT) : .exited(Int32(run % 5))
            #expect(outcomes.first?.termination == expected)
        }
    }

    @Test func neverRunsMoreThanMaxConcurrentAtOnce() throws {
        let scratch = try ScratchDirectory()
        // Each hook marks itself running, reports how many are marked, runs a while, reports again.
        let hook = try scratch.script("count", #"""
            touch "$1/running.$$"
            ls "$1" | grep -c '^running\.'
            sleep 0.2
            ls "$1" | grep -c '^running\.'
            rm "$1/running.$$"
            """#)
        let pool = HookPool(maxConcurrent: 2, maxQueued: 100)
        let completions = Completions()
        for run in 0..<8 {
            let invocation = HookInvocation(executable: hook, arguments: [scratch.path], environment: testEnvironment, timeout: 60)
            #expect(pool.submit(invocation) { completions.record(run, $0) })
            #expect(pool.running <= 2)
        }
        #expect(pool.drain(timeout: 90))
        let outcomes = completions.snapshot.values.flatMap { $0 }
        #expect(outcomes.count == 8)
        for outcome in outcomes {
            #expect(outcome.termination == .exited(0))
            let counts = String(decoding: outcome.standardOutput, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
            #expect(counts.count == 2)
            #expect(counts.allSatisfy { (1...2).contains($0) }, "\(counts)")
        }
    }

    @Test func runsMaxConcurrentHooksAtOnce() throws {
        let scratch = try ScratchDirectory()
        // Each hook waits (up to 60 s) until three are running: only a pool running three at once
        // lets them all exit 0.
        let hook = try scratch.script("barrier", #"""
            touch "$1/running.$$"
            i=0
            while [ "$(ls "$1" | grep -c '^running\.')" -lt 3 ]; do
                i=$((i + 1)); [ "$i" -lt 600 ] || exit 1
                sleep 0.1
            done
            """#)
        let pool = HookPool(maxConcurrent: 3, maxQueued: 0)
        let completions = Completions()
        for run in 0..<3 {
            let invocation = HookInvocation(executable: hook, arguments: [scratch.path], environment: testEnvironment, timeout: 90)
            #expect(pool.submit(invocation) { completions.record(run, $0) })
        }
        #expect(pool.drain(timeout: 100))
        #expect(completions.snapshot.values.flatMap { $0 }.map(\.termination) == Array(repeating: .exited(0), count: 3))
    }

    @Test func submitIsRefusedWhenMaxQueuedRunsWait() throws {
        let scratch = try ScratchDirectory()
        let gate = scratch.path + "/gate"
        let hook = try scratch.script("gated", "while [ ! -e '\(gate)' ]; do sleep 0.05; done")
        let invocation = HookInvocation(executable: hook, environment: testEnvironment, timeout: 90)
        let pool = HookPool(maxConcurrent: 1, maxQueued: 2)
        let completions = Completions()

        #expect(pool.submit(invocation) { completions.record(0, $0) })
        #expect(waitUntil(timeout: 30) { pool.running == 1 })
        #expect(pool.submit(invocation) { completions.record(1, $0) })
        #expect(pool.submit(invocation) { completions.record(2, $0) })
        #expect(pool.queued == 2)
        #expect(!pool.submit(invocation) { completions.record(3, $0) })
        #expect(pool.running == 1)
        #expect(pool.queued == 2)

        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        #expect(pool.drain(timeout: 90))
        let recorded = completions.snapshot
        #expect(recorded.keys.sorted() == [0, 1, 2])
        #expect(recorded.values.allSatisfy { $0.count == 1 && $0[0].succeeded })
        // Room again once drained.
        #expect(pool.submit(invocation) { completions.record(4, $0) })
        #expect(pool.drain(timeout: 90))
    }

    @Test func maxQueuedZeroAcceptsOnlyWhatCanStart() throws {
        let scratch = try ScratchDirectory()
        let gate = scratch.path + "/gate"
        let hook = try scratch.script("gated", "while [ ! -e '\(gate)' ]; do sleep 0.05; done")
        let invocation = HookInvocation(executable: hook, environment: testEnvironment, timeout: 90)
        let pool = HookPool(maxConcurrent: 2, maxQueued: 0)
        let completions = Completions()
        #expect(pool.submit(invocation) { completions.record(0, $0) })
        #expect(pool.submit(invocation) { completions.record(1, $0) })
        #expect(!pool.submit(invocation) { completions.record(2, $0) })
        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        #expect(pool.drain(timeout: 90))
        #expect(completions.snapshot.keys.sorted() == [0, 1])
    }

    @Test func drainReportsWhetherItDrained() throws {
        let scratch = try ScratchDirectory()
        let gate = scratch.path + "/gate"
        let hook = try scratch.script("gated", "while [ ! -e '\(gate)' ]; do sleep 0.05; done")
        let pool = HookPool(maxConcurrent: 1, maxQueued: 1)
        #expect(pool.drain(timeout: 0))  // Nothing submitted yet.
        let completions = Completions()
        for run in 0..<2 {
            let invocation = HookInvocation(executable: hook, environment: testEnvironment, timeout: 90)
            #expect(pool.submit(invocation) { completions.record(run, $0) })
        }
        #expect(!pool.drain(timeout: 0.2))  // The gate is closed: nothing can finish.
        #expect(pool.running + pool.queued == 2)
        #expect(completions.snapshot.isEmpty)

        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        #expect(pool.drain(timeout: 90))
        #expect(pool.running == 0)
        #expect(pool.queued == 0)
        #expect(completions.snapshot.count == 2)
    }

    @Test func runsFinishAfterThePoolIsReleased() throws {
        let scratch = try ScratchDirectory()
        let gate = scratch.path + "/gate"
        let hook = try scratch.script("gated", "while [ ! -e '\(gate)' ]; do sleep 0.05; done")
        let completions = Completions()
        do {
            let pool = HookPool(maxConcurrent: 1, maxQueued: 5)
            for run in 0..<3 {
                let invocation = HookInvocation(executable: hook, environment: testEnvironment, timeout: 90)
                #expect(pool.submit(invocation) { completions.record(run, $0) })
            }
        }
        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        #expect(waitUntil(timeout: 90) { completions.snapshot.count == 3 })
        #expect(completions.snapshot.values.allSatisfy { $0.count == 1 && $0[0].succeeded })
    }
}

/// Outcomes by run number, recorded from worker threads.
final class Completions: Sendable {
    private let outcomes = Mutex<[Int: [HookOutcome]]>([:])

    func record(_ run: Int, _ outcome: HookOutcome) {
        outcomes.withLock { $0[run, default: []].append(outcome) }
    }

    var snapshot: [Int: [HookOutcome]] {
        outcomes.withLock { $0 }
    }
}
