import GridLinkCore
import Technician
import Testing

/// `gridlinkctl check`'s outbox line: the daemon's storage health first, then uncleared quarantines.
@Suite struct OutboxHealthCheckTests {
    let record = QuarantineRecord(reason: "not_a_database", detail: "SQLITE_NOTADB", atWallMs: 1, files: ["/s/outbox.sqlite.quarantined-20261202T130501Z"],
                                  rowsSalvaged: 2000, rowsLost: 0, seqSkippedFrom: 2001, seqSkippedTo: 3000, methods: "page_scan=2000 row_by_row=0")

    @Test func degradedStorageFailsWithTheFix() {
        let item = OutboxHealthCheck.check(storage: StorageReport(condition: .full, error: "disk full (SQLITE_FULL)", sinceWallMs: 5, quarantines: []), quarantines: [])
        #expect(item.status == .fail)
        #expect(item.message == "storage is full: presses are refused ('cannot store'): disk full (SQLITE_FULL)")
        #expect(item.fix == "free space on the state directory's file system; gridlinkd resumes storing by itself")
    }

    @Test func anUnclearedQuarantineWarnsUntilCleared() {
        let item = OutboxHealthCheck.check(storage: StorageReport(condition: .ok, error: nil, sinceWallMs: nil, quarantines: [record]), quarantines: [record])
        #expect(item.status == .warn)
        #expect(item.message == "1 outbox quarantine(s) not cleared; last: not_a_database, 2000 rows salvaged, at most 0 lost, seqs 2001–3000 skipped, kept as /s/outbox.sqlite.quarantined-20261202T130501Z")
        #expect(item.fix?.contains("gridlinkctl store clear-quarantine") == true)
        #expect(OutboxHealthCheck.check(storage: StorageReport(condition: .ok, error: nil, sinceWallMs: nil, quarantines: []), quarantines: []).status == .ok)
    }
}
