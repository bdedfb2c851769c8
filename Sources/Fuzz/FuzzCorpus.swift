import Glibc

/// Files of a fuzz corpus (`Tests/Fuzz/Corpus/<target>`, `Tests/Fuzz/Crashes/<target>`).
public enum FuzzCorpus {
    /// The folder of the seed corpus in this checkout.
    public static var corpusDirectory: String { FuzzTargets.repositoryDirectory + "/Tests/Fuzz/Corpus" }
    /// The folder of past crash inputs in this checkout.
    public static var crashesDirectory: String { FuzzTargets.repositoryDirectory + "/Tests/Fuzz/Crashes" }

    /// `path` itself when it is a file; the regular files directly in it, sorted, when it is a
    /// folder (names starting with `.` are skipped); nothing when it does not exist.
    public static func files(at path: String) -> [String] {
        var status = stat()
        guard stat(path, &status) == 0 else { return [] }
        guard status.st_mode & S_IFMT == S_IFDIR else { return [path] }
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") { continue }
            var fileStatus = stat()
            if stat(path + "/" + name, &fileStatus) == 0, fileStatus.st_mode & S_IFMT == S_IFREG { names.append(name) }
        }
        return names.sorted().map { path + "/" + $0 }
    }

    /// The bytes of `file`, or nil when it cannot be read.
    public static func read(_ file: String) -> [UInt8]? {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }
}
