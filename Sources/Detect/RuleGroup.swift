import Journal
import Parse
import Rules

/// The rules of one log source mapping, compiled with the mapping's selector, trust test and parser.
///
/// A class, so that the per-entry loop over groups copies a reference, not every member
/// (measured with `perf record`: struct copies were a large share of the time with many rules).
/// `@unchecked Sendable`: the `var`s are set only while `Engine.init` builds the group, which
/// is never mutated once the engine exists.
final class RuleGroup: @unchecked Sendable {
    /// How trust is decided for the group's entries.
    enum Trust: Sendable {
        case never
        case always
        case when(CompiledSelection)
    }

    /// The mapping's log source, reported with each match.
    let logSource: LogSource
    /// Which entries belong to the group; nil means every entry.
    let select: CompiledSelection?
    let trust: Trust
    /// Index into the engine's parsers, if the mapping names one.
    let parserIndex: Int?
    /// The kind of assembled event the group reads; nil for journal entries.
    let events: EventKind?
    /// Whether the group reads kernel audit records (`_TRANSPORT=audit`) as journal entries:
    /// only when its selector tests `_TRANSPORT` itself. journald gives audit records the
    /// `_COMM`, `_EXE` and `_UID` of the audited process, not of a sender, and their text holds
    /// what that process chose (user names, arguments): a mapping that selects `_COMM: sudo`
    /// must not take sudo's audit records for sudo's log lines. Audit records reach rules
    /// through `events: audit_record` instead.
    var readsAuditRecords = false
    /// Whether a rule of the group reads a field the parser produces; if none does, the parser
    /// does not run on the hot path (explanations still show what it would give).
    var usesParsedFields = false
    /// Whether a correlation captures a field the parser produces from a rule's matches: the
    /// parser then runs for matched entries only (when `usesParsedFields` has not run it already).
    var capturesParsedFields = false
    /// Indexes into the engine's rules and compiled rules.
    var ruleIndexes: [Int] = []
    /// The literal prefilter over the rules, when the group has enough indexable rules.
    var prefilter: GroupPrefilter?

    init(logSource: LogSource, select: CompiledSelection?, trust: Trust, parserIndex: Int?, events: EventKind? = nil) {
        self.logSource = logSource
        self.events = events
        self.select = select
        self.trust = trust
        self.parserIndex = parserIndex
    }

    /// Whether `event` belongs to the group.
    func selects(_ event: Event, context: inout EvaluationContext) -> Bool {
        select?.holds(for: event, context: &context) ?? true
    }

    /// Whether journald vouches for `event`'s source.
    func isTrusted(_ event: Event, context: inout EvaluationContext) -> Bool {
        switch trust {
        case .never: false
        case .always: true
        case .when(let selection): selection.holds(for: event, context: &context)
        }
    }
}
