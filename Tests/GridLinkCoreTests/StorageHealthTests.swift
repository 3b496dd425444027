import Foundation
import GridLinkCore
import Testing

/// The storage health machine: one transition on entering, none while it stays, one on recovering;
/// retry deadlines double up to the cap.
@Suite struct StorageHealthTests {
    let s: UInt64 = 1_000_000_000

    @Test func entersOnceRetriesWithBackoffAndRecoversOnce() {
        var health = StorageHealth(initialRetryMs: 500, maxRetryMs: 2000)
        #expect(health.isHealthy)
        #expect(health.failed(.full, error: "disk full", nowMonoNs: 10 * s, nowWallMs: 1_000) == .entered(.full))
        #expect(health.condition == .full)
        #expect(health.error == "disk full")
        #expect(health.sinceWallMs == 1_000)
        #expect(health.retryAtMonoNs == 10 * s + 500_000_000)
        #expect(!health.retryDue(nowMonoNs: 10 * s + 499_999_999))
        #expect(health.retryDue(nowMonoNs: 10 * s + 500_000_000))
        // Staying full: no new transition (no second log line), backoff doubles, `since` stays.
        #expect(health.failed(.full, error: "disk full", nowMonoNs: 11 * s, nowWallMs: 2_000) == nil)
        #expect(health.retryAtMonoNs == 12 * s)
        #expect(health.failed(.full, error: "disk full", nowMonoNs: 12 * s, nowWallMs: 3_000) == nil)
        #expect(health.retryAtMonoNs == 14 * s)
        #expect(health.failed(.full, error: "disk full", nowMonoNs: 14 * s, nowWallMs: 4_000) == nil)
        #expect(health.retryAtMonoNs == 16 * s, "capped at maxRetryMs")
        #expect(health.sinceWallMs == 1_000)
        #expect(health.succeeded(nowMonoNs: 17 * s) == .recovered(from: .full, afterMs: 7_000))
        #expect(health.isHealthy)
        #expect(health.error == nil && health.sinceWallMs == nil && health.retryAtMonoNs == nil)
        #expect(health.succeeded(nowMonoNs: 18 * s) == nil, "already healthy: nothing to log")
        #expect(health.failed(.full, error: "again", nowMonoNs: 19 * s, nowWallMs: 9_000) == .entered(.full))
        #expect(health.retryAtMonoNs == 19 * s + 500_000_000, "backoff starts over after a success")
    }

    @Test func aDifferentFaultIsAChangeWithANewSince() {
        var health = StorageHealth()
        health.failed(.full, error: "full", nowMonoNs: 1, nowWallMs: 100)
        #expect(health.failed(.readOnly, error: "EROFS", nowMonoNs: 2, nowWallMs: 200) == .changed(from: .full, to: .readOnly))
        #expect(health.sinceWallMs == 200)
        #expect(health.error == "EROFS")
    }

    @Test func reportCarriesConditionErrorSinceAndQuarantines() throws {
        var health = StorageHealth()
        health.failed(.ioError, error: "I/O error", nowMonoNs: 1, nowWallMs: 1_700_000_000_000)
        let record = QuarantineRecord(reason: "torn_wal", detail: "d", atWallMs: 5, files: [], rowsSalvaged: 3, rowsLost: 0,
                                      seqSkippedFrom: 10, seqSkippedTo: 1009, methods: "none")
        let report = StorageReport(health, quarantines: [record])
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains(#""condition":"io_error""#))
        #expect(json.contains(#""since_wall_ms":1700000000000"#))
        #expect(json.contains(#""seq_skipped_from":10"#))
        #expect(try JSONDecoder().decode(StorageReport.self, from: Data(json.utf8)) == report)
    }
}
