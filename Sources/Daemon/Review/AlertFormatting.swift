import Glibc
import Journal
import Parse

/// How `cordon alerts` prints alerts.
public enum AlertOutputFormat: String, Sendable, CaseIterable {
    /// One aligned line per alert.
    case short
    /// One JSON object per line, every field of the entry as a string (journalctl -o json style).
    case json
    /// The JSON objects indented, one after another.
    case jsonPretty = "json-pretty"
}

/// The short form: one line per alert, columns aligned,
/// `TIME  ID  HOST  LEVEL  TITLE  ACTION  FIELDS`.
struct ShortAlertFormat {
    /// Colour the level (ANSI escapes); only for a terminal.
    var color = false
    /// Fixed column widths (for `--follow`, where later lines must line up with earlier ones)
    /// instead of the widths the printed set needs.
    var fixedWidths = false
    /// The terminal's width in columns, or nil when the output is not a terminal.
    var terminalWidth: Int?

    /// The widest host, level, title and action columns, and their fixed widths.
    private static let limits = (host: 24, level: 13, title: 48, action: 32)
    private static let fixed = (host: 16, level: 13, title: 40, action: 24)
    /// The most characters of key fields on a line that is not going to a terminal.
    static let fieldsLimit = 100

    /// One line per alert.
    func lines(_ alerts: [ReviewedAlert]) -> [String] {
        let rows = alerts.map(Row.init)
        let host, level, title, action: Int
        if fixedWidths {
            (host, level, title, action) = Self.fixed
        } else {
            host = min(Self.limits.host, rows.map(\.host.count).max() ?? 0)
            level = min(Self.limits.level, rows.map(\.level.count).max() ?? 0)
            title = min(Self.limits.title, rows.map(\.title.count).max() ?? 0)
            action = min(Self.limits.action, rows.map(\.action.count).max() ?? 0)
        }
        // time, id, four columns and six gaps of two spaces before the fields.
        let used = 19 + AlertIdentifier.length + host + level + title + action + 12
        let fieldsWidth = terminalWidth.map { max(20, $0 - used) } ?? Self.fieldsLimit
        return rows.map { row in
            var levelText = Self.pad(Self.cut(row.level, to: level), to: level)
            if color, let escape = Self.escape(for: row.level) {
                levelText = escape + Self.cut(row.level, to: level) + "\u{1B}[0m"
                    + String(repeating: " ", count: max(0, level - row.level.count))
            }
            let columns = [
                row.time, row.identifier, Self.pad(Self.cut(row.host, to: host), to: host), levelText,
                Self.pad(row.title(cutTo: title), to: title), Self.pad(Self.cut(row.action, to: action), to: action),
                Self.cut(row.fields, to: fieldsWidth),
            ]
            var line = columns.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// For `--follow`: an action that came after its alert was printed,
    /// `TIME  ID  action block-ssh-source: applied (203.0.113.9)`.
    static func actionLine(_ action: ActionNote, identifier: String, realtime: UInt64) -> String {
        let result = action.result == "would-run" ? "would run" : action.result
        return LocalTime.text(microseconds: realtime) + "  " + identifier + "  action " + Row.oneLine(action.name) + ": "
            + Row.oneLine(result) + (action.key.map { " (" + Row.oneLine($0) + ")" } ?? "")
    }

    /// The SGR escape for a level: critical bold red, high red, medium yellow, low cyan,
    /// informational dim.
    static func escape(for level: String) -> String? {
        switch level {
        case "critical": "\u{1B}[1;31m"
        case "high": "\u{1B}[31m"
        case "medium": "\u{1B}[33m"
        case "low": "\u{1B}[36m"
        case "informational": "\u{1B}[2m"
        default: nil
        }
    }

    /// `text` cut to `width` characters, the last one `…` when cut.
    static func cut(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.prefix(width)) }
        return String(text.prefix(width - 1)) + "…"
    }

    static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// One alert's column texts, uncut.
    struct Row {
        let time: String
        let identifier: String
        let host: String
        let level: String
        /// The rule title, then ` (untrusted)` when journald did not vouch for the source.
        let title: String
        /// Whether `title` ends in the untrusted marker.
        let isUntrusted: Bool
        let action: String
        let fields: String

        init(_ alert: ReviewedAlert) {
            let entry = alert.entry
            time = LocalTime.text(microseconds: entry.realtime)
            identifier = alert.identifier
            host = Self.oneLine(entry.string("CORDON_HOST") ?? "-")
            level = Self.oneLine(entry.string("CORDON_LEVEL") ?? "-")
            let ruleTitle = Self.oneLine(entry.string("CORDON_RULE_TITLE") ?? entry.string("CORDON_RULE_ID") ?? "-")
            isUntrusted = entry.string("CORDON_TRUSTED") != "1"
            title = isUntrusted ? ruleTitle + Self.untrustedMarker : ruleTitle
            action = Self.actionSummary(alert.actions)
            fields = Self.oneLine(KeyFields.text(of: entry))
        }

        static let untrustedMarker = " (untrusted)"

        /// The title cut to `width`, keeping the untrusted marker whole.
        func title(cutTo width: Int) -> String {
            guard isUntrusted, title.count > width, width > Self.untrustedMarker.count + 1 else { return ShortAlertFormat.cut(title, to: width) }
            let ruleTitle = String(title.dropLast(Self.untrustedMarker.count))
            return ShortAlertFormat.cut(ruleTitle, to: width - Self.untrustedMarker.count) + Self.untrustedMarker
        }

