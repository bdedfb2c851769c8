/// One sudo log line, split into the invoking user, an optional reason and the `KEY=value` items.
struct SudoLine {
    /// The invoking user.
    var user: ArraySlice<UInt8>
    /// The reason, when the line starts with one (`user NOT in sudoers`).
    var reason: ArraySlice<UInt8>?
    /// The items in order: index into `SudoParser.keys`, and the value.
    var items: [(key: Int, value: ArraySlice<UInt8>)] = []
    /// Whether the line could be split in more than one way.
    var isAmbiguous = false

    private static let userSeparator = Bytes.of(" : ")
    private static let itemSeparator = Bytes.of(" ; ")
    private static let continued = Bytes.of("(command continued)")
    private static let commandKey = SudoParser.keys.firstIndex { $0.key == Bytes.of("COMMAND") } ?? 0

    /// Splits `message`, or returns nil when it is not a sudo log line.
    init?(_ message: ArraySlice<UInt8>) {
        let text = message.trimmingLeadingSpaces
        guard let separator = text.rangeOfFirst(SudoLine.userSeparator) else { return nil }
        user = text[..<separator.lowerBound]
        guard !user.isEmpty, !user.contains(byte: Bytes.space) else { return nil }
        var position = separator.upperBound
        // A long command is split over several lines; the continuation lines are not read.
        guard !text[position...].hasPrefix(SudoLine.continued) else { return nil }

        if SudoLine.key(at: position, in: text) == nil {
            guard let end = text.rangeOfFirst(SudoLine.itemSeparator, from: position) else { return nil }
            reason = text[position..<end.lowerBound]
            position = end.upperBound
        }
        var seen = 0 as UInt32
        while let (key, valueStart) = SudoLine.key(at: position, in: text) {
            let valueEnd: Int
            let next: Int?
            if key == SudoLine.commandKey {
                valueEnd = text.endIndex
                next = nil
                if SudoLine.nextItem(in: text, from: valueStart) != nil { isAmbiguous = true }
            } else if let boundary = SudoLine.nextItem(in: text, from: valueStart) {
                valueEnd = boundary.lowerBound
                next = boundary.upperBound
            } else {
                valueEnd = text.endIndex
                next = nil
            }
            if seen & (1 << key) != 0 { isAmbiguous = true } else { items.append((key, text[valueStart..<valueEnd])) }
            seen |= 1 << key
            guard let next else { break }
            position = next
        }
        guard !items.isEmpty else { return nil }
    }

    /// The known key whose `KEY=` starts at `position`, and where its value starts.
    private static func key(at position: Int, in text: ArraySlice<UInt8>) -> (Int, Int)? {
        for (index, entry) in SudoParser.keys.enumerated()
        where text.matches(entry.key, at: position) {
            let equals = position + entry.key.count
            if equals < text.endIndex, text[equals] == Bytes.equals { return (index, equals + 1) }
        }
        return nil
    }

    /// The next ` ; ` at or after `start` that is followed by a known `KEY=`.
    private static func nextItem(in text: ArraySlice<UInt8>, from start: Int) -> Range<Int>? {
        var from = start
        while let boundary = text.rangeOfFirst(itemSeparator, from: from) {
            if key(at: boundary.upperBound, in: text) != nil { return boundary }
            from = boundary.lowerBound + 1
        }
        return nil
    }

    private static let incorrectPassword = Bytes.of(" incorrect password attempt")
    private static let reasons: [(text: [UInt8], outcome: StaticString)] = [
        (Bytes.of("user NOT in sudoers"), "not_in_sudoers"),
        (Bytes.of("user NOT authorized on host"), "not_allowed"),
        (Bytes.of("command not allowed"), "not_allowed"),
        (Bytes.of("a password is required"), "failure"),
    ]

    /// Appends the line's fields.
    func append(to fields: inout ParsedFields) {
        fields.append("User", user)
        if let reason {
            fields.append("Reason", reason)
            if let attempts = reason.rangeOfFirst(SudoLine.incorrectPassword),
               reason[..<attempts.lowerBound].isDecimalDigits {
                fields.append("Outcome", constant: "failure")
                fields.append("FailedAttempts", reason[..<attempts.lowerBound])
            } else if let known = SudoLine.reasons.first(where: { reason.elementsEqual($0.text) }) {
                fields.append("Outcome", constant: known.outcome)
            }
        } else {
            fields.append("Outcome", constant: "success")
        }
        for item in items {
            let key = SudoParser.keys[item.key]
            fields.append(name: key.key, item.value)
            if let alias = key.alias { fields.append(alias, item.value) }
        }
        if isAmbiguous { fields.append("Ambiguous", constant: "true") }
    }
}
