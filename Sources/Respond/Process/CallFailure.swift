/// A system call that failed, with its `errno`.
struct CallFailure: Error {
    /// The `errno` the call set.
    var errno: Int32
}
