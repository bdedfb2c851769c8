import Foundation
import Testing
@testable import Rules

@Suite struct RuleFilesTests {
    @Test func walksDirectoriesRecursivelyInSortedOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("b.yml", ruleText(id: "b"))
        try directory.write("a.yaml", ruleText(id: "a"))
        try directory.write("sub/deeper/c.yml", ruleText(id: "c"))
        try directory.write("sub/a2.yml", ruleText(id: "a2"))
        try directory.write("notes.txt", "not a rule")
        try directory.write(".hidden/d.yml", ruleText(id: "hidden"))
        let result = RuleLoader.load(paths: [directory.path])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.map(\.identifier) == ["a", "b", "a2", "c"])
        #expect(result.rules.map(\.location.file) == [
            directory.path + "/a.yaml", directory.path + "/b.yml",
            directory.path + "/sub/a2.yml", directory.path + "/sub/deeper/c.yml",
        ])
    }

    @Test func loadsAFileGivenDirectlyWhateverItsExtension() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("rule.sigma", ruleText(id: "direct"))
        let result = RuleLoader.load(paths: [path])
        #expect(result.rules.map(\.identifier) == ["direct"])
        #expect(result.rules.first?.location == SourceLocation(file: path, line: 1, column: 1))
    }

    @Test func loadsAFileReachedTwiceOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("rule.yml", ruleText(id: "once"))
        let result = RuleLoader.load(paths: [directory.path, path])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.rules.map(\.identifier) == ["once"])
    }

    @Test func emptyDirectoryIsNotAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("README.md", "no rules here")
        let result = RuleLoader.load(paths: [directory.path])
        #expect(result.rules.isEmpty)
        #expect(result.diagnostics.isEmpty)
    }

    @Test func missingPathIsNoInput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("good.yml", ruleText(id: "good"))
        let missing = directory.path + "/missing.yml"
        let result = RuleLoader.load(paths: [missing, directory.path])
        #expect(result.rules.map(\.identifier) == ["good"])
        #expect(result.diagnostics.map(\.description) == ["\(missing): error: no such file or directory — check the path (--rules, or rules: in the configuration)"])
        #expect(result.diagnostics.first?.kind == .noInput)
        #expect(result.diagnostics.first?.line == nil)
    }

    @Test(.enabled(if: getuid() != 0, "root reads files whatever their mode"))
    func unreadableFileIsPermission() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("secret.yml", ruleText(id: "secret"))
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
        let result = RuleLoader.load(paths: [path])
        #expect(result.rules.isEmpty)
        #expect(result.diagnostics.map(\.description) == ["\(path): error: permission denied — run as root or make it readable"])
        #expect(result.diagnostics.first?.kind == .permission)
    }

    @Test(.enabled(if: getuid() != 0, "root lists directories whatever their mode"))
    func unreadableDirectoryIsPermission() throws {
        let directory = try TemporaryDirectory()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path + "/locked")
            directory.remove()
        }
        try directory.write("locked/rule.yml", ruleText(id: "locked"))
        try directory.write("open.yml", ruleText(id: "open"))
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: directory.path + "/locked")
        let result = RuleLoader.load(paths: [directory.path])
        #expect(result.rules.map(\.identifier) == ["open"])
        #expect(result.diagnostics.map(\.description) == [
            "\(directory.path)/locked: permission denied; run as root or make it readable",
        ])
        #expect(result.diagnostics.first?.kind == .permission)
    }

    @Test func duplicateIdentifierAcrossFilesNamesTheFirst() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.yml", ruleText(id: "same"))
        try directory.write("b.yml", "# comment\n" + ruleText(id: "same", title: "Second"))
        let result = RuleLoader.load(paths: [directory.path])
        #expect(result.rules.map(\.title) == ["Test rule"])
        #expect(result.diagnostics.map(\.description) == [
            "\(directory.path)/b.yml:3:5: error: rule id 'same' is already used at \(directory.path)/a.yml:2:5 — give each rule its own id, e.g. a new UUID",
        ])
    }

    @Test func collectsDiagnosticsFromEveryFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("1.yml", ruleText(id: "one").replacingOccurrences(of: "level: high", with: "level: hihg"))
        try directory.write("2.yml", ruleText(id: "two"))
        try directory.write("3.yml", "title: [\n")
        let result = RuleLoader.load(paths: [directory.path])
        #expect(result.rules.map(\.identifier) == ["two"])
        #expect(result.diagnostics.map(\.file) == [directory.path + "/1.yml", directory.path + "/3.yml"])
        #expect(result.diagnostics.map(\.line) == [3, 1])
    }

    @Test func invalidUTF8NamesTheLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/bad.yml"
        var bytes = Array(ruleText(id: "bad").utf8)
        bytes.insert(contentsOf: [0xC3, 0x28], at: bytes.count - 2)  // on the last line
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = RuleLoader.load(paths: [path])
        #expect(result.rules.isEmpty)
        #expect(result.diagnostics.map(\.description) == ["\(path):7: error: file is not valid UTF-8 — save it as UTF-8"])
    }
}
