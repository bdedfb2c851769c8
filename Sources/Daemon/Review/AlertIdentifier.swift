import Journal
import Parse

/// The short id `cordon alerts` shows for an alert and `--evidence` takes: the first 12 hex digits
/// of the 64-bit FNV-1a hash of `CORDON_SOURCE_CURSOR`, a newline and `CORDON_RULE_ID`.
///
/// It names the alert by what it is about (one rule on one source entry), so it is the same in
/// the host's journal and in a collector's copy of it, and the same on every listing; the
/// alert's own journal cursor is neither short nor stable across copies.
public enum AlertIdentifier {
    /// How many hex digits the short id has.
    public static let length = 12

    /// The short id of an alert entry.
    public static func short(for entry: JournalEntry) -> String {
        var hasher = FNV1a()
        hasher.add(entry.value(of: "CORDON_SOURCE_CURSOR") ?? [])
        hasher.add(CollectionOfOne(UInt8(ascii: "\n")))
        hasher.add(entry.value(of: "CORDON_RULE_ID") ?? [])
        return String(FNV1a.hex(hasher.value).prefix(length))
    }

    /// Whether `text` has the shape of a short id (12 hex digits).
    public static func isShortIdentifier(_ text: String) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }
}