        /// The latest result of each action, in the order the actions first appear:
        /// `block-ssh-source: applied`, `notify: would run`; `-` for none.
        static func actionSummary(_ actions: [ActionNote]) -> String {
            var names: [String] = []
            var latest: [String: String] = [:]
            for action in actions {
                if latest[action.name] == nil { names.append(action.name) }
                latest[action.name] = action.result == "would-run" ? "would run" : action.result
            }
            guard !names.isEmpty else { return "-" }
            return names.map { Self.oneLine($0) + ": " + Self.oneLine(latest[$0] ?? "?") }.joined(separator: ", ")
        }

        /// Control characters (which alert fields should not have) shown as `?`, so a line stays one line.
        static func oneLine(_ text: String) -> String {
            guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { return text }
            return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
        }
    }
}

/// The key facts of an alert for the short form: `CORDON_GROUP` for a correlation, else the matched
/// fields (`CORDON_FIELD_*`) as `Name=value`, names spelled as the alert's `MESSAGE` spells them
/// (`SourceIp`, not `SOURCEIP`) and in its order.
enum KeyFields {
    static func text(of entry: JournalEntry) -> String {
        if let group = entry.string("CORDON_GROUP"), !group.isEmpty { return group }
        let prefix = "CORDON_FIELD_"
        var values: [(name: String, value: String)] = []
        for field in entry.fields {
            let name = field.nameString
            guard name.hasPrefix(prefix), !values.contains(where: { $0.name == name }) else { continue }
            values.append((name, String(decoding: field.value, as: UTF8.self)))
        }
        guard !values.isEmpty else { return "" }
        // The names as the MESSAGE has them, in its order.
        var spelled: [String: (name: String, order: Int)] = [:]
        for (order, name) in messageFieldNames(entry.string("MESSAGE") ?? "").enumerated() {
            let journalName = Escaping.fieldName(for: name)
            if spelled[journalName] == nil { spelled[journalName] = (name, order) }
        }
        let sorted = values.sorted { left, right in
            switch (spelled[left.name]?.order, spelled[right.name]?.order) {
            case let (l?, r?): l < r
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): left.name < right.name
            }
        }
        return sorted.map { (spelled[$0.name]?.name ?? String($0.name.dropFirst(prefix.count))) + "=" + $0.value }
            .joined(separator: " ")
    }

    /// Names of `name=` that follow `: ` or `, ` in a message, in order.
    static func messageFieldNames(_ message: String) -> [String] {
        let bytes = Array(message.utf8)
        var names: [String] = []
        var index = 0
        while index + 1 < bytes.count {
            defer { index += 1 }
            guard bytes[index + 1] == UInt8(ascii: " "), bytes[index] == UInt8(ascii: ":") || bytes[index] == UInt8(ascii: ",") else { continue }
            var end = index + 2
            while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
            if end > index + 2, end < bytes.count, bytes[end] == UInt8(ascii: "=") {
                names.append(String(decoding: bytes[(index + 2)..<end], as: UTF8.self))
            }
        }
        return names
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "|"): true
        default: false
        }
    }
}

/// Local time (the `TZ` environment variable honoured) for people.
enum LocalTime {
    /// `2026-11-26 13:00:01` for µs since the epoch.
    static func text(microseconds: UInt64) -> String {
        format(microseconds: microseconds, "%Y-%m-%d %H:%M:%S")
    }

    /// `Nov 26 13:00:01`, as `journalctl -o short` prints it.
    static func syslogText(microseconds: UInt64) -> String {
        format(microseconds: microseconds, "%b %d %H:%M:%S")
    }

    private static func format(microseconds: UInt64, _ pattern: String) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        var parts = tm()
        tzset()
        guard localtime_r(&seconds, &parts) != nil else { return String(microseconds) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Entries as JSON objects, journalctl -o json style: `__CURSOR`, `__REALTIME_TIMESTAMP`,
/// `__MONOTONIC_TIMESTAMP`, then every field as a string (the first of a repeated name; invalid
/// UTF-8 replaced by U+FFFD).
enum EntryJSON {
    /// One alert with its derived members: `id` (the short id) and `actions` (`name`, `result`, `key`).
    static func object(_ alert: ReviewedAlert, pretty: Bool) -> String {
        let actions = alert.actions.map { action in
            var members = [("name", action.name), ("result", action.result)]
            if let key = action.key { members.append(("key", key)) }
            return "{" + members.map { quoted($0.0) + ": " + quoted($0.1) }.joined(separator: ", ") + "}"
        }
        let actionsText = actions.isEmpty ? "[]"
            : pretty ? "[\n    " + actions.joined(separator: ",\n    ") + "\n  ]" : "[" + actions.joined(separator: ",") + "]"
        return object(alert.entry, pretty: pretty, extra: [("id", quoted(alert.identifier)), ("actions", actionsText)])
    }

    /// One entry; `extra` members are appended with their values as given (already JSON).
    static func object(_ entry: JournalEntry, pretty: Bool, extra: [(String, String)] = []) -> String {
        var members: [(String, String)] = []
        if let cursor = entry.cursor { members.append(("__CURSOR", quoted(cursor.rawValue))) }
        members.append(("__REALTIME_TIMESTAMP", quoted(String(entry.realtime))))
        members.append(("__MONOTONIC_TIMESTAMP", quoted(String(entry.monotonic))))
        var seen: Set<String> = []
        for field in entry.fields {
            let name = field.nameString
            guard seen.insert(name).inserted else { continue }
            members.append((name, quoted(String(decoding: field.value, as: UTF8.self))))
        }
        members += extra
        if pretty {
            return "{\n" + members.map { "  " + quoted($0.0) + ": " + $0.1 }.joined(separator: ",\n") + "\n}"
        }
        return "{" + members.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string (RFC 8259): quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var output = "\""
        output.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
