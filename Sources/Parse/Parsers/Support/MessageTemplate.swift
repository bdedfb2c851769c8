/// A fixed message format with named holes, such as
/// `new user: name={User}, UID={Uid}, GID={Gid}`, matched against a message's bytes.
///
/// Matching runs left to right: the text before the first hole must start the message, each
/// hole ends at the first occurrence of the literal text after it, a template that ends in
/// literal text must end the message with it, and a final hole takes the rest. Templates suit
/// messages whose holes are filled by values that cannot contain the next literal (user and
/// group names, numbers, paths chosen by root); a message with an attacker-chosen value in the
/// middle needs a hand-written parser that anchors on its fixed end (see `SSHDParser`).
///
/// Hole syntax: `{Name}` captures into the field `Name`; `{Name:token}` also requires that the
/// value has no space; `{_}` and `{_:token}` match without capturing. Empty captures are not
/// appended: an empty value reads as absent.
struct MessageTemplate: Sendable {
    /// A part of the template.
    enum Segment: Sendable {
        case literal([UInt8])
        case hole(Hole)
    }

    /// A named (or anonymous) hole.
    struct Hole: Sendable {
        /// The field the hole captures into; empty for `{_}`.
        let name: [UInt8]
        /// Whether the value must not contain a space.
        let isToken: Bool
    }

    /// The template's parts; two holes are never adjacent.
    let segments: [Segment]
    /// How many holes there are.
    let holeCount: Int
    /// The names of the fields the template captures.
    let fieldNames: [String]

    /// Parses a template. Traps on a malformed template: templates are constants in this
    /// module's source, never input.
    init(_ format: StaticString) {
        let bytes = Bytes.of(format)
        var segments: [Segment] = []
        var literal: [UInt8] = []
        var names: [String] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "{") else {
                literal.append(bytes[index])
                index += 1
                continue
            }
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")) else {
                preconditionFailure("MessageTemplate: unclosed hole in \(format)")
            }
            var name = Array(bytes[(index + 1)..<close])
            var isToken = false
            if let colon = name.firstIndex(of: Bytes.colon) {
                precondition(Array(name[(colon + 1)...]) == Bytes.of("token"), "MessageTemplate: unknown hole kind in \(format)")
                isToken = true
                name = Array(name[..<colon])
            }
            if name == [UInt8(ascii: "_")] { name = [] }
            if !literal.isEmpty { segments.append(.literal(literal)) }
            literal = []
            if case .hole = segments.last {
                preconditionFailure("MessageTemplate: adjacent holes in \(format)")
            }
            segments.append(.hole(Hole(name: name, isToken: isToken)))
            if !name.isEmpty { names.append(String(decoding: name, as: UTF8.self)) }
            index = close + 1
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
        self.holeCount = segments.reduce(0) { count, segment in
            if case .hole = segment { count + 1 } else { count }
        }
        self.fieldNames = names
    }

    /// Matches `message` and, only when the whole template matches, appends the captured fields.
    /// - Returns: whether the message matched.
    func match(_ message: ArraySlice<UInt8>, into fields: inout ParsedFields) -> Bool {
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: Swift.max(holeCount, 1)) { captures in
            guard capture(message, into: captures) else { return false }
            var holeIndex = 0
            for segment in segments {
                guard case .hole(let hole) = segment else { continue }
                let range = captures[holeIndex]
                holeIndex += 1
                if !hole.name.isEmpty, !range.isEmpty {
                    fields.append(name: hole.name, message[range])
                }
            }
            return true
        }
    }

    /// Whether `message` matches, without appending anything.
    func matches(_ message: ArraySlice<UInt8>) -> Bool {
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: Swift.max(holeCount, 1)) { captures in
            capture(message, into: captures)
        }
    }

    /// Finds each hole's range in `message`, in order.
    private func capture(_ message: ArraySlice<UInt8>, into captures: UnsafeMutableBufferPointer<Range<Int>>) -> Bool {
        var position = message.startIndex
        var holeIndex = 0
        var segmentIndex = 0
        while segmentIndex < segments.count {
            switch segments[segmentIndex] {
            case .literal(let text):
                // Only a leading literal, or the literal of a template with no holes, gets here:
                // every other literal is consumed with the hole before it.
                guard message.matches(text, at: position) else { return false }
                position += text.count
                segmentIndex += 1
            case .hole(let hole):
                let range: Range<Int>
                if segmentIndex + 1 == segments.count {
                    range = position..<message.endIndex
                    position = message.endIndex
                } else {
                    guard case .literal(let next) = segments[segmentIndex + 1] else { return false }
                    if segmentIndex + 2 == segments.count {
                        guard message.endIndex - next.count >= position, message.hasSuffix(next) else { return false }
                        range = position..<(message.endIndex - next.count)
                        position = message.endIndex
                    } else {
                        guard let found = message.rangeOfFirst(next, from: position) else { return false }
                        range = position..<found.lowerBound
                        position = found.upperBound
                    }
                }
                if hole.isToken, message[range].contains(byte: Bytes.space) { return false }
                captures[holeIndex] = range
                holeIndex += 1
                segmentIndex += 2
            }
        }
        return position == message.endIndex
    }
}

/// One row of a parser's table: a template and the constant fields a match adds.
struct TemplateRule: Sendable {
    /// The message format.
    let template: MessageTemplate
    /// Fields appended after the captures on a match (`Action=user_added` …).
    let constants: [(name: StaticString, value: StaticString)]

    /// A row: `format` (see `MessageTemplate`) and the constant fields of a match.
    init(_ format: StaticString, _ constants: KeyValuePairs<StaticString, StaticString>) {
        self.template = MessageTemplate(format)
        self.constants = constants.map { (name: $0.key, value: $0.value) }
    }

    /// Appends the constants and captures of the first rule in `rules` that matches `message`.
    /// - Returns: whether a rule matched.
    static func applyFirst(_ rules: [TemplateRule], to message: ArraySlice<UInt8>, into fields: inout ParsedFields) -> Bool {
        for rule in rules where rule.template.match(message, into: &fields) {
            for constant in rule.constants { fields.append(constant.name, constant: constant.value) }
            return true
        }
        return false
    }

    /// Every field name the rules can produce, each once, in first-seen order.
    static func fieldNames(of rules: [TemplateRule]) -> [String] {
        var seen: Set<String> = []
        var names: [String] = []
        for rule in rules {
            for name in rule.constants.map({ "\($0.name)" }) + rule.template.fieldNames where seen.insert(name).inserted {
                names.append(name)
            }
        }
        return names
    }
}
