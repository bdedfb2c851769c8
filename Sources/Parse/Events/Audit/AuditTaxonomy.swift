import Journal

/// Turns an assembled audit event into Sigma taxonomy events with Sysmon's field names.
///
/// - execve/execveat that succeeded → `process_creation`: `Image` (SYSCALL `exe`, else the
///   first PATH name), `CommandLine` (EXECVE arguments joined by spaces, else the PROCTITLE),
///   `CurrentDirectory` (CWD), `User` (the name of `uid`), `uid`, `auid`, `euid`, `LogonId`
///   (`ses`), `ProcessId`, `ParentProcessId`, `ParentImage`/`ParentCommandLine`/`ParentUser`
///   (the process table, fed by earlier execve events), `TerminalSessionId` (`tty`), `key`, `comm`.
/// - creat, open/openat/openat2 for writing, rename*, link*, symlink*, mknod* that succeeded
///   → `file_event`: `TargetFilename` (the CREATE path, else the written one, made absolute),
///   `Image`, `User`, `ProcessId`, `key`.
/// - unlink, unlinkat, rmdir that succeeded → `file_delete`, likewise with the DELETE path.
/// - connect (succeeded or in progress) and bind with an IPv4/IPv6 SOCKADDR →
///   `network_connection`: `DestinationIp`/`DestinationPort` (connect) or `SourceIp`/`SourcePort`
///   (bind), `DestinationIsIpv6`, `Initiated`, `Image`, `User`, `ProcessId`, `key`.
///
/// Every event also carries the first record's `_TRANSPORT` (always `audit`: only the kernel
/// writes those entries, which is what the mapping's trust tests), `_HOSTNAME`, `_AUDIT_ID`.
struct AuditTaxonomy {
    var processes: ProcessTable
    let host: any HostLookup
    var statistics = AssemblyStatistics()
    /// uid → user name, bounded.
    private var userNames: [UInt32: [UInt8]?] = [:]

    init(options: AssemblyOptions, host: any HostLookup) {
        processes = ProcessTable(capacity: options.processTableCapacity)
        self.host = host
    }

    /// The taxonomy event of `event`, if it is one; the process table learns every execve.
    mutating func event(of event: AuditAssembler.Event, wanted kinds: Set<EventKind>) -> (EventKind, [(name: [UInt8], value: [UInt8])])? {
        let syscall = event.record(AuditRecordType.syscall)
        let name = syscall?.fields.value(of: "SYSCALL").map { String(decoding: $0, as: UTF8.self) }
        let succeeded = syscall?.fields.value(of: "success").map { $0.elementsEqual(Bytes.of("yes")) } ?? true
        let isExec = name.map { $0 == "execve" || $0 == "execveat" } ?? (event.record(AuditRecordType.execve) != nil)
        if isExec {
            guard succeeded else { return nil }
            guard kinds.contains(.processCreation) else { return nil }
            return (.processCreation, processCreation(event))
        }
        guard let name, let syscall else { return nil }
        switch name {
        case "creat", "open", "openat", "openat2", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
             "symlinkat", "mknod", "mknodat":
            guard succeeded, kinds.contains(.fileEvent), let target = fileTarget(event, syscall: name, record: syscall)
            else { return nil }
            var fields = common(event)
            fields.append((Array("TargetFilename".utf8), target))
            appendProcess(event, to: &fields)
            return (.fileEvent, fields)
        case "unlink", "unlinkat", "rmdir":
            guard succeeded, kinds.contains(.fileDelete),
                  let path = event.paths.first(where: { $0.type.elementsEqual(Bytes.of("DELETE")) }) ?? event.paths.last
            else { return nil }
            var fields = common(event)
            fields.append((Array("TargetFilename".utf8), event.absolute(path.name)))
            appendProcess(event, to: &fields)
            return (.fileDelete, fields)
        case "connect", "bind":
            // A non-blocking connect reports EINPROGRESS (-115) and goes on in the background.
            let inProgress = syscall.fields.value(of: "exit").map { $0.elementsEqual(Bytes.of("-115")) } ?? false
            guard succeeded || (name == "connect" && inProgress), kinds.contains(.networkConnection),
                  let saddr = event.record(AuditRecordType.socketAddress)?.fields.value(of: "saddr"),
                  let address = SocketAddress(hex: saddr)
            else { return nil }
            var fields = common(event)
            let side = name == "connect" ? "Destination" : "Source"
            fields.append((Array("Initiated".utf8), Array((name == "connect" ? "true" : "false").utf8)))
            fields.append((Array((side + "Ip").utf8), address.address))
            fields.append((Array((side + "Port").utf8), Array(String(address.port).utf8)))
            fields.append((Array((side + "IsIpv6").utf8), Array((address.isIPv6 ? "true" : "false").utf8)))
            appendProcess(event, to: &fields)
            return (.networkConnection, fields)
        default:
            return nil
        }
    }

