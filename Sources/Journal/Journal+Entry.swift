import CSystemd
import Glibc

extension Journal {
    /// The current entry's cursor (`sd_journal_get_cursor`).
    ///
    /// The C call formats and allocates the text, so readers that need a cursor only now and then
    /// (an alert, a checkpoint) read entries without it and ask here while still at the entry.
    public func cursor() throws(JournalError) -> Cursor {
        var text: UnsafeMutablePointer<CChar>?
        try check("sd_journal_get_cursor", sd_journal_get_cursor(handle, &text))
        defer { free(text) }
        guard let text, let cursor = Cursor(String(cString: text)) else {
            throw JournalError(call: "sd_journal_get_cursor", errno: .invalidArgument)
        }
        return cursor
    }

    /// The current entry: the fields `selection` keeps, each value cut at `dataThreshold`, and the
    /// entry's timestamps and boot.
    ///
    /// Walks the entry's fields once (`sd_journal_enumerate_available_data`) and copies only the
    /// selected ones. That is cheaper than one `sd_journal_get_data` per selected name: in
    /// libsystemd 252 each of those calls walks the entry's fields from the first until it finds
    /// the name, and the whole entry for a name the entry lacks (`MESSAGE_ID`, most of the time).
    /// - Parameters:
    ///   - selection: which fields to copy; every field by default.
    ///   - includingCursor: whether to read the cursor too (`sd_journal_get_cursor`, which
    ///     allocates); without it the entry's `cursor` is nil.
    /// - Throws: `JournalError` when the entry's timestamps or cursor cannot be read.
    public func entry(fields selection: JournalFieldSelection = .all, includingCursor: Bool = true) throws(JournalError) -> JournalEntry {
        var realtime: UInt64 = 0
        var monotonic: UInt64 = 0
        var boot = sd_id128_t()
        try check("sd_journal_get_realtime_usec", sd_journal_get_realtime_usec(handle, &realtime))
        try check("sd_journal_get_monotonic_usec", sd_journal_get_monotonic_usec(handle, &monotonic, &boot))
        let cursor = includingCursor ? try self.cursor() : nil

        var builder = JournalEntry.Builder(capacity: selection.isAll ? 1024 : 256)
        var truncated = false
        sd_journal_restart_data(handle)
        while true {
            var data: UnsafeRawPointer?
            var length = 0
            let result = sd_journal_enumerate_available_data(handle, &data, &length)
            if result <= 0 { break }  // 0: no more fields; a negative result ends the entry too
            // An item without `=`, or with an empty name, is no field.
            guard let data, let equalsPointer = memchr(data, CInt(UInt8(ascii: "=")), length) else { continue }
            let equals = data.distance(to: UnsafeRawPointer(equalsPointer))
            guard equals > 0, selection.contains(name: UnsafeRawBufferPointer(start: data, count: equals)) else { continue }
            // Keep the name and `=` whole; cut the value only.
            var kept = length
            if length - equals - 1 > dataThreshold {
                kept = equals + 1 + dataThreshold
                truncated = true
            }
            builder.append(item: UnsafeRawBufferPointer(start: data, count: kept), separator: equals)
        }
        let bootID = withUnsafeBytes(of: boot.bytes) { ID128(bytes: $0) }
        return JournalEntry(builder: builder, realtime: realtime, monotonic: monotonic,
                            boot: bootID, cursor: cursor, isTruncated: truncated)
    }
}
