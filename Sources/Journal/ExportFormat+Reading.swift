extension ExportFormat {
    /// One field read from export-format input, with the line it starts on.
    public struct ReadField: Sendable, Equatable {
        /// The field name (`MESSAGE`, `_EXE`, `__REALTIME_TIMESTAMP` …).
        public let name: String
        /// The value's bytes.
        public let value: [UInt8]
        /// The line the field starts on, from 1.
        public let line: Int

        /// Makes a field.
        /// - Parameters:
        ///   - name: the field name.
        ///   - value: the value's bytes.
        ///   - line: the line the field starts on, from 1.
        public init(name: String, value: [UInt8], line: Int) {
            self.name = name
            self.value = value
            self.line = line
        }
    }

    /// A problem in export-format input: where, what is wrong and what to do.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The line of the input, from 1.
        public let line: Int
        /// What is wrong.
        public let message: String
        /// What to do about it.
        public let hint: String

        /// Makes an error.
        /// - Parameters:
        ///   - line: the line of the input, from 1.
        ///   - message: what is wrong.
        ///   - hint: what to do about it.
        public init(line: Int, message: String, hint: String) {
            self.line = line
            self.message = message
            self.hint = hint
        }

        /// `line N: message; hint`.
        public var description: String { "line \(line): \(message); \(hint)" }
    }

    /// Reads export-format input into entries, each a list of fields in order.
    ///
    /// Both forms are read: `NAME=value` lines and the binary-safe
    /// `NAME\n<64-bit little-endian length><bytes>\n`. One or more empty lines end an entry; the
    /// last entry need not end with one. Metadata fields (`__CURSOR`, `__REALTIME_TIMESTAMP` …)
    /// are returned like the others; `entry(of:ordinal:dataThreshold:)` interprets them.
    /// - Parameters:
    ///   - input: the bytes, e.g. the output of `journalctl -o export`.
    /// - Throws: `ReadError` at the first field name that is not a journal field name, or a
    ///   binary value that is cut short.
    public static func read(_ input: [UInt8]) throws(ReadError) -> [[ReadField]] {
        var entries: [[ReadField]] = []
        var current: [ReadField] = []
        var index = 0
        var line = 1
        let newline = UInt8(ascii: "\n")
        while index < input.count {
            let end = input[index...].firstIndex(of: newline) ?? input.count
            let text = input[index..<end]
            if text.isEmpty {
                if !current.isEmpty { entries.append(current) }
                current = []
                index = end + 1
                line += 1
                continue
            }
            if let equals = text.firstIndex(of: UInt8(ascii: "=")) {
                let name = try fieldName(input[index..<equals], line: line)
                current.append(ReadField(name: name, value: Array(input[(equals + 1)..<end]), line: line))
                index = end + 1
                line += 1
                continue
            }
            // The binary-safe form: the name alone on its line, then the length and the bytes.
            let name = try fieldName(text, line: line)
            let lengthStart = end + 1
            guard lengthStart + 8 <= input.count else {
                throw ReadError(line: line, message: "'\(name)' has no '=' and no binary length after it",
                                hint: "write NAME=value")
            }
            var length: UInt64 = 0
            for (shift, byte) in input[lengthStart..<(lengthStart + 8)].enumerated() {
                length |= UInt64(byte) << (8 * UInt64(shift))
            }
            let valueStart = lengthStart + 8
            guard length <= UInt64(input.count - valueStart), valueStart + Int(length) < input.count,
                  input[valueStart + Int(length)] == newline
            else {
                throw ReadError(line: line, message: "the binary value of '\(name)' is cut short",
                                hint: "give the full value and a line break after it, or write NAME=value")
            }
            let value = Array(input[valueStart..<(valueStart + Int(length))])
            current.append(ReadField(name: name, value: value, line: line))
            line += 1 + input[lengthStart..<(valueStart + Int(length) + 1)].count(where: { $0 == newline })
            index = valueStart + Int(length) + 1
        }
        if !current.isEmpty { entries.append(current) }
        return entries
    }

    /// Makes a journal entry of fields read from export format (or given in that form), as
    /// `systemd-journal-remote` would store it.
    ///
    /// `__CURSOR`, `__REALTIME_TIMESTAMP` and `__MONOTONIC_TIMESTAMP` set the entry's cursor and
    /// times, other fields starting with `__` are left out, and `_BOOT_ID` sets the boot as well as
    /// staying a field. Without `__CURSOR` the cursor is `s=export;i=<ordinal>`; missing times are 0.
    /// - Parameters:
    ///   - fields: the fields, in order.
    ///   - ordinal: the entry's number in its input, from 1, for the made-up cursor.
    ///   - dataThreshold: values longer than this are cut, as the journal reader cuts them, and
    ///     the entry is marked truncated.
    /// - Throws: `ReadError` at a metadata field whose value is malformed.
    public static func entry(of fields: [ReadField], ordinal: Int = 1,
                             dataThreshold: Int = Int.max) throws(ReadError) -> JournalEntry {
        var kept: [(name: String, value: [UInt8])] = []
        var realtime: UInt64 = 0
        var monotonic: UInt64 = 0
        var bootID = "00000000000000000000000000000000"
        var cursor: Cursor?
        var isTruncated = false
        for field in fields {
            let text = String(decoding: field.value, as: UTF8.self)
            switch field.name {
            case "__CURSOR":
                guard let parsed = Cursor(text) else {
                    throw ReadError(line: field.line, message: "'__CURSOR' is not a journal cursor",
                                    hint: "copy it from journalctl -o export, or leave it out")
                }
                cursor = parsed
            case "__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP":
                guard let microseconds = UInt64(text) else {
                    throw ReadError(line: field.line, message: "'\(field.name)' is '\(text)', not a number",
                                    hint: "give microseconds as a whole number, e.g. 1700000000000000")
                }
                if field.name == "__REALTIME_TIMESTAMP" { realtime = microseconds } else { monotonic = microseconds }
            case let name where name.hasPrefix("__"):
                continue
            default:
                if field.name == "_BOOT_ID" {
                    guard field.value.count == 32, field.value.allSatisfy(isHexDigit) else {
                        throw ReadError(line: field.line, message: "'_BOOT_ID' is not 32 hexadecimal digits",
                                        hint: "give a boot id such as 5a9e1d0c2b3f4a5e8d7c6b5a49382716, or leave it out")
                    }
                    bootID = text.lowercased()
                }
                var value = field.value
                if value.count > dataThreshold {
                    value.removeLast(value.count - dataThreshold)
                    isTruncated = true
                }
                kept.append((field.name, value))
            }
        }
        // An ordinal is digits: the made-up cursor text always has '=' and printable ASCII.
        let made = cursor ?? Cursor("s=export;i=\(ordinal)")!
        return JournalEntry(fields: kept, realtime: realtime, monotonic: monotonic, bootID: bootID,
                            cursor: made, isTruncated: isTruncated)
    }

    /// Whether `name` is a journal field name: 1–64 characters of `A`–`Z`, `0`–`9` and `_`,
    /// not starting with a digit. Names journald sets itself (`_EXE`) and export metadata
    /// (`__CURSOR`) are allowed.
    public static func isFieldName(_ name: some Collection<UInt8>) -> Bool {
        guard (1...64).contains(name.count), let first = name.first,
              !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return name.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }

    /// The field name in `bytes`, or an error naming the line.
    private static func fieldName(_ bytes: ArraySlice<UInt8>, line: Int) throws(ReadError) -> String {
        let name = String(decoding: bytes, as: UTF8.self)
        guard isFieldName(bytes) else {
            throw ReadError(line: line, message: "'\(name)' is not a journal field name",
                            hint: "use upper-case letters, digits and '_' (e.g. MESSAGE, _EXE), then '=' and the value")
        }
        return name
    }

    /// Whether `byte` is an ASCII hexadecimal digit.
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
