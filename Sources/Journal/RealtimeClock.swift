import Glibc

/// The wall clock (`CLOCK_REALTIME`) in µs since the epoch: the unit of an entry's realtime
/// timestamp, so "now" compares with entry times.
@Sendable public func realtimeMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
}
