import Glibc

/// The one `poll(2)` loop, on the calling thread, that feeds a spawned hook its standard input,
/// collects its standard output and error, enforces its timeout, and notices when it has ended.
///
/// `poll` cannot wait for a process to end, so the loop also checks the process every few
/// milliseconds (1 ms, doubling up to `longestCheckInterval`) and on every wake-up.
struct HookSupervision {
    /// Seconds the loop keeps reading after the hook's process has ended. Its own pipe ends are
    /// closed by then; pipes still open afterwards are held by processes it left behind, which are
    /// killed with its process group rather than waited for.
    static let pipeGraceAfterExit = 0.5
    /// The longest sleep between checks whether the process has ended.
    static let longestCheckInterval = 0.05
    /// Bytes per `read` and per `write`.
    static let chunkSize = 65536
    /// Reads per stream per wake-up, so a hook that writes without pause cannot keep the loop
    /// from checking its timeout.
    static let readsPerWakeUp = 16

    private let processIdentifier: pid_t
    private let input: [UInt8]
    private var inputWritten = 0
    private var inputDescriptor: CInt?
    private var outputDescriptor: CInt?
    private var errorDescriptor: CInt?
    private var buffer: [UInt8]

    /// What the hook wrote to standard output, bounded.
    private(set) var output: OutputCapture
    /// What the hook wrote to standard error, bounded.
    private(set) var error: OutputCapture
    /// Whether the timeout passed and the process group was sent `SIGTERM`.
    private(set) var timedOut = false

    /// Takes over the daemon's ends of `spawn`'s pipes; `supervise` closes them.
    init(spawn: HookSpawn, invocation: HookInvocation) {
        processIdentifier = spawn.processIdentifier
        input = invocation.standardInput
        inputDescriptor = spawn.standardInput
        outputDescriptor = spawn.standardOutput
        errorDescriptor = spawn.standardError
        output = OutputCapture(limit: invocation.outputLimit)
        error = OutputCapture(limit: invocation.outputLimit)
        buffer = [UInt8](repeating: 0, count: Self.chunkSize)
    }

    /// Runs the loop until the process has ended and its output is read (or abandoned after
    /// `pipeGraceAfterExit`). On a timeout, sends `SIGTERM` and `SIGCONT` to the process group at
    /// `deadline` and `SIGKILL` `killGrace` seconds later. Returns with every pipe closed and the
    /// process not yet reaped; the process group has been sent `SIGKILL` when the hook timed out or
    /// left processes holding its pipes.
    mutating func supervise(deadline: Double, killGrace: Double) {
        if input.isEmpty { closeInput() }
        var terminatedAt: Double?
        var killed = false
        var endedAt: Double?
        var leftProcessesBehind = false
        var checkInterval = 0.001
        while true {
            let now = MonotonicClock.now()
            if endedAt == nil && ChildWait.hasTerminated(processIdentifier) {
                endedAt = now
                closeInput()
            }
            let wakeAt: Double
            if let endedAt {
                if outputDescriptor == nil && errorDescriptor == nil { break }
                if now >= endedAt + Self.pipeGraceAfterExit {
                    leftProcessesBehind = true
                    break
                }
                wakeAt = endedAt + Self.pipeGraceAfterExit
            } else {
                if terminatedAt == nil && now >= deadline {
                    signalGroup(SIGTERM)
                    signalGroup(SIGCONT)
                    terminatedAt = now
                    timedOut = true
                    closeInput()
                }
                if let terminatedAt, !killed, now >= terminatedAt + killGrace {
                    signalGroup(SIGKILL)
                    killed = true
                }
                var nextCheck = now + checkInterval
                if let terminatedAt {
                    if !killed { nextCheck = min(nextCheck, terminatedAt + killGrace) }
                } else {
                    nextCheck = min(nextCheck, deadline)
                }
                wakeAt = nextCheck
                checkInterval = min(checkInterval * 2, Self.longestCheckInterval)
            }
            switch pollOnce(waitingAtMost: wakeAt - now) {
            case .activity: checkInterval = 0.001
            case .quiet: break
            case .failed:
                // poll itself failed (not EINTR): nothing sensible is left but ending the hook.
                signalGroup(SIGKILL)
                killed = true
                closeAll()
            }
        }
        closeAll()
        if timedOut || leftProcessesBehind {
            // The leader is an unreaped zombie, so its pid, the group's id, cannot have been reused.
            signalGroup(SIGKILL)
        }
    }

