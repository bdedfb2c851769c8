import Glibc

/// Reads small text files (configuration, checkpoint) with errors for people.
enum FileText {
    /// The file's contents, or a `Failure` naming the file and what to do.
    static func read(_ path: String) -> Result<String, Failure> {
        readBytes(path, limit: 16 << 20).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The file's bytes, at most `limit` of them, or a `Failure` naming the file and what to do.
    static func readBytes(_ path: String, limit: Int) -> Result<[UInt8], Failure> {
        guard let file = fopen(path, "r") else {
            return .failure(openFailure(path: path, errno: Glibc.errno))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes += buffer[0..<count] }
            if count < buffer.count {
                if ferror(file) != 0 {
                    return .failure(openFailure(path: path, errno: Glibc.errno))
                }
                break
            }
            if bytes.count > limit {
                return .failure(Failure(.data, "\(path): file is larger than \(limit >> 20) MiB; is this the right file?"))
            }
        }
        return .success(bytes)
    }

    static func openFailure(path: String, errno code: Int32) -> Failure {
        switch code {
        case ENOENT: Failure(.noInput, "\(path): no such file; check the path")
        case EACCES, EPERM: Failure(.permission, "\(path): permission denied; run as root or make the file readable")
        case EISDIR: Failure(.noInput, "\(path): is a directory; give a file")
        default: Failure(.noInput, "\(path): cannot read (\(String(cString: strerror(code)))); check the path")
        }
    }
}
