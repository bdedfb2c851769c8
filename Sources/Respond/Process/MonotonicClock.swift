import Glibc

/// Seconds on `CLOCK_MONOTONIC`: unaffected by changes of the wall clock.
enum MonotonicClock {
    /// The current reading. The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
    }
}
