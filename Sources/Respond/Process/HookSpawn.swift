import Glibc

/// A hook's process just after `posix_spawn`, with the daemon's ends of its three pipes.
struct HookSpawn {
    /// The child's pid, which is also its process group and session id.
    var processIdentifier: pid_t
    /// The write end of the child's standard input, non-blocking.
    var standardInput: CInt
    /// The read end of the child's standard output, non-blocking.
    var standardOutput: CInt
    /// The read end of the child's standard error, non-blocking.
    var standardError: CInt

    /// The signals a child gets at their default disposition whatever the daemon did with them
    /// (an ignored signal would stay ignored across `execve`).
    static let defaultedSignals: [Int32] = [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD]

    /// Starts `invocation` (already validated) with `posix_spawn`: pipes on 0, 1 and 2 and every
    /// other descriptor closed; a new session; an empty signal mask; `defaultedSignals` at their
    /// default dispositions. Throws the `errno` of the pipe set-up or of `posix_spawn` (which on
    /// glibc reports `execve` errors such as `ENOENT`, `EACCES` and `ENOEXEC`).
    static func start(_ invocation: HookInvocation) throws(CallFailure) -> HookSpawn {
        guard
            let arguments = CStringArray([invocation.executable] + invocation.arguments),
            let environment = CStringArray(invocation.environment.map { "\($0.0)=\($0.1)" })
        else { throw CallFailure(errno: ENOMEM) }

        var pipes: [HookPipe] = []
        defer {
            // The child's ends always; ours too unless they were handed out below.
            for descriptor in pipes.flatMap({ [$0.readEnd, $0.writeEnd] }) where descriptor >= 0 {
                FileDescriptorCalls.close(descriptor)
            }
        }
        for _ in 0..<3 { pipes.append(try HookPipe.make()) }
        let input = pipes[0], output = pipes[1], error = pipes[2]
        for descriptor in [input.writeEnd, output.readEnd, error.readEnd] {
            if let failure = FileDescriptorCalls.setNonBlocking(descriptor) { throw CallFailure(errno: failure) }
        }

        var actions = posix_spawn_file_actions_t()
        try check(posix_spawn_file_actions_init(&actions))
        defer { posix_spawn_file_actions_destroy(&actions) }
        try check(posix_spawn_file_actions_adddup2(&actions, input.readEnd, 0))
        try check(posix_spawn_file_actions_adddup2(&actions, output.writeEnd, 1))
        try check(posix_spawn_file_actions_adddup2(&actions, error.writeEnd, 2))
        if let addCloseFrom = GNUExtensions.addCloseFrom {
            try check(addCloseFrom(&actions, 3))
        }

        var attributes = posix_spawnattr_t()
        try check(posix_spawnattr_init(&attributes))
        defer { posix_spawnattr_destroy(&attributes) }
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | GNUExtensions.setSessionFlag
        try check(posix_spawnattr_setflags(&attributes, Int16(flags)))
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        try check(posix_spawnattr_setsigmask(&attributes, &emptyMask))
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signal in defaultedSignals { sigaddset(&defaulted, signal) }
        try check(posix_spawnattr_setsigdefault(&attributes, &defaulted))

        var processIdentifier = pid_t()
        let result = arguments.withUnsafePointer { argv in
            environment.withUnsafePointer { envp in
                // posix_spawn takes `char *const[]`; it does not write through the pointers.
                posix_spawn(
                    &processIdentifier, invocation.executable, &actions, &attributes,
                    UnsafeMutablePointer(mutating: argv), UnsafeMutablePointer(mutating: envp)
                )
            }
        }
        try check(result)

        pipes = [
            HookPipe(readEnd: input.readEnd, writeEnd: -1),
            HookPipe(readEnd: -1, writeEnd: output.writeEnd),
            HookPipe(readEnd: -1, writeEnd: error.writeEnd),
        ]
        return HookSpawn(
            processIdentifier: processIdentifier,
            standardInput: input.writeEnd,
            standardOutput: output.readEnd,
            standardError: error.readEnd
        )
    }

    /// Throws `result` as the `errno` when it is not 0 (the `posix_spawn*` convention).
    private static func check(_ result: CInt) throws(CallFailure) {
        guard result == 0 else { throw CallFailure(errno: result) }
    }
}
