// swift-tools-version: 6.0
// Cordon: journal → parse → detect → alert → respond, one module per step.
import PackageDescription

let package = Package(
    name: "cordon",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cordon", targets: ["cordon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // libsystemd's sd-journal and sd-daemon, from Debian's libsystemd-dev.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // PCRE2's 8-bit library for the `re` modifier, from Debian's libpcre2-dev.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        // Linux headers Glibc's module leaves out (signalfd).
        .systemLibrary(name: "CLinux"),
        // Journal: a thin Swift layer over sd-journal (read, wait, write, export format).
        .target(
            name: "Journal",
            dependencies: ["CSystemd", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // Parse: journal entries → events that rules see; which entries are Cordon's own.
        .target(name: "Parse", dependencies: ["Journal"]),
        // Rules: Sigma YAML → Rule values, with file:line diagnostics. Knows nothing of the journal.
        .target(name: "Rules", dependencies: ["Yams"]),
        // Detect: compiled rules evaluated against events.
        .target(name: "Detect", dependencies: ["CPCRE2", "Rules", "Parse"]),
        // Alert: matches → alert values → journal entries, JSON, text and export format.
        .target(name: "Alert", dependencies: ["Detect", "Journal", "Parse"]),
        // Respond: alerts → actions: which action an alert triggers, guardrails, the action ledger
        // (exactly once, TTL), hooks run with posix_spawn (argv, environment, JSON on stdin).
        .target(
            name: "Respond",
            dependencies: [
                "Alert", "Detect", "Rules", "Journal", "Parse", "Yams",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Daemon: configuration, checkpoint, the pipeline loop behind `run` and `replay`.
        .target(
            name: "Daemon",
            dependencies: [
                "CLinux", "Journal", "Parse", "Rules", "Detect", "Alert", "Respond", "Yams",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "cordon",
            dependencies: [
                "Daemon", "Respond", "Rules", "Journal", "Parse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Fuzz: the fuzz targets (rules, parsers, pipeline) as functions of bytes, for the libFuzzer
        // binary `cordon-fuzz` (`make fuzz`) and for FuzzTests, which run the seed corpus and past crashes.
        .target(
            name: "Fuzz",
            dependencies: [
                "Daemon", "Detect", "Rules", "Parse", "Journal", "Alert",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Built with -DFUZZING and -sanitize=fuzzer by `make fuzz`; otherwise runs inputs given as files.
        .executableTarget(name: "cordon-fuzz", dependencies: ["Fuzz"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules"]),
        .testTarget(name: "DetectTests", dependencies: ["Detect", "Rules", "Parse", "Journal"]),
        .testTarget(name: "AlertTests", dependencies: ["Alert", "Detect", "Rules", "Parse", "Journal"]),
        .testTarget(name: "RespondTests", dependencies: ["Respond", "Alert", "Journal", "Parse"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Journal"]),
        .testTarget(name: "ParseTests", dependencies: ["Parse", "Journal"]),
        .testTarget(name: "FuzzTests", dependencies: ["Fuzz", "Rules", "Parse", "Journal"]),
        // Real journald, real binary: run `make test` (it starts a journald where none runs).
        .testTarget(name: "IntegrationTests", dependencies: ["Journal", "Alert", "Parse"]),
    ],
    swiftLanguageModes: [.v6]
)
