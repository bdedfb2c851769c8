import Journal

extension JournalTampering {
    /// `SD_MESSAGE_SHUTDOWN`: logind, "System is powering down." (or rebooting, halting …).
    public static let shutdownMessageID = "98268866d1d54a499c4e98921d93bc40"
    /// `SD_MESSAGE_JOURNAL_START`: journald, "Journal started".
    public static let journalStartMessageID = "f77379a8490b408bbe5f6940505a777b"
    /// `SD_MESSAGE_JOURNAL_STOP`: journald, "Journal stopped".
    public static let journalStopMessageID = "d93fb3c9c24d451a97cea615ce59c00b"
    /// `SD_MESSAGE_UNIT_STARTED`: PID 1, "Started …" or, for targets, "Reached target …".
    public static let unitStartedMessageID = "39f53479d3a045ac8e11786248231fbf"

    /// The targets whose "Reached target" record is a shutdown, by unit name and by the
    /// description systemd 252 ships (records name one or the other, or both).
    static let shutdownTargets: [[UInt8]] = [
        "shutdown.target", "poweroff.target", "reboot.target", "halt.target", "kexec.target",
        "System Shutdown", "System Power Off", "System Reboot", "System Halt", "Reboot via kexec",
    ].map { Array($0.utf8) }

    /// The most bytes of a journald record a sign keeps.
    static let maximumMessageBytes = 512

    /// A trusted entry with a `MESSAGE_ID`: shutdown, journal stop and start records.
    mutating func noteRecord(_ messageID: ArraySlice<UInt8>, message: ArraySlice<UInt8>?, boot: ID128,
                             realtime: UInt64, cursor: () -> Cursor?, into signs: inout [Sign]) {
        if messageID.elementsEqual(Self.shutdownMessageID.utf8) {
            boots.modify(boot) { $0.shutdownSeen = true }
        } else if messageID.elementsEqual(Self.unitStartedMessageID.utf8) {
            guard let message, message.starts(with: "Reached target ".utf8),
                  Self.shutdownTargets.contains(where: { message.contains(bytes: $0) }) else { return }
            boots.modify(boot) { $0.shutdownSeen = true }
        } else if messageID.elementsEqual(Self.journalStopMessageID.utf8) {
            boots.modify(boot) { $0.journalStopped = true }
        } else if messageID.elementsEqual(Self.journalStartMessageID.utf8) {
            let restarted = boots.modify(boot) { state -> Bool in
                defer {
                    state.journalStopped = false
                    state.shutdownSeen = false
                }
                return state.journalStopped && !state.shutdownSeen
            }
            if restarted == true, let cursor = cursor() { signs.append(.journaldRestarted(boot: boot, realtime: realtime, cursor: cursor)) }
        }
    }

    /// A trusted entry without a `MESSAGE_ID`: journald's rotation, vacuum and file records.
    func noteJournaldMessage(_ message: ArraySlice<UInt8>, realtime: UInt64, cursor readCursor: () -> Cursor?,
                             into signs: inout [Sign]) {
        guard let first = message.first, first == UInt8(ascii: "R") || first == UInt8(ascii: "V")
            || first == UInt8(ascii: "F") else { return }
        if message.starts(with: "Received client request to rotate journal".utf8), let cursor = readCursor() {
            signs.append(.rotationRequested(realtime: realtime, cursor: cursor))
        } else if message.starts(with: "Vacuuming done, freed ".utf8),
                  !message.dropFirst("Vacuuming done, freed ".utf8.count).starts(with: "0B ".utf8), let cursor = readCursor() {
            signs.append(.journalsVacuumed(realtime: realtime, cursor: cursor,
                                           message: Array(message.prefix(Self.maximumMessageBytes))))
        } else if message.starts(with: "File ".utf8),
                  message.contains(bytes: Array("corrupted or uncleanly shut down, renaming and replacing".utf8)),
                  let cursor = readCursor() {
            signs.append(.journalFileReplaced(realtime: realtime, cursor: cursor,
                                              message: Array(message.prefix(Self.maximumMessageBytes))))
        }
    }
}

extension ArraySlice<UInt8> {
    /// Whether `needle` occurs in the slice (naive search: records are short).
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard count >= needle.count else { return false }
        var start = startIndex
        while start <= endIndex - needle.count {
            if self[start..<start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}
