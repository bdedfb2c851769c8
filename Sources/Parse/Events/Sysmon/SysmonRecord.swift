/// One Sysmon for Linux event read from its XML.
///
/// The format is the one SysmonForLinux's `FormatSyslogString` (outputxml.cpp) writes with
/// pugixml and hands to `syslog(3)` under the identifier `sysmon`: `<Event><System>…<EventID>1
/// </EventID>…<Computer>host</Computer>…</System><EventData><Data Name="RuleName">-</Data>…
/// </EventData></Event>` on one line, field names as in SysmonCommon's manifest.xml.
public struct SysmonRecord: Sendable {
    /// The Sysmon event ID (`<EventID>` of `<System>`): 1 process creation, 3 network
    /// connection, 5 process termination, 11 file creation, 23 file deletion …
    public let eventID: Int
    /// The Sigma log source category: 1 process_creation, 3 network_connection, 5 process_termination,
    /// 11 file_event, 23 file_delete (and any other Sysmon-for-Linux IDs that have a Sigma category; nil for the rest)
    ///
    /// The other IDs Sysmon for Linux writes: 4 and 16 `sysmon_status`, 9 `raw_access_thread`,
    /// 10 `process_access`, 255 `sysmon_error`, as pySigma-pipeline-sysmon maps them.
    public let category: String?
    /// EventID, then every <Data Name="X">value</Data> of EventData in document order, values as UTF-8 bytes (entities decoded).
    ///
    /// `Computer` (the host name from `<System>`) comes last when the event has one. A value
    /// keeps the bytes Sysmon logged, also where they are not UTF-8 or are control characters.
    public let fields: [(name: String, value: [UInt8])]

    /// Makes a record; `category` follows from `eventID`.
    /// - Parameters:
    ///   - eventID: The Sysmon event ID.
    ///   - fields: The fields in the order `fields` documents, `EventID` first.
    public init(eventID: Int, fields: [(name: String, value: [UInt8])]) {
        self.eventID = eventID
        self.category = SysmonRecord.category(ofEventID: eventID)
        self.fields = fields
    }

    /// The value of the first field called `name` (case-sensitive), or nil when there is none.
    public func value(of name: String) -> [UInt8]? {
        fields.first { $0.name == name }?.value
    }

    /// The Sigma log source category of a Sysmon event ID, or nil for an ID without one.
    ///
    /// Only the IDs Sysmon for Linux writes (SysmonForLinux's `SetSyscallActive` plus its
    /// status and error events); the categories are pySigma-pipeline-sysmon's
    /// `sysmon_generic_logsource_eventid_mapping`.
    /// - Parameter eventID: The Sysmon event ID.
    public static func category(ofEventID eventID: Int) -> String? {
        switch eventID {
        case 1: "process_creation"
        case 3: "network_connection"
        case 4, 16: "sysmon_status"
        case 5: "process_termination"
        case 9: "raw_access_thread"
        case 10: "process_access"
        case 11: "file_event"
        case 23: "file_delete"
        case 255: "sysmon_error"
        default: nil
        }
    }
}
