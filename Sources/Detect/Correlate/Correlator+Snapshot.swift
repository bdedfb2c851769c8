import Parse
import Rules

/// A correlation snapshot that cannot be restored: the caller starts clean and warns.
public struct CorrelationSnapshotError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for people.
    public let message: String
    public var description: String { message }
}

extension Correlator {
    /// The first bytes of a snapshot; the version changes when the layout does.
    static let snapshotHeader = Array("cordon-correlation v3\n".utf8)
    /// Version 2 had one state per rule; it restores as the trusted states (untrusted start empty).
    static let previousHeader = Array("cordon-correlation v2\n".utf8)
    private static let headerPrefix = Array("cordon-correlation v".utf8)

    /// The state of every rule, to restore after a restart:
    /// `cordon-correlation v3\n`, then per rule its id, a fingerprint of its definition, its
    /// trusted state's bytes and its untrusted state's bytes, then an FNV-1a 64 checksum of
    /// everything before it.
    ///
    /// With an anomaly model, the snapshot is a container: `cordon-state v1\n`, the correlation
    /// snapshot's bytes and the model's (`AnomalyModel.snapshot()`), each with its length.
    public func snapshot() -> [UInt8] {
        let correlation = correlationSnapshot()
        guard let anomalies else { return correlation }
        var encoder = StateEncoder()
        encoder.write(correlation)
        encoder.write(anomalies.snapshot())
        return Self.containerHeader + encoder.bytes
    }

    static let containerHeader = Array("cordon-state v1\n".utf8)

    /// The correlation snapshot and the anomaly model's bytes of a snapshot (the model's nil
    /// when it has none).
    static func split(_ snapshot: [UInt8]) throws(CorrelationSnapshotError) -> (correlation: [UInt8], model: [UInt8]?) {
        guard snapshot.starts(with: containerHeader) else { return (snapshot, nil) }
        var decoder = StateDecoder(Array(snapshot[containerHeader.count...]))
        do throws(StateDecodingError) {
            let correlation = try decoder.readBytes()
            let model = try decoder.readBytes()
            guard decoder.isAtEnd else { throw StateDecodingError(message: "bytes after the model") }
            return (correlation, model)
        } catch {
            throw CorrelationSnapshotError(message: "the state is corrupt: \(error.message)")
        }
    }

    /// Restores only the anomaly model from a snapshot (after the correlation part could not be
    /// restored: changed rules keep their learning); nil when it was restored or there is none
    /// to restore, else why not (the model then starts afresh).
    public func restoreAnomalyModel(from snapshot: [UInt8]) -> String? {
        guard let anomalies else { return nil }
        do {
            guard let model = try Self.split(snapshot).model else { return "the saved state has no anomaly model" }
            self.anomalies = try AnomalyModel(detectors: anomalies.detectors.map(\.rule), limits: anomalyLimits, restoring: model)
            return nil
        } catch let error as CorrelationSnapshotError {
            return error.message
        } catch {
            return "the anomaly model is corrupt: \(error)"
        }
    }

    /// Puts `model` in place of the anomaly model (`cordon learn`: a model learned from history
    /// replaces the saved one, the correlation state stays).
    public func replaceAnomalyModel(with model: AnomalyModel) {
        anomalies = model
    }

    private func correlationSnapshot() -> [UInt8] {
        var encoder = StateEncoder()
        encoder.write(states.count)
        for (state, untrusted) in zip(states, untrustedStates) {
            encoder.write(state.rule.identifier)
            encoder.write(Self.fingerprint(of: state))
            for part in [state, untrusted] {
                var stateEncoder = StateEncoder()
                part.encode(into: &stateEncoder)
                encoder.write(stateEncoder.bytes)
            }
        }
        var bytes = Self.snapshotHeader + encoder.bytes
        var checksum = StateEncoder()
        checksum.write(Self.checksum(bytes))
        bytes += checksum.bytes
        return bytes
    }

    /// Resolves the rules and restores their states from `snapshot`.
    /// - Parameters:
    ///   - rules, ruleNames, maximumGroupsPerRule, makeState: as for `init(rules:ruleNames:maximumGroupsPerRule:makeState:)`.
    ///   - snapshot: bytes from `snapshot()`.
    /// - Throws: `CorrelationSnapshotError` when the snapshot is of another version, corrupt, or
    ///   taken with other correlation rules (the message says which were added, removed or changed).
    public convenience init(rules: [CorrelationRule], ruleNames: [String: String], maximumGroupsPerRule: Int,
                            makeState: StateFactory? = nil, anomalyLimits: AnomalyModel.Limits = AnomalyModel.Limits(),
                            restoring snapshot: [UInt8]) throws(CorrelationSnapshotError) {
        self.init(rules: rules, ruleNames: ruleNames, maximumGroupsPerRule: maximumGroupsPerRule, makeState: makeState,
                  anomalyLimits: anomalyLimits)
        try restore(snapshot)
    }

    private func restore(_ container: [UInt8]) throws(CorrelationSnapshotError) {
        let (snapshot, model) = try Self.split(container)
        if let anomalies, let model {
            do throws(StateDecodingError) {
                self.anomalies = try AnomalyModel(detectors: anomalies.detectors.map(\.rule), limits: anomalyLimits, restoring: model)
            } catch {
                throw CorrelationSnapshotError(message: "the anomaly model is corrupt: \(error.message)")
            }
        }
        try restoreCorrelation(snapshot)
    }

