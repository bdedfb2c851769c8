import Fuzz
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
