import Glibc
import Rules

/// Finds what `cordon test` runs: the rules, and the test files beside them.
enum RuleTestFiles {
    /// Splits the command's paths into rule paths for the loader and test files.
    ///
    /// A directory is both: its rules load, and it is walked for `*.test.yml` and `*.test.yaml`
    /// (names starting with `.` skipped, sorted). A rule file brings its `X.test.yml` if there is
    /// one; a test file given directly brings its rule `X.yml` if there is one. A test file
    /// reached twice is listed once. Missing paths stay in the result, so loading names them.
    /// - Parameters:
    ///   - paths: files and directories, as given on the command line.
    static func resolve(_ paths: [String]) -> (rulePaths: [String], testFiles: [String]) {
        var rulePaths: [String] = []
        var testFiles: [String] = []
        var seenTests: Set<String> = []
        func addTest(_ path: String) {
            if seenTests.insert(canonical(path)).inserted { testFiles.append(path) }
        }
        for path in paths {
            if isDirectory(path) {
                rulePaths.append(path)
                var found: [String] = []
                var visited: Set<String> = []
                walk(directory: path, into: &found, visited: &visited)
                found.sort()
                found.forEach(addTest)
            } else if RuleTestFileName.isTestFile(path) {
                addTest(path)
                if let rule = RuleTestFileName.ruleFiles(forTest: path).first(where: isRegularFile), !paths.contains(rule) {
                    rulePaths.append(rule)
                }
            } else {
                rulePaths.append(path)
                RuleTestFileName.testFiles(forRule: path).filter(isRegularFile).forEach(addTest)
            }
        }
        return (rulePaths, testFiles)
    }

    /// Adds the test files under `directory` to `files`, descending into subdirectories once each.
    private static func walk(directory: String, into files: inout [String], visited: inout Set<String>) {
        guard visited.insert(canonical(directory)).inserted, let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        var names: [String] = []
        while let item = readdir(handle) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if isDirectory(path) {
                walk(directory: path, into: &files, visited: &visited)
            } else if RuleTestFileName.isTestFile(name), isRegularFile(path) {
                files.append(path)
            }
        }
    }

    /// Whether `path` is a directory (following symbolic links).
    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` is a regular file (following symbolic links).
    private static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// The path with symbolic links resolved, to recognise a file or directory reached twice.
    private static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
