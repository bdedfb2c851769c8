/// Cordon's version.
public enum CordonVersion {
    public static let string = "0.1.0"
}
