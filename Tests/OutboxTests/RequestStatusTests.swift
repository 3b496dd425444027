import GridLinkCore
import Outbox
import SQLite
import Testing

/// The persisted request status (`request_status` table) behind the kiosk's LEDs.
@Suite struct RequestStatusTests {
    @Test func progress_is_persisted_per_request_with_times_and_survives_reopening() throws {
        let directory = try TempDirectory()
        do {
            let outbox = try Fixture.open(directory)
            try outbox.recordRequestReceived(id: "a", seq: 1, wallMs: 1_000)
            try outbox.recordRequestReceived(id: "b", seq: 2, wallMs: 2_000)
            #expect(try outbox.recordRequestAck(id: "b", progress: .accepted, wallMs: 3_000))
            #expect(try outbox.recordRequestAck(id: "b", progress: .done, wallMs: 4_000))
            #expect(try outbox.recordRequestAck(id: "b", progress: .accepted, wallMs: 5_000) == false, "never backwards")
            #expect(try outbox.recordRequestAck(id: "unknown", progress: .done, wallMs: 5_000) == false)
            outbox.close()
        }
        let reopened = try Fixture.open(directory)
        let records = try reopened.requestStatuses()
        #expect(records == [
            RequestStatusRecord(id: "a", seq: 1, progress: .received, receivedWallMs: 1_000, acceptedWallMs: nil, doneWallMs: nil, rejectedWallMs: nil, changedWallMs: 1_000),
            RequestStatusRecord(id: "b", seq: 2, progress: .done, receivedWallMs: 2_000, acceptedWallMs: 3_000, doneWallMs: 4_000, rejectedWallMs: nil, changedWallMs: 4_000),
        ])
        try reopened.pruneRequestStatus(finishedBeforeMs: 4_001)
        #expect(try reopened.requestStatuses().map(\.id) == ["a"], "finished and cleared: pruned; open: kept")
    }

    @Test func an_outbox_from_an_older_build_gains_the_table_and_keeps_its_events() throws {
        let directory = try TempDirectory()
        do {
            let outbox = try Fixture.open(directory)
            _ = try outbox.append([Fixture.event(1)], storedWallMs: 1, storedMonoNs: 1)
            outbox.close()
        }
        // Drop the table, as a file written before it existed.
        let db = try SQLiteConnection(path: directory.database, busyTimeoutMs: 1000)
        _ = try db.execute("DROP TABLE request_status")
        db.close()
        let reopened = try Fixture.open(directory)
        #expect(try reopened.requestStatuses().isEmpty)
        try reopened.recordRequestReceived(id: "x", seq: 2, wallMs: 5)
        #expect(try reopened.all().count == 1)
        #expect(try reopened.requestStatuses().map(\.id) == ["x"])
    }
}
