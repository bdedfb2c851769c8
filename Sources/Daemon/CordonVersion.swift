import Parse

/// Cordon's version.
public enum CordonVersion {
    public static let string = "0.1.0"
}

/// The MESSAGE_IDs, for help texts.
public typealias AlertIdentifiers = CordonMessageID