    /// What one `poll` wake-up brought.
    private enum WakeUp {
        case activity, quiet, failed
    }

    /// Waits for the pipes (or just sleeps when none is open) at most `seconds`, then writes and
    /// reads what they allow.
    private mutating func pollOnce(waitingAtMost seconds: Double) -> WakeUp {
        var descriptors: [pollfd] = []
        if let inputDescriptor { descriptors.append(pollfd(fd: inputDescriptor, events: Int16(POLLOUT), revents: 0)) }
        if let outputDescriptor { descriptors.append(pollfd(fd: outputDescriptor, events: Int16(POLLIN), revents: 0)) }
        if let errorDescriptor { descriptors.append(pollfd(fd: errorDescriptor, events: Int16(POLLIN), revents: 0)) }
        // Clamped to a minute so the conversion cannot trap; the loop recomputes on every wake-up.
        let milliseconds = Int32((max(0, min(seconds, 60)) * 1000).rounded(.up))
        let count = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        if count < 0 { return errno == EINTR ? .quiet : .failed }
        if count == 0 { return .quiet }
        for descriptor in descriptors where descriptor.revents != 0 {
            switch descriptor.fd {
            case inputDescriptor: writeInput()
            case outputDescriptor:
                if !Self.readAvailable(from: descriptor.fd, into: &output, buffer: &buffer) { closeOutput() }
            case errorDescriptor:
                if !Self.readAvailable(from: descriptor.fd, into: &error, buffer: &buffer) { closeError() }
            default: break
            }
        }
        return .activity
    }

    /// Writes as much of the remaining input as the pipe takes; closes it when all is written or
    /// the hook has stopped reading (`EPIPE`, with `SIGPIPE` blocked by `BrokenPipeSignalGuard`).
    private mutating func writeInput() {
        guard let descriptor = inputDescriptor else { return }
        while inputWritten < input.count {
            let end = min(inputWritten + Self.chunkSize, input.count)
            let result = input.withUnsafeBytes { bytes in
                FileDescriptorCalls.write(descriptor, UnsafeRawBufferPointer(rebasing: bytes[inputWritten..<end]))
            }
            switch result {
            case .success(let count):
                inputWritten += count
            case .failure(let failure) where failure.errno == EAGAIN || failure.errno == EWOULDBLOCK:
                return  // The pipe is full; poll says when it has room.
            case .failure:
                closeInput()  // EPIPE: the hook closed its input; the rest is not wanted.
                return
            }
        }
        closeInput()
    }

    /// Reads what `descriptor` has (up to `readsPerWakeUp` chunks) into `capture`; false at end of
    /// file or on an error, when the descriptor should be closed.
    private static func readAvailable(
        from descriptor: CInt, into capture: inout OutputCapture, buffer: inout [UInt8]
    ) -> Bool {
        for _ in 0..<readsPerWakeUp {
            let result = buffer.withUnsafeMutableBytes { FileDescriptorCalls.read(descriptor, $0) }
            switch result {
            case .success(0): return false
            case .success(let count):
                buffer.withUnsafeBytes { capture.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            case .failure(let failure): return failure.errno == EAGAIN || failure.errno == EWOULDBLOCK
            }
        }
        return true
    }

    /// Sends `signal` to the hook's process group (its pid: it leads its own session), or to the
    /// hook alone should the group be unknown. `ESRCH` otherwise just means everything is gone.
    private func signalGroup(_ signal: Int32) {
        if kill(-processIdentifier, signal) != 0 {
            _ = kill(processIdentifier, signal)
        }
    }

    private mutating func closeInput() {
        if let inputDescriptor { FileDescriptorCalls.close(inputDescriptor) }
        inputDescriptor = nil
    }

    private mutating func closeOutput() {
        if let outputDescriptor { FileDescriptorCalls.close(outputDescriptor) }
        outputDescriptor = nil
    }

    private mutating func closeError() {
        if let errorDescriptor { FileDescriptorCalls.close(errorDescriptor) }
        errorDescriptor = nil
    }

    private mutating func closeAll() {
        closeInput()
        closeOutput()
        closeError()
    }
}
