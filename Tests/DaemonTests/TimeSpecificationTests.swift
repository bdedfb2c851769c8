import Daemon
import Foundation
import Testing

/// `--since`/`--until` parsing. Serialized: the local forms depend on the process's `TZ`.
@Suite(.serialized) struct TimeSpecificationTests {
    /// 2026-11-26T13:00:00Z in seconds (from `date -d 2026-11-26T13:00:00Z +%s`).
    static let thirteenUTC: UInt64 = 1_795_698_000
    static let second: UInt64 = 1_000_000

    /// Sets `TZ` to `zone`; returns what puts the previous value back.
    func setTimeZone(_ zone: String) -> () -> Void {
        let previous = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", zone, 1)
        tzset()
        return {
            if let previous { setenv("TZ", previous, 1) } else { unsetenv("TZ") }
            tzset()
        }
    }

    func parse(_ text: String, now: UInt64 = 0) throws -> UInt64 {
        try TimeSpecification.microseconds(parsing: text, now: now)
    }

    @Test func datesAndTimesWithoutOffsetAreLocal() throws {
        do {
            let restore = setTimeZone("UTC")
            defer { restore() }
            #expect(try parse("2026-11-26 13:00") == Self.thirteenUTC * Self.second)
            #expect(try parse("2026-11-26 13:00:07") == (Self.thirteenUTC + 7) * Self.second)
            #expect(try parse("2026-11-26T13:00:07") == (Self.thirteenUTC + 7) * Self.second)
            #expect(try parse("2026-11-26") == (Self.thirteenUTC - 13 * 3600) * Self.second)
            #expect(try parse("  2026-11-26 13:00  ") == Self.thirteenUTC * Self.second)
        }
        // POSIX zone "UTC-2" is two hours ahead of UTC: 13:00 there is 11:00Z.
        do {
            let restore = setTimeZone("UTC-2")
            defer { restore() }
            #expect(try parse("2026-11-26 13:00") == (Self.thirteenUTC - 2 * 3600) * Self.second)
        }
        // New York is UTC-5 in November (from `date -d 2026-11-26T18:00:00Z +%s`).
        do {
            let restore = setTimeZone("America/New_York")
            defer { restore() }
            #expect(try parse("2026-11-26 13:00:00") == 1_795_716_000 * Self.second)
        }
    }

    @Test func isoOffsetsWinOverTheLocalZone() throws {
        do {
            let restore = setTimeZone("America/New_York")
            defer { restore() }
            #expect(try parse("2026-11-26T13:00:00Z") == Self.thirteenUTC * Self.second)
            #expect(try parse("2026-11-26T13:00:00z") == Self.thirteenUTC * Self.second)
            #expect(try parse("2026-11-26T15:00:00+02:00") == Self.thirteenUTC * Self.second)
            #expect(try parse("2026-11-26T08:30:00-0430") == Self.thirteenUTC * Self.second)
            #expect(try parse("2026-11-26T13:00:00.25Z") == Self.thirteenUTC * Self.second + 250_000)
            #expect(try parse("2026-11-26T13:00:00.1234567Z") == Self.thirteenUTC * Self.second + 123_456)
            #expect(try parse("@1795698000") == Self.thirteenUTC * Self.second)
            #expect(try parse("2026-11-26 13:00 UTC") == Self.thirteenUTC * Self.second)
            #expect(try parse("2026-11-26 utc") == (Self.thirteenUTC - 13 * 3600) * Self.second)
        }
    }

    @Test func relativeFormsCountFromNow() throws {
        let now = Self.thirteenUTC * Self.second + 42
        #expect(try parse("now", now: now) == now)
        #expect(try parse("-2h", now: now) == now - 2 * 3600 * Self.second)
        #expect(try parse("2h ago", now: now) == now - 2 * 3600 * Self.second)
        #expect(try parse("2 hours ago", now: now) == now - 2 * 3600 * Self.second)
        #expect(try parse("-30min", now: now) == now - 30 * 60 * Self.second)
        #expect(try parse("-1d", now: now) == now - 86_400 * Self.second)
        #expect(try parse("+1h", now: now) == now + 3600 * Self.second)
        #expect(try parse("1h 30min ago", now: now) == now - 5400 * Self.second)
        #expect(try parse("-90s", now: now) == now - 90 * Self.second)
        #expect(try parse("-1w", now: now) == now - 7 * 86_400 * Self.second)
    }

    @Test func todayAndYesterdayAreLocalMidnights() throws {
        // 2026-11-26T23:30:00Z is already 01:30 on the 27th in UTC-2.
        let now: UInt64 = 1_795_735_800 * Self.second
        do {
            let restore = setTimeZone("UTC-2")
            defer { restore() }
            #expect(try parse("today", now: now) == 1_795_730_400 * Self.second)  // 2026-11-26T22:00:00Z
            #expect(try parse("yesterday", now: now) == (1_795_730_400 - 86_400) * Self.second)
            #expect(try parse("tomorrow", now: now) == (1_795_730_400 + 86_400) * Self.second)
            #expect(try parse("Today", now: now) == 1_795_730_400 * Self.second)
            // A time alone is today's.
            #expect(try parse("13:05", now: now) == (1_795_730_400 + 13 * 3600 + 300) * Self.second)
        }
        do {
            let restore = setTimeZone("UTC")
            defer { restore() }
            #expect(try parse("today", now: now) == 1_795_651_200 * Self.second)  // 2026-11-26T00:00:00Z
        }
    }

    @Test(arguments: ["", "bogus", "2026-13-01", "2026-11-32", "2026-11-26 25:00", "2026-11-26 13", "2026-11-26T13:00:00+2x",
                      "2026/11/26", "-2x", "2h", "2h later", "- h", "@x", "13:60", "2026-11-26 13:00 CET",
                      "2026-11-26T13:00Z UTC"])
    func otherTextIsAnError(_ text: String) {
        #expect(throws: TimeSpecification.ParseError(text: text)) { try parse(text, now: Self.thirteenUTC * Self.second) }
    }
}
