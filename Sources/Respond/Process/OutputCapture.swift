/// The kept bytes of one output stream: the first `limit`, and whether more came.
struct OutputCapture {
    /// Bytes kept at most.
    let limit: Int
    /// The kept bytes.
    private(set) var bytes: [UInt8] = []
    /// Whether bytes beyond `limit` arrived (and were discarded).
    private(set) var truncated = false

    /// Starts an empty capture keeping at most `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    /// Keeps what fits of `chunk` and notes whether the rest was dropped.
    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        let room = limit - bytes.count
        if chunk.count > room { truncated = true }
        if room > 0 { bytes += chunk.prefix(room) }
    }
}
