@testable import Fuzz
import Testing

/// The seed corpus and every past crash input, through each fuzz target: what `make fuzz`
/// starts from keeps running in `swift test`, without libFuzzer.
@Suite struct CorpusTests {
    @Test("Every seed and past crash input runs through its target", arguments: FuzzTargets.names)
    func corpusRuns(target name: String) throws {
        let target = try FuzzTargets.make(name, rulesDirectory: FuzzTargets.defaultRulesDirectory)
        let seeds = FuzzCorpus.files(at: FuzzCorpus.corpusDirectory + "/" + name)
        #expect(seeds.count >= 5, "Tests/Fuzz/Corpus/\(name) holds the seeds of the \(name) target")
        for file in seeds + FuzzCorpus.files(at: FuzzCorpus.crashesDirectory + "/" + name) {
            let input = try #require(FuzzCorpus.read(file), "\(file) is readable")
            target.run(input)
        }
    }

    @Test("An unknown target name is refused")
    func unknownTarget() {
        #expect(throws: FuzzSetupError.self) { try FuzzTargets.make("yaml", rulesDirectory: FuzzTargets.defaultRulesDirectory) }
    }
}

/// The pipeline seeds reach alerting: per-entry rules, correlations and tampering signs.
@Suite struct PipelineSeedTests {
    @Test func seedsRaiseAlerts() throws {
        let target = try PipelineFuzzTarget(rulesDirectory: FuzzTargets.defaultRulesDirectory)
        func alerts(_ seed: String) throws -> [String] {
            target.run(try #require(FuzzCorpus.read(FuzzCorpus.corpusDirectory + "/pipeline/" + seed)))
            return target.sink.ruleIdentifiers
        }
        // sshd_brute_force (a correlation) and the root login after it.
        #expect(try alerts("ssh-intrusion.txt").contains("3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14"))
        #expect(try alerts("ssh-intrusion.txt").count >= 3)
        #expect(try !alerts("sudo-failures.txt").isEmpty)
        #expect(try !alerts("audit-curl-pipe-sh.txt").isEmpty)
        #expect(try !alerts("tampering.txt").isEmpty)
    }
}
