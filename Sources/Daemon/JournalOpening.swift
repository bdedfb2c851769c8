import Glibc
import Journal

/// Opens a journal source with errors for people.
public enum JournalOpening {
    /// Opens `source`, first checking that its paths exist and can be read.
    static func open(_ source: Journal.Source, dataThreshold: Int) throws(Failure) -> Journal {
        switch source {
        case .local:
            break
        case .directory(let path):
            try checkReadable(path, directory: true)
        case .files(let paths):
            for path in paths { try checkReadable(path, directory: false) }
        }
        let journal: Journal
        do {
            journal = try Journal(source: source, dataThreshold: dataThreshold)
        } catch {
            let subject = switch source {
            case .local: "the local journal"
            case .directory(let path): path
            case .files(let paths): paths.joined(separator: ", ")
            }
            switch error.errno {
            case .permissionDenied, .notPermitted:
                throw Failure(.permission, "\(subject): permission denied; run as root or in the systemd-journal group")
            case .noSuchFileOrDirectory:
                throw Failure(.noInput, "\(subject): no such file; check the path")
            default:
                throw Failure(.data, "\(subject): not a readable journal (\(error)); give journal files (*.journal) or their directory")
            }
        }
        if source == .local, !journal.hasFiles {
            if geteuid() != 0 {
                throw Failure(.permission, "the system journal: no journal files are readable by this user; run as root or add the user to the systemd-journal group")
            }
            throw Failure(.noInput, "the system journal: no journal files in /run/log/journal or /var/log/journal; is systemd-journald running?")
        }
        return journal
    }

    /// `stat` of a path, or the failure for people: missing is 66, a path below a directory the
    /// user may not enter is 77.
    private static func status(of path: String) throws(Failure) -> stat {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == EACCES {
                throw Failure(.permission, "\(path): permission denied; run as root or in the systemd-journal group")
            }
            throw Failure(.noInput, "\(path): no such file or directory; check the path")
        }
        return status
    }

    private static func checkReadable(_ path: String, directory: Bool) throws(Failure) {
        let isDirectory = (try status(of: path).st_mode & S_IFMT) == S_IFDIR
        if directory && !isDirectory {
            throw Failure(.usage, "\(path): not a directory; use --file for a journal file")
        }
        if !directory && isDirectory {
            throw Failure(.usage, "\(path): is a directory; use --directory for a directory")
        }
        guard access(path, R_OK | (directory ? X_OK : 0)) == 0 else {
            throw Failure(.permission, "\(path): permission denied; run as root or in the systemd-journal group")
        }
    }

    /// Expands replay arguments: journal files as given, directories to the journal files below
    /// them (recursively, sorted).
    public static func journalFiles(in paths: [String]) throws(Failure) -> [String] {
        var files: [String] = []
        for path in paths {
            let isDirectory = (try status(of: path).st_mode & S_IFMT) == S_IFDIR
            guard access(path, R_OK) == 0 else {
                throw Failure(.permission, "\(path): permission denied; run as root or in the systemd-journal group")
            }
            if isDirectory {
                let found = try collect(path)
                if found.isEmpty { throw Failure(.noInput, "\(path): no journal files (*.journal) in this directory; check the path") }
                files += found
            } else {
                files.append(path)
            }
        }
        return files
    }

    private static func collect(_ directory: String) throws(Failure) -> [String] {
        guard let handle = opendir(directory) else {
            throw Failure(.permission, "\(directory): cannot list (\(String(cString: strerror(Glibc.errno)))); run as root")
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let item = readdir(handle) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        var files: [String] = []
        for name in names.sorted() {
            let path = directory + "/" + name
            var status = stat()
            guard stat(path, &status) == 0 else { continue }
            if (status.st_mode & S_IFMT) == S_IFDIR {
                files += try collect(path)
            } else if name.hasSuffix(".journal") || name.hasSuffix(".journal~") {
                files.append(path)
            }
        }
        return files
    }
}
