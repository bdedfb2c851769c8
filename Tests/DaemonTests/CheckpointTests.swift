import Daemon
import Foundation
import Journal
import Testing

@Suite struct CheckpointTests {
    func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "cordon-checkpoint-" + UUID().uuidString + "/state"
    }

    @Test func saveAndLoadRoundTrip() throws {
        let store = CheckpointStore(directory: temporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent) }
        try store.prepare()
        #expect(try store.load() == nil)
        let cursor = try #require(Cursor("s=02d5346d728b4a3b87bc702584add72b;i=155;b=272c;m=ac59bff;t=661289992d612;x=c9d3"))
        try store.save(Checkpoint(position: .after(cursor), savedRealtime: 1_764_000_000_000_000))
        #expect(try store.load() == Checkpoint(position: .after(cursor), savedRealtime: 1_764_000_000_000_000))
        try store.save(Checkpoint(position: .head, savedRealtime: 5))
        #expect(try store.load() == Checkpoint(position: .head, savedRealtime: 5))
        #expect(!FileManager.default.fileExists(atPath: store.path + ".tmp"))
        let mode = try FileManager.default.attributesOfItem(atPath: store.directory)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func corruptFilesNameTheLine() throws {
        let store = CheckpointStore(directory: temporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent) }
        try store.prepare()
        for (text, line) in [("garbage", "1"), ("cordon-checkpoint 1\ncursor \n saved", "2"),
                             ("cordon-checkpoint 1\nhead\nsaved soon\n", "3")] {
            try text.write(toFile: store.path, atomically: true, encoding: .utf8)
            #expect {
                try store.load()
            } throws: { error in
                guard let failure = error as? Failure else { return false }
                return failure.status == .data && failure.message.hasPrefix("\(store.path):\(line):") && failure.message.contains("delete it")
            }
        }
    }

    @Test func unwritableStateDirectory() {
        #expect(throws: Failure.self) { try CheckpointStore(directory: "/proc/cordon-state").prepare() }
    }
}

extension CheckpointTests {
    @Test func stateTravelsWithTheCursor() throws {
        let directory = NSTemporaryDirectory() + "cordon-checkpoint-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CheckpointStore(directory: directory)
        try store.prepare()
        let cursor = try #require(Cursor("s=abc;i=1"))
        // Binary state, newlines and NULs included.
        let state: [UInt8] = [0, 10, 10, 255, 1, 2, 3] + Array("state 3\n".utf8)
        try store.save(Checkpoint(position: .at(cursor), savedRealtime: 7, state: state))
        let loaded = try store.load()
        #expect(loaded == Checkpoint(position: .at(cursor), savedRealtime: 7, state: state))
        // A version 2 file whose state is cut short is an error naming the file and line.
        let path = directory + "/checkpoint"
        let text = try #require(FileManager.default.contents(atPath: path))
        try Data(text.dropLast(2)).write(to: URL(fileURLWithPath: path))
        #expect(throws: Failure.self) { try store.load() }
    }
}
