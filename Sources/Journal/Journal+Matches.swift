import CSystemd
import Glibc

extension Journal {
    /// Ends the current group of matches and starts another, ORed with it: from now on an entry is
    /// read when it passes the matches before this call or the matches after it
    /// (`sd_journal_add_disjunction`).
    public func addDisjunction() throws(JournalError) {
        try check("sd_journal_add_disjunction", sd_journal_add_disjunction(handle))
    }

    /// Ends the current group of matches and starts another, ANDed with it
    /// (`sd_journal_add_conjunction`).
    public func addConjunction() throws(JournalError) {
        try check("sd_journal_add_conjunction", sd_journal_add_conjunction(handle))
    }

    /// Every distinct value of `field` in the open files, whatever the matches
    /// (`sd_journal_query_unique`, then `sd_journal_enumerate_available_unique` until it is done).
    /// Reads the journal's data objects only, no entries: cheap even for a large journal.
    /// Values longer than `dataThreshold` are cut.
    /// - Throws: `JournalError` when the field name is not valid.
    public func uniqueValues(of field: String) throws(JournalError) -> [[UInt8]] {
        try check("sd_journal_query_unique", sd_journal_query_unique(handle, field))
        defer { sd_journal_restart_unique(handle) }
        let prefix = field.utf8.count + 1
        var values: [[UInt8]] = []
        while true {
            var data: UnsafeRawPointer?
            var length = 0
            let result = sd_journal_enumerate_available_unique(handle, &data, &length)
            if result <= 0 { break }  // 0: no more values; a negative result (a corrupt object) ends them too
            guard let data, length >= prefix else { continue }
            let bytes = UnsafeRawBufferPointer(start: data + prefix, count: min(length - prefix, dataThreshold))
            values.append(Array(bytes))
        }
        return values
    }
}
