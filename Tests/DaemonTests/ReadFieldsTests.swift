import Foundation
import Journal
import Testing
@testable import Daemon

@Suite struct ReadFieldsTests {
    /// The repository's `rules/` directory.
    static let shippedRules = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("rules").path

    @Test func runAndReplayReadTheRuleFieldsAndThePipelineFieldsOnly() throws {
        let engine = try RuleLoading.engine(paths: [Self.shippedRules]).engine
        let selection = ReadFields.selection(for: engine)
        #expect(!engine.fieldNames.isEmpty)
        for name in engine.fieldNames { #expect(selection.contains(name), "\(name)") }
        for name in ["MESSAGE_ID", "_TRANSPORT", "_UID", "_HOSTNAME", "_MACHINE_ID", "MESSAGE"] { #expect(selection.contains(name), "\(name)") }
        #expect(selection.names?.count == engine.fieldNames.union(ReadFields.pipeline).count)
        #expect(!selection.contains("_BOOT_ID"))
    }
}
