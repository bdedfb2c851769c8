/// Sigma's `timespan` format: a whole number followed by one lowercase unit letter
/// (`30s`, `5m`, `1h`, `7d`), which Cordon also uses for detector durations.
public enum Timespan {
    /// Microseconds per unit letter.
    private static let units: [Character: UInt64] = [
        "s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000,
    ]

    /// The duration `text` spells, in µs; nil when it is not `<n>s|m|h|d` with n > 0, or overflows.
    public static func microseconds(_ text: String) -> UInt64? {
        guard let unitLetter = text.last, let unit = units[unitLetter] else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let count = UInt64(digits), count > 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }

    /// What to write instead, for hints.
    public static let formatHint = "write a whole number and a unit: s, m, h or d (e.g. '90m' for 1h30)"
}
