import Foundation

/// `cordon actions`: the ledger as a table or JSON lines.
public enum ActionTable {
    /// The actions to list: active ones, then the latest `recent` finished ones (all with nil).
    public static func select(_ records: [ActionRecord], recent: Int?) -> [ActionRecord] {
        let active = records.filter(\.isActive)
        let finished = records.filter { !$0.isActive }
        return active + (recent.map { Array(finished.suffix($0)) } ?? finished)
    }

    /// Aligned columns: ID, ACTION, MODE, STATUS, KEY, TARGET (the remote host acted on, or
    /// `local`), RULE, DECIDED, APPLIED, EXPIRES.
    public static func text(_ records: [ActionRecord]) -> String {
        let header = ["ID", "ACTION", "MODE", "STATUS", "KEY", "TARGET", "RULE", "DECIDED", "APPLIED", "EXPIRES"]
        var rows = [header]
        for record in records {
            rows.append([
                record.id, record.action, record.mode.rawValue, record.status.rawValue, record.key.isEmpty ? "-" : record.key,
                record.targetHost ?? "local",
                record.ruleTitle.count > 40 ? String(record.ruleTitle.prefix(39)) + "…" : record.ruleTitle,
                ActionEntries.isoTime(record.decidedAt), record.appliedAt.map(ActionEntries.isoTime) ?? "-",
                record.status == .released ? "released " + (record.releasedAt.map(ActionEntries.isoTime) ?? "")
                    : record.expiresAt.map(ActionEntries.isoTime) ?? "-",
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// One JSON object per action.
    public static func json(_ records: [ActionRecord]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return records.compactMap { record -> String? in
            let row = Row(id: record.id, action: record.action, mode: record.mode.rawValue, status: record.status.rawValue,
                          key: record.key, rule_id: record.ruleIdentifier, rule_title: record.ruleTitle, level: record.level,
                          host: record.host, alert_cursor: record.alertCursor, decided_at: record.decidedAt,
                          applied_at: record.appliedAt, expires_at: record.expiresAt, released_at: record.releasedAt,
                          released_by: record.releasedBy, detail: record.detail, hook: record.hook,
                          target: record.targetHost, target_machine_id: record.targetMachineID)
            return (try? encoder.encode(row)).map { String(decoding: $0, as: UTF8.self) }
        }.joined(separator: "\n")
    }

    private struct Row: Encodable {
        let id, action, mode, status, key, rule_id, rule_title, level, host, alert_cursor: String
        let decided_at: UInt64
        let applied_at, expires_at, released_at: UInt64?
        let released_by, detail: String?
        let hook: String
        /// The remote host acted on and its machine id; absent for this machine's alerts.
        let target, target_machine_id: String?
    }
}