    /// Fields of the process-creation event; remembers the process for its children.
    private mutating func processCreation(_ event: AuditAssembler.Event) -> [(name: [UInt8], value: [UInt8])] {
        var fields = common(event)
        let syscall = event.record(AuditRecordType.syscall)?.fields
        let image = syscall?.value(of: "exe").map(Array.init)
            ?? event.paths.first.map { event.absolute($0.name) } ?? []
        var commandLine: [UInt8] = []
        if let arguments = event.arguments {
            for (index, argument) in arguments.enumerated() {
                if index > 0 { commandLine.append(Bytes.space) }
                commandLine.append(contentsOf: argument)
            }
        } else if let title = event.record(AuditRecordType.processTitle)?.fields.value(of: "proctitle") {
            commandLine = Array(title)
        }
        fields.append((Array("Image".utf8), image))
        fields.append((Array("CommandLine".utf8), commandLine))
        if let cwd = event.record(AuditRecordType.cwd)?.fields.value(of: "cwd") {
            fields.append((Array("CurrentDirectory".utf8), Array(cwd)))
        }
        let user = appendUser(syscall, to: &fields)
        copy(["auid", "euid", "ses", "tty", "comm", "key"], renaming: ["ses": "LogonId", "tty": "TerminalSessionId"],
             from: syscall, to: &fields)
        let pid = syscall?.value(of: "pid")?.decimalValue(limit: Int(Int32.max)).map(Int32.init)
        let parentPid = syscall?.value(of: "ppid")?.decimalValue(limit: Int(Int32.max)).map(Int32.init)
        if let pid { fields.append((Array("ProcessId".utf8), Array(String(pid).utf8))) }
        if let parentPid {
            fields.append((Array("ParentProcessId".utf8), Array(String(parentPid).utf8)))
            let key = ProcessTable.Key(boot: event.boot, pid: parentPid)
            if let parent = processes.process(key) {
                statistics.parentsFound += 1
                fields.append((Array("ParentImage".utf8), parent.image))
                fields.append((Array("ParentCommandLine".utf8), parent.commandLine))
                if let parentUser = parent.user { fields.append((Array("ParentUser".utf8), parentUser)) }
            } else if let parent = host.runningProcess(pid: parentPid, boot: event.boot) {
                statistics.parentsFound += 1
                fields.append((Array("ParentImage".utf8), parent.image))
                fields.append((Array("ParentCommandLine".utf8), parent.commandLine))
            }
        }
        if let pid {
            let process = ProcessTable.Process(image: image, commandLine: commandLine, user: user)
            statistics.processTableEvictions += processes.insert(process, at: ProcessTable.Key(boot: event.boot, pid: pid))
        }
        return fields
    }

    /// The file a file-creating or -writing system call wrote, or nil for a read-only open.
    private func fileTarget(_ event: AuditAssembler.Event, syscall name: String, record: AuditAssembler.Record) -> [UInt8]? {
        let paths = event.paths
        if let created = paths.last(where: { $0.type.elementsEqual(Bytes.of("CREATE")) }) {
            return event.absolute(created.name)
        }
        switch name {
        case "open", "openat":
            // open(path, flags) and openat(dirfd, path, flags): O_WRONLY 1, O_RDWR 2, O_CREAT 0x40,
            // O_TRUNC 0x200 (the same on x86_64, i386 and aarch64).
            let flags = record.fields.value(of: name == "open" ? "a1" : "a2").flatMap { UInt64(hex: $0) } ?? 0
            guard flags & 0x243 != 0 else { return nil }
        case "creat":
            break
        default:
            return nil
        }
        guard let written = paths.last(where: { !$0.type.elementsEqual(Bytes.of("PARENT")) }) else { return nil }
        return event.absolute(written.name)
    }

    /// Fields every taxonomy event carries.
    private func common(_ event: AuditAssembler.Event) -> [(name: [UInt8], value: [UInt8])] {
        var fields: [(name: [UInt8], value: [UInt8])] = []
        guard let first = event.records.first?.entry else { return fields }
        for name in ["_TRANSPORT", "_HOSTNAME", "_AUDIT_ID"] {
            if let value = first.value(of: name) { fields.append((Array(name.utf8), Array(value))) }
        }
        return fields
    }

    /// `Image`, `User`, `ProcessId`, `key` of the process behind a file or network event.
    private mutating func appendProcess(_ event: AuditAssembler.Event, to fields: inout [(name: [UInt8], value: [UInt8])]) {
        let syscall = event.record(AuditRecordType.syscall)?.fields
        if let exe = syscall?.value(of: "exe") { fields.append((Array("Image".utf8), Array(exe))) }
        _ = appendUser(syscall, to: &fields)
        copy(["pid", "auid", "comm", "key"], renaming: ["pid": "ProcessId"], from: syscall, to: &fields)
    }

    /// Appends `User` (the name of `uid`, else the number) and `uid`; returns the user.
    private mutating func appendUser(_ syscall: ParsedFields?, to fields: inout [(name: [UInt8], value: [UInt8])]) -> [UInt8]? {
        guard let uidText = syscall?.value(of: "uid") else { return nil }
        var user = Array(uidText)
        if let uid = uidText.decimalValue().flatMap(UInt32.init(exactly:)), let name = userName(uid) { user = name }
        fields.append((Array("User".utf8), user))
        fields.append((Array("uid".utf8), Array(uidText)))
        return user
    }

    private mutating func userName(_ uid: UInt32) -> [UInt8]? {
        if let known = userNames[uid] { return known }
        let name = host.userName(uid: uid)
        if userNames.count >= 4096 { userNames.removeAll(keepingCapacity: true) }
        userNames[uid] = name
        return name
    }

    private func copy(_ names: [String], renaming: [String: String], from record: ParsedFields?,
                      to fields: inout [(name: [UInt8], value: [UInt8])]) {
        guard let record else { return }
        for name in names {
            if let value = record.value(of: name) { fields.append((Array((renaming[name] ?? name).utf8), Array(value))) }
        }
    }
}

extension UInt64 {
    /// Parses hex digits (an audit SYSCALL argument such as `241`), or nil.
    init?<Digits: Collection<UInt8>>(hex digits: Digits) {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            guard Bytes.isHexDigit(digit) else { return nil }
            value = value << 4 | UInt64(Bytes.hexValue(digit))
        }
        self = value
    }
}
