import Rules

/// One learned anomaly detector (`detector:` of type `rare_category`, `category_rate`,
/// `rare_process` or `rare_login`) with its settings read and defaulted (rules/CORRELATION.md).
/// A class: the model looks at its detectors for every entry, and copying one (its rule and
/// settings) cost a tenth of the categorisation.
public final class AnomalyDetector: Sendable {
    /// The detector's document.
    public let rule: CorrelationRule
    /// Learning period, µs of entry time from the model's first entry.
    public let learning: UInt64
    /// Alerts per source (rare_category, category_rate) or per detector (the others) per hour of entry time.
    public let limit: Int
    /// The sources it watches; nil: every source.
    let sources: NamePatterns?
    /// The units whose new executables are children of a network service (rare_process).
    let networkUnits: NamePatterns
    /// category_rate: window width (µs), factor, floor and EWMA smoothing.
    public let window: UInt64
    public let factor: Double
    public let floor: Double
    public let smoothing: Double
    /// rare_login: the user and address fields of the watched rules' events, prefix lengths, and
    /// whether unusual hours count.
    public let userField: String
    public let addressField: String
    public let ipv4Prefix: Int
    public let ipv6Prefix: Int
    public let watchesHours: Bool

    /// The sources rare_category watches when its rule names none: sshd, sudo, su, login and
    /// PAM, logind, systemd, the kernel and audit.
    public static let defaultWatchedSources = [
        "ssh.service", "sshd.service", "sshd", "sshd@*.service", "sudo", "su", "login", "systemd-logind.service",
        "systemd", "kernel", "audit", "auditd.service", "cron.service", "polkit.service", "unix_chkpwd",
    ]
    /// The units rare_process counts as network services when its rule names none.
    public static let defaultNetworkUnits = [
        "nginx.service", "apache2.service", "httpd.service", "ssh.service", "sshd.service", "postgresql*.service",
        "mysql.service", "mariadb.service", "tomcat*.service", "php*-fpm.service",
    ]

    public init(rule: CorrelationRule) {
        self.rule = rule
        let settings = rule.settings
        learning = settings["learning"].map { UInt64($0) } ?? 7 * 86_400_000_000
        limit = settings["limit"].map { Int($0) } ?? 5
        switch rule.kind {
        case .rareCategory: sources = NamePatterns(rule.names["sources"] ?? Self.defaultWatchedSources)
        default: sources = rule.names["sources"].map { NamePatterns($0) }
        }
        networkUnits = NamePatterns(rule.names["network_units"] ?? Self.defaultNetworkUnits)
        window = settings["window"].map { UInt64($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 600_000_000
        factor = settings["factor"] ?? 10
        floor = settings["floor"] ?? 100
        smoothing = settings["smoothing"] ?? 0.3
        userField = rule.names["user"]?.first ?? "User"
        addressField = rule.names["address"]?.first ?? "SourceIp"
        ipv4Prefix = settings["ipv4_prefix"].map { Int($0) } ?? 24
        ipv6Prefix = settings["ipv6_prefix"].map { Int($0) } ?? 64
        watchesHours = (settings["hours"] ?? 1) != 0
    }

    /// The fields rare_login and rare_process read from the events of the rules they name.
    public var capturedFields: [String] {
        switch rule.kind {
        case .rareLogin: [userField, addressField]
        case .rareProcess: ["Image", "ParentImage", "User", "CommandLine"]
        default: []
        }
    }

    /// Whether it watches `source`.
    func watches(_ source: [UInt8]) -> Bool {
        sources?.matches(source) ?? true
    }
}

/// What an anomaly detector found: the pipeline makes it an alert.
public struct AnomalyFinding: Sendable {
    /// The detector that found it.
    public let rule: CorrelationRule
    /// The alert's level: the detector's, raised for a new executable as root or under a network service.
    public var level: Level
    /// Entry time of the entry that showed it.
    public let realtime: UInt64
    /// Whether journald vouches for the entry's source.
    public let isTrusted: Bool
    /// The value an operator passes to `cordon model forget` to mark it normal: a category id,
    /// `unit: executable`, `user from network` or `user at HH:00`.
    public let value: String
    /// The entry's source (rare_category, category_rate, rare_process).
    public let source: String?
    /// The category (rare_category, category_rate).
    public var category: String?
    public var template: String?
    /// When the value was first seen (entry time, µs), if before this entry.
    public var firstSeen: UInt64?
    /// The baseline it broke, in words.
    public var baseline: String?
    /// Why it is an anomaly, in one sentence.
    public let explanation: String
    /// The count behind a rate finding.
    public var count: Double?
    /// For a finding on an event of a watched rule: its cursor (else the entry being processed).
    public var cursor: String?

    init(rule: CorrelationRule, level: Level, realtime: UInt64, isTrusted: Bool, value: String, source: String?,
         explanation: String) {
        self.rule = rule
        self.level = level
        self.realtime = realtime
        self.isTrusted = isTrusted
        self.value = value
        self.source = source
        self.explanation = explanation
    }
}