    private func restoreCorrelation(_ snapshot: [UInt8]) throws(CorrelationSnapshotError) {
        let isPrevious = snapshot.starts(with: Self.previousHeader)
        let header = isPrevious ? Self.previousHeader : Self.snapshotHeader
        guard snapshot.starts(with: header) else {
            if snapshot.starts(with: Self.headerPrefix) {
                let line = snapshot.prefix(64).split(separator: UInt8(ascii: "\n")).first.map { String(decoding: $0, as: UTF8.self) }
                throw CorrelationSnapshotError(message: "the snapshot is '\(line ?? "")', this Cordon reads 'cordon-correlation v3' and v2")
            }
            throw CorrelationSnapshotError(message: "not a correlation snapshot (no 'cordon-correlation v3' header)")
        }
        guard snapshot.count >= header.count + 8 else { throw CorrelationSnapshotError(message: "the snapshot is truncated") }
        let body = Array(snapshot[..<(snapshot.count - 8)])
        var trailer = StateDecoder(Array(snapshot.suffix(8)))
        guard (try? trailer.readUInt64()) == Self.checksum(body) else {
            throw CorrelationSnapshotError(message: "the snapshot is corrupt (checksum mismatch)")
        }
        var decoder = StateDecoder(Array(body[header.count...]))
        var saved: [(identifier: String, fingerprint: String, state: [UInt8], untrusted: [UInt8]?)] = []
        do throws(StateDecodingError) {
            let count = try decoder.readInt()
            guard count >= 0, count <= body.count else { throw StateDecodingError(message: "bad rule count \(count)") }
            for _ in 0..<count {
                saved.append((try decoder.readString(), try decoder.readString(), try decoder.readBytes(),
                              isPrevious ? nil : try decoder.readBytes()))
            }
            guard decoder.isAtEnd else { throw StateDecodingError(message: "bytes after the last rule") }
        } catch {
            throw CorrelationSnapshotError(message: "the snapshot is corrupt: \(error.message)")
        }
        try checkSameRules(saved.map { ($0.identifier, $0.fingerprint) })
        var restored = states
        var restoredUntrusted = untrustedStates
        for (index, entry) in saved.enumerated() {
            let state = states[index]
            func decode(_ bytes: [UInt8]) throws(CorrelationSnapshotError) -> any CorrelationState {
                var stateDecoder = StateDecoder(bytes)
                do throws(StateDecodingError) {
                    let decoded = try type(of: state).init(rule: state.rule, maximumGroups: maximumGroupsPerRule,
                                                           decoding: &stateDecoder)
                    guard stateDecoder.isAtEnd else { throw StateDecodingError(message: "bytes after the state") }
                    return decoded
                } catch {
                    throw CorrelationSnapshotError(message: "the snapshot is corrupt: rule '\(entry.identifier)': \(error.message)")
                }
            }
            restored[index] = try decode(entry.state)
            if let untrusted = entry.untrusted { restoredUntrusted[index] = try decode(untrusted) }
        }
        states = restored
        untrustedStates = restoredUntrusted
    }

    /// Throws when the saved rules are not the current ones, in the same order and definitions.
    private func checkSameRules(_ saved: [(identifier: String, fingerprint: String)]) throws(CorrelationSnapshotError) {
        let current = states.map { ($0.rule.identifier, Self.fingerprint(of: $0)) }
        guard !saved.elementsEqual(current, by: { $0.0 == $1.0 && $0.1 == $1.1 }) else { return }
        let savedByIdentifier = Dictionary(saved.map { ($0.identifier, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
        let currentByIdentifier = Dictionary(current.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        var parts: [String] = []
        let added = current.map(\.0).filter { savedByIdentifier[$0] == nil }
        let removed = saved.map(\.identifier).filter { currentByIdentifier[$0] == nil }
        let changed = current.filter { rule in savedByIdentifier[rule.0].map { $0 != rule.1 } ?? false }.map(\.0)
        if !added.isEmpty { parts.append("added " + added.joined(separator: ", ")) }
        if !removed.isEmpty { parts.append("removed " + removed.joined(separator: ", ")) }
        if !changed.isEmpty { parts.append("changed " + changed.joined(separator: ", ")) }
        if parts.isEmpty { parts.append("reordered") }
        throw CorrelationSnapshotError(message: "the snapshot was taken with other correlation rules: " + parts.joined(separator: "; "))
    }

    /// The parts of a rule's definition its state depends on, and the state's type.
    static func fingerprint(of state: any CorrelationState) -> String {
        let rule = state.rule
        func number(_ value: Double?) -> String { value.map { String($0.bitPattern, radix: 16) } ?? "-" }
        let condition = rule.condition
        var parts = [
            String(describing: type(of: state)), rule.kind.rawValue,
            rule.ruleReferences.joined(separator: "\u{1}"), rule.groupBy.joined(separator: "\u{1}"),
            String(rule.timespan), rule.fields.joined(separator: "\u{1}"), number(rule.percentile),
            [condition.greaterThan, condition.greaterThanOrEqual, condition.lessThan, condition.lessThanOrEqual,
             condition.equal, condition.notEqual].map(number).joined(separator: ","),
        ]
        parts += rule.aliases.sorted { $0.key < $1.key }.map { alias in
            alias.key + "=" + alias.value.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        }
        parts += rule.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\(number($0.value))" }
        return parts.joined(separator: "\u{2}")
    }

    /// FNV-1a, 64 bits.
    static func checksum(_ bytes: [UInt8]) -> UInt64 {
        FNV1a.hash(bytes)
    }
}
