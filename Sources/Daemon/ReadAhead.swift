import Glibc
import Journal

/// Reads a journal on a second thread, in batches, while the calling thread runs detection:
/// `cordon replay` on two cores.
///
/// Why: reading (sd-journal's lookups, decompression and copying the fields rules need) is
/// about a third of a replay with the shipped rules and detection the rest (`perf record` on
/// `make bench`'s journal); on one thread they add up, on two they overlap, and the replay runs
/// at about the speed of its slower half.
///
/// Entries are read with their cursors, as detection can no longer ask the journal where an
/// entry was once the reader has moved on. Memory is bounded: at most `batchLimit` batches of
/// `batchSize` entries wait. Order is kept: batches are handed over in the order read.
final class ReadAhead: @unchecked Sendable {
    /// What the reader found at one position: an entry, or why the entry there could not be read.
    enum Item {
        case entry(JournalEntry)
        case unreadable(JournalError)
    }

    static let batchSize = 256
    static let batchLimit = 8

    // @unchecked Sendable: `journal` is used by the reader thread only, from `start` until
    // `finish` joins it; everything else is guarded by `mutex`.
    private let journal: Journal
    private let fields: JournalFieldSelection
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var waiting: [[Item]] = []
    /// Batches the consumer is done with: the reader frees them, in the thread that allocated
    /// them (glibc's malloc frees another thread's blocks under that arena's lock).
    private var spent: [[Item]] = []
    private var readerDone = false
    private var readerError: JournalError?
    private var consumerGone = false
    private var thread: pthread_t?

    /// - Parameters:
    ///   - journal: positioned before the first entry to read (after `seekHead`).
    ///   - fields: the fields to read of each entry.
    init(journal: Journal, fields: JournalFieldSelection) {
        self.journal = journal
        self.fields = fields
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Whether a second thread can be expected to run beside this one.
    static var pays: Bool { sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 }

    /// Starts the reader thread; false if no thread could be started (then read inline).
    func start() -> Bool {
        let argument = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<ReadAhead>.fromOpaque(argument).takeRetainedValue().read()
            return nil
        }, argument)
        guard result == 0 else {
            Unmanaged<ReadAhead>.fromOpaque(argument).release()
            return false
        }
        self.thread = thread
        return true
    }

    /// The next batch in journal order; nil once every entry has been handed over.
    /// - Throws: the error that stopped the reader (after the batches read before it).
    func next() throws(JournalError) -> [Item]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while waiting.isEmpty && !readerDone { pthread_cond_wait(changed, mutex) }
        if !waiting.isEmpty {
            let batch = waiting.removeFirst()
            pthread_cond_signal(changed)
            return batch
        }
        if let readerError { throw readerError }
        return nil
    }

    /// Hands a processed batch back, for the reader thread to free.
    func recycle(_ batch: [Item]) {
        pthread_mutex_lock(mutex)
        spent.append(batch)
        pthread_mutex_unlock(mutex)
    }

    /// Stops the reader (if still reading) and waits for its thread to end; the journal is the
    /// caller's again afterwards.
    func finish() {
        pthread_mutex_lock(mutex)
        consumerGone = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    /// The reader thread: batches until the journal ends, fails or the consumer is gone.
    private func read() {
        var failure: JournalError?
        var pagePacer = MappedJournalPages.Pacer()
        reading: while true {
            pthread_mutex_lock(mutex)
            var done = spent
            spent.removeAll(keepingCapacity: true)
            pthread_mutex_unlock(mutex)
            done.removeAll()  // frees the entries here
            var batch: [Item] = []
            batch.reserveCapacity(ReadAhead.batchSize)
            var ended = false
            do {
                while batch.count < ReadAhead.batchSize {
                    guard try journal.next() else {
                        ended = true
                        break
                    }
                    pagePacer.entryRead()
                    do {
                        batch.append(.entry(try journal.entry(fields: fields, includingCursor: true)))
                    } catch {
                        batch.append(.unreadable(error))
                    }
                }
            } catch {
                failure = error
                ended = true
            }
            pthread_mutex_lock(mutex)
            while waiting.count >= ReadAhead.batchLimit && !consumerGone { pthread_cond_wait(changed, mutex) }
            if consumerGone {
                pthread_mutex_unlock(mutex)
                break reading
            }
            if !batch.isEmpty { waiting.append(batch) }
            pthread_cond_signal(changed)
            pthread_mutex_unlock(mutex)
            if ended { break }
        }
        pthread_mutex_lock(mutex)
        readerDone = true
        readerError = failure
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}
