/// Walks the `key=value` items of one audit record body and appends them as fields.
///
/// Values are `"quoted"` (no escapes inside), unquoted tokens, or, for strings the kernel
/// considers unsafe, unquoted hex. A userspace record's `msg='…'` is scanned as a nested body.
///
/// At most `maximumFields` fields are appended per record: the kernel keeps a record under
/// 9 KiB, so a real record never comes near (an EXECVE record of empty arguments holds about 1,100), and a flood of items cannot make every later
/// field lookup slow.
struct AuditRecordScanner {
    /// The most fields one record yields.
    static let maximumFields = 2048

    /// Whether the record is an EXECVE record, whose `aN` are arguments rather than numbers.
    let isExecve: Bool
    /// `arch=`, for naming the syscall.
    private var architecture: ArraySlice<UInt8>?
    /// `syscall=`.
    private var syscall: ArraySlice<UInt8>?
    /// An EXECVE argument split into `aN[0]`, `aN[1]` …: its key (`aN`) and the bytes so far.
    private var splitArgument: (key: ArraySlice<UInt8>, bytes: [UInt8])?
    /// How many more fields the record may yield.
    private var remainingFields = AuditRecordScanner.maximumFields

    /// A scanner for one record.
    init(isExecve: Bool) {
        self.isExecve = isExecve
    }

    /// Appends the items of `body`.
    /// - Parameter isUserspace: whether `body` is the inside of `msg='…'`.
    mutating func scan(_ body: ArraySlice<UInt8>, isUserspace: Bool = false, into fields: inout ParsedFields) {
        var index = body.startIndex
        let end = body.endIndex
        while index < end, remainingFields > 0 {
            while index < end, body[index] == Bytes.space { index += 1 }
            let keyStart = index
            while index < end, body[index] != Bytes.equals, body[index] != Bytes.space { index += 1 }
            guard index < end, body[index] == Bytes.equals else { continue }
            let key = body[keyStart..<index]
            index += 1
            if index < end, body[index] == Bytes.doubleQuote {
                let close = body[(index + 1)...].firstIndex(of: Bytes.doubleQuote) ?? end
                let value = body[(index + 1)..<close]
                index = Swift.min(close + 1, end)
                if AuditRecordScanner.isValidKey(key) { appendItem(key: key, value: value, isQuoted: true, into: &fields) }
            } else if index < end, body[index] == Bytes.singleQuote, !isUserspace, key.elementsEqual(AuditRecordScanner.message) {
                let close = body.lastIndex(of: Bytes.singleQuote).flatMap { $0 > index ? $0 : nil } ?? end
                flushSplitArgument(into: &fields)
                scan(body[(index + 1)..<close], isUserspace: true, into: &fields)
                index = Swift.min(close + 1, end)
            } else {
                let valueEnd = body[index...].firstIndex(of: Bytes.space) ?? end
                let value = body[index..<valueEnd]
                index = valueEnd
                if AuditRecordScanner.isValidKey(key) { appendItem(key: key, value: value, isQuoted: false, into: &fields) }
            }
        }
    }

    /// Appends what is still pending at the end of the record: a split argument, `SYSCALL`.
    mutating func finish(into fields: inout ParsedFields) {
        flushSplitArgument(into: &fields)
        if let architecture, let syscall, let name = SyscallNames.name(architecture: architecture, number: syscall) {
            name.withUTF8Buffer { fields.append("SYSCALL", $0) }
        }
    }

    private static let message = Bytes.of("msg")
    private static let keyName = Bytes.of("key")
    private static let processTitle = Bytes.of("proctitle")
    private static let syscallName = Bytes.of("syscall")
    private static let architectureName = Bytes.of("arch")
    private static let null = Bytes.of("(null)")

    /// Appends one item, decoding it as its key requires.
    private mutating func appendItem(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>, isQuoted: Bool, into fields: inout ParsedFields) {
        if isExecve, let argument = AuditRecordScanner.splitArgumentKey(key) {
            if splitArgument.map({ !$0.key.elementsEqual(argument) }) ?? true {
                flushSplitArgument(into: &fields)
                splitArgument = (argument, [])
            }
            if !isQuoted, let decoded = HexDecoded(value) {
                splitArgument?.bytes.append(contentsOf: decoded)
            } else {
                splitArgument?.bytes.append(contentsOf: value)
            }
            return
        }
        flushSplitArgument(into: &fields)
        if key.elementsEqual(AuditRecordScanner.architectureName) { architecture = value }
        if key.elementsEqual(AuditRecordScanner.syscallName) { syscall = value }

        let isEncoded = !isQuoted && ((isExecve && AuditRecordScanner.isArgumentKey(key)) || AuditEncoding.isEscaped(key))
        guard isEncoded else {
            append(name: key, value, to: &fields)
            return
        }
        if value.elementsEqual(AuditRecordScanner.null) { return }
        if key.elementsEqual(AuditRecordScanner.processTitle), let decoded = HexDecoded(AuditRecordScanner.trimmingTrailingNULs(value), nulAsSpace: true) {
            append(name: key, decoded, to: &fields)
        } else if key.elementsEqual(AuditRecordScanner.keyName), let decoded = HexDecoded(value) {
            // Several rule keys are joined with \u{1} before encoding.
            for part in Array(decoded).split(separator: 1) { append(name: key, part, to: &fields) }
        } else if let decoded = HexDecoded(value) {
            append(name: key, decoded, to: &fields)
        } else {
            append(name: key, value, to: &fields)
        }
    }

    /// Appends a split EXECVE argument collected so far.
    private mutating func flushSplitArgument(into fields: inout ParsedFields) {
        guard let argument = splitArgument else { return }
        append(name: argument.key, argument.bytes, to: &fields)
        splitArgument = nil
    }

    /// Appends one field while the record's allowance lasts.
    private mutating func append<Value: Collection<UInt8>>(name: ArraySlice<UInt8>, _ value: Value, to fields: inout ParsedFields) {
        guard remainingFields > 0 else { return }
        remainingFields -= 1
        fields.append(name: name, value)
    }

    /// Hex digits of a process title without the NUL bytes that end it.
    private static func trimmingTrailingNULs(_ hex: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = hex.endIndex
        while end - hex.startIndex >= 4, hex[end - 2] == Bytes.zero, hex[end - 1] == Bytes.zero { end -= 2 }
        return hex[..<end]
    }

    /// Whether `key` is `a` followed by digits (an EXECVE argument).
    private static func isArgumentKey(_ key: ArraySlice<UInt8>) -> Bool {
        key.first == UInt8(ascii: "a") && key.dropFirst().isDecimalDigits
    }

    /// `aN` for a key `aN[M]`, else nil.
    private static func splitArgumentKey(_ key: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard key.last == UInt8(ascii: "]"), let open = key.firstIndex(of: UInt8(ascii: "[")),
              key[(open + 1)..<(key.endIndex - 1)].isDecimalDigits, isArgumentKey(key[..<open])
        else { return nil }
        return key[..<open]
    }

    /// Whether `key` looks like an audit field name: 1 to 64 letters, digits, `_`, `-`, `[`, `]`.
    private static func isValidKey(_ key: ArraySlice<UInt8>) -> Bool {
        !key.isEmpty && key.count <= 64 && key.allSatisfy {
            Bytes.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]")
        }
    }
}
