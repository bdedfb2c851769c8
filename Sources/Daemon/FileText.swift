import Glibc

/// Reads small text files (configuration, checkpoint) with errors for people.
enum FileText {
    /// The file's contents, or a `Failure` naming the file and what to do.
    static func read(_ path: String) -> Result<String, Failure> {
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
            if bytes.count > 16 << 20 {
                return .failure(Failure(.data, "\(path): file is larger than 16 MiB; is this the right file?"))
            }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
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
