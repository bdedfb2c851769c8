import Journal

/// Reading the records of one assembled audit event.
extension AuditAssembler.Event {
    /// The first record of this type (`SYSCALL`, `CWD` …).
    func record(_ type: [UInt8]) -> AuditAssembler.Record? {
        records.first { $0.type.elementsEqual(type) }
    }

    /// Every record of this type, in order.
    func records(_ type: [UInt8]) -> [AuditAssembler.Record] {
        records.filter { $0.type.elementsEqual(type) }
    }

    /// The value of `name` in the SYSCALL record.
    func syscallValue(_ name: String) -> ArraySlice<UInt8>? {
        record(AuditRecordType.syscall)?.fields.value(of: name)
    }

    /// The arguments of the EXECVE records, in order: an argument split over records joined,
    /// at most `argc` of them (the first record's `argc`), nil without an EXECVE record.
    var arguments: [[UInt8]]? {
        let execve = records(AuditRecordType.execve)
        guard let first = execve.first else { return nil }
        let count = first.fields.value(of: "argc")?.decimalValue()
        var arguments: [[UInt8]] = []
        for record in execve {
            for field in record.fields.fields {
                guard let index = AuditEventFieldNames.argumentIndex(field.name) else { continue }
                if let count, index >= count { continue }
                if index < arguments.count {
                    // The kernel continues a long argument in the next record under the same index.
                    arguments[index].append(contentsOf: field.value)
                } else if index == arguments.count {
                    arguments.append(Array(field.value))
                } else {
                    // A record in the middle was lost: keep the positions, leave the gap empty.
                    arguments.append(contentsOf: repeatElement([], count: index - arguments.count))
                    arguments.append(Array(field.value))
                }
            }
        }
        return arguments
    }

    /// The PATH records' file names and name types (`CREATE`, `DELETE`, `NORMAL`, `PARENT` …),
    /// in item order.
    var paths: [(name: [UInt8], type: ArraySlice<UInt8>)] {
        records(AuditRecordType.path).compactMap { record in
            guard let name = record.fields.value(of: "name") else { return nil }
            return (Array(name), record.fields.value(of: "nametype") ?? [])
        }
    }

    /// `name` made absolute: as it is when it starts with `/`, else after the CWD record's
    /// directory (a name relative to another directory descriptor cannot be resolved from the
    /// records, and stays as it is).
    func absolute(_ name: [UInt8]) -> [UInt8] {
        guard name.first != UInt8(ascii: "/"), let cwd = record(AuditRecordType.cwd)?.fields.value(of: "cwd"),
              cwd.first == UInt8(ascii: "/")
        else { return name }
        var relative = name[...]
        while relative.starts(with: [UInt8(ascii: "."), UInt8(ascii: "/")]) { relative = relative.dropFirst(2) }
        var path = Array(cwd)
        if path.last != UInt8(ascii: "/") { path.append(UInt8(ascii: "/")) }
        path.append(contentsOf: relative)
        return path
    }
}

/// Record type names, as `_AUDIT_TYPE_NAME` and the `type` field give them.
enum AuditRecordType {
    static let syscall = Bytes.of("SYSCALL")
    static let execve = Bytes.of("EXECVE")
    static let cwd = Bytes.of("CWD")
    static let path = Bytes.of("PATH")
    static let processTitle = Bytes.of("PROCTITLE")
    static let socketAddress = Bytes.of("SOCKADDR")
}

enum AuditEventFieldNames {
    /// N for a field named `aN`, else nil.
    static func argumentIndex(_ name: String) -> Int? {
        let utf8 = Array(name.utf8)[...]
        guard utf8.first == UInt8(ascii: "a"), utf8.count <= 7 else { return nil }
        return utf8.dropFirst().decimalValue()
    }
}
