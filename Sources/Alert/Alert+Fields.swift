import Journal
import Parse

extension Alert {
    /// The most bytes of one matched field value kept in `CORDON_FIELD_*`.
    public static let fieldValueLimit = 2048

    /// The alert as the journal entry Cordon writes. Every value is escaped text, so no field
    /// can carry a forged line or field. `CORDON_MACHINE_ID` is there only when the source entry
    /// had a valid `_MACHINE_ID`.
    public var journalFields: [JournalField] {
        var result: [JournalField] = [
            JournalField("MESSAGE_ID", messageID),
            JournalField("PRIORITY", String(priority)),
            JournalField("SYSLOG_IDENTIFIER", "cordon"),
            JournalField("MESSAGE", message),
            JournalField("CORDON_RULE_ID", Escaping.text(Array(ruleIdentifier.utf8), limit: 256)),
            JournalField("CORDON_RULE_TITLE", Escaping.text(Array(ruleTitle.utf8), limit: 512)),
            JournalField("CORDON_LEVEL", level.rawValue),
            JournalField("CORDON_TAGS", Escaping.text(Array(tags.joined(separator: ",").utf8), limit: 1024)),
            JournalField("CORDON_TRUSTED", isTrusted ? "1" : "0"),
            JournalField("CORDON_HOST", host),
        ]
        if let machineID { result.append(JournalField("CORDON_MACHINE_ID", machineID)) }
        result += [
            JournalField("CORDON_SOURCE_CURSOR", sourceCursor.rawValue),
            JournalField("CORDON_SOURCE_REALTIME", String(sourceRealtime)),
            JournalField("CORDON_SOURCE_BOOT_ID", sourceBootID),
        ]
        if let ruleAuthor {
            result.append(JournalField("CORDON_RULE_AUTHOR", Escaping.text(Array(ruleAuthor.utf8), limit: 512)))
        }
        if let logSource {
            result.append(JournalField("CORDON_LOGSOURCE", Escaping.text(Array(logSource.utf8), limit: 256)))
        }
        if let correlationType {
            result.append(JournalField("CORDON_CORRELATION_TYPE", correlationType))
            let key = group.map { $0.name + "=" + Escaping.text($0.value, limit: 256) }.joined(separator: " ")
            result.append(JournalField("CORDON_GROUP", Escaping.text(Array(key.utf8), limit: Self.fieldValueLimit)))
            if let correlationValue { result.append(JournalField("CORDON_CORRELATION_VALUE", Alert.number(correlationValue))) }
            if !evidence.isEmpty {
                result.append(JournalField("CORDON_EVIDENCE", evidence.map(\.rawValue).joined(separator: " ")))
            }
        }
        for (name, value) in anomalyFields {
            result.append(JournalField(name, Escaping.text(Array(value.utf8), limit: Self.fieldValueLimit)))
        }
        var seen = Set<String>()
        for field in fields {
            let name = Escaping.fieldName(for: field.name)
            guard seen.insert(name).inserted else { continue }
            result.append(JournalField(name, Escaping.text(field.value, limit: Self.fieldValueLimit)))
        }
        return result
    }

    /// The alert as an export-format entry for `systemd-journal-remote`: the journal fields plus
    /// the source entry's timestamps and boot, so a journal made from a replay's alerts is the
    /// same whenever it is made.
    public var exportFields: [JournalField] {
        [
            JournalField("__REALTIME_TIMESTAMP", String(sourceRealtime)),
            JournalField("__MONOTONIC_TIMESTAMP", String(sourceMonotonic)),
            JournalField("_BOOT_ID", sourceBootID),
        ] + journalFields
    }

    /// The alert as one line of JSON with the same fields as the journal entry.
    public var json: String {
        var output: [UInt8] = [UInt8(ascii: "{")]
        output.reserveCapacity(1024)
        for (index, field) in journalFields.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            JSON.appendQuoted(field.name.utf8, to: &output)
            output.append(UInt8(ascii: ":"))
            JSON.appendQuoted(field.value, to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    /// The alert as one line of text: the source entry's time (UTC, ISO 8601) and the message.
    public var text: String {
        Timestamp.iso8601(microseconds: sourceRealtime) + " " + message
    }
}

/// Minimal JSON string quoting (RFC 8259), for output that must not depend on Foundation's key order.
public enum JSON {
    /// Allocated once: `appendQuoted` runs for every field of every alert.
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` (UTF-8) as a JSON string: quotes, backslashes and control characters
    /// escaped, everything else copied byte for byte. Alert values are valid UTF-8 (`Escaping`).
    public static func appendQuoted<Text: Collection<UInt8>>(_ text: Text, to output: inout [UInt8]) {
        let hex = hexDigits
        output.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20, 0x7f:
                output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// UTC timestamps without Foundation's formatters.
public enum Timestamp {
    /// `2024-03-01T12:00:00.123456Z` for µs since the epoch.
    public static func iso8601(microseconds: UInt64) -> String {
        let seconds = Int64(microseconds / 1_000_000)
        let fraction = Int(microseconds % 1_000_000)
        var days = seconds / 86_400
        let secondOfDay = seconds % 86_400
        // Civil-from-days (Howard Hinnant's algorithm).
        days += 719_468
        let era = days / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(Int64(fraction), 6))Z"
    }
}
