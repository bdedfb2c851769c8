import Foundation

/// Finding and reading rule files.
enum RuleFiles {
    /// The file name extensions of rule files found in directories.
    static let extensions: Set<String> = ["yml", "yaml"]

    /// The rule files named by `paths`: a file as given (whatever its extension); a directory
    /// walked recursively for `*.yml` and `*.yaml`, skipping names that start with `.` and rule
    /// test files (`*.test.yml`, `*.test.yaml`), sorted.
    /// A file reached twice is listed once.
    /// - Returns: the files, and a diagnostic for each path that is missing or cannot be listed.
    static func expand(_ paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        var seen: Set<String> = []
        for path in paths {
            var status = stat()
            guard stat(path, &status) == 0 else {
                // A path below a directory this user may not enter is not missing: say so.
                diagnostics.append(errno == EACCES ? denied(path) : missing(path))
                continue
            }
            var found: [String] = []
            if (status.st_mode & S_IFMT) == S_IFDIR {
                var visited: Set<String> = []
                walk(directory: path, into: &found, visited: &visited, diagnostics: &diagnostics)
                found.sort()
            } else {
                found = [path]
            }
            for file in found where seen.insert(canonical(file)).inserted {
                files.append(file)
            }
        }
        return (files, diagnostics)
    }

    /// Reads a rule file as UTF-8 text.
    /// - Returns: the text, or a diagnostic saying why it cannot be read.
    static func read(_ path: String) -> Result<String, Diagnostic> {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            return .failure(diagnostic(for: error, path: path))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(Diagnostic(
                kind: .data, file: path, line: invalidUTF8Line(in: data),
                message: "file is not valid UTF-8", hint: "save it as UTF-8"))
        }
        return .success(text)
    }

    /// Adds the rule files under `directory` to `files`, descending into subdirectories once each.
    private static func walk(directory: String, into files: inout [String], visited: inout Set<String>,
                             diagnostics: inout [Diagnostic]) {
        guard visited.insert(canonical(directory)).inserted else { return }  // A symbolic link loop.
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            diagnostics.append(diagnostic(for: error, path: directory))
            return
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                walk(directory: path, into: &files, visited: &visited, diagnostics: &diagnostics)
            } else if RuleTestFileName.isTestFile(name) {
                continue  // A rule's tests (`X.test.yml`), read by `cordon test`, not a rule.
            } else if let dot = name.lastIndex(of: "."), extensions.contains(String(name[name.index(after: dot)...])) {
                files.append(path)
            }
        }
    }

    /// The path with symbolic links resolved, to recognise a file or directory reached twice.
    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    private static func missing(_ path: String) -> Diagnostic {
        Diagnostic(kind: .noInput, file: path, line: nil, message: "no such file or directory",
                   hint: "check the path (--rules, or rules: in the configuration)")
    }

    private static func denied(_ path: String) -> Diagnostic {
        Diagnostic(kind: .permission, file: path, line: nil, message: "permission denied",
                   hint: "run as root or make it readable")
    }

    /// A diagnostic for a file system error while reading or listing `path`.
    private static func diagnostic(for error: any Error, path: String) -> Diagnostic {
        let code = (error as? CocoaError)?.code
        let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)
        if code == .fileReadNoPermission || (underlying?.domain == NSPOSIXErrorDomain && underlying?.code == Int(EACCES)) {
            return denied(path)
        }
        if code == .fileReadNoSuchFile || code == .fileNoSuchFile {
            return missing(path)
        }
        return Diagnostic(kind: .data, file: path, line: nil,
                          message: "cannot read: \((error as NSError).localizedDescription)",
                          hint: "check that it is a readable regular file")
    }

    /// The line of the first byte that is not valid UTF-8, or nil when all are valid.
    static func invalidUTF8Line(in data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var line = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1, encoded.first == UInt8(ascii: "\n") { line += 1 }
            case .emptyInput:
                return nil
            case .error:
                return line
            }
        }
    }
}
