import Foundation
import GridLinkCore
import Outbox
import Testing

@Suite("crash durability")
struct CrashTests {
    /// The helper executable sits next to the test bundle in the build products directory.
    static func helperPath() throws -> String {
        let products = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent()
        let helper = products.appendingPathComponent("outbox-crash-helper").path
        try #require(FileManager.default.isExecutableFile(atPath: helper), "build it first: swift build (looked for \(helper))")
        return helper
    }

    @Test("kill -9 during appends (single events, group commits of 16) loses no seq the child reported stored",
          .timeLimit(.minutes(1)), arguments: [1, 16])
    func sigkillMidStream(batch: Int) throws {
        let directory = try TempDirectory()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try Self.helperPath())
        child.arguments = [directory.database, String(batch)]
        let stdout = Pipe()
        child.standardOutput = stdout
        try child.run()

        var text = ""
        let reader = stdout.fileHandleForReading
        while text.split(separator: "\n").count < 300 {
            let chunk = reader.availableData
            if chunk.isEmpty { break }  // EOF: the child died on its own
            text += String(decoding: chunk, as: UTF8.self)
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        text += String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self)
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(child.terminationStatus == SIGKILL)

        // Only whole lines were reported stored.
        let printed = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { UInt64($0) }
        #expect(printed.count >= 300)
        #expect(printed == Array(1...UInt64(printed.count)))

        let outbox = try Outbox(path: directory.database, site: "crash-site", device: "crash-device")
        let rows = try outbox.all()
        let seqs = rows.map(\.seq).sorted()
        #expect(Set(printed).isSubset(of: Set(seqs)))
        // No gaps; a batch is stored whole or not at all; at most the append in flight at the kill (and the
        // unprinted rest of the last batch) committed without being printed.
        #expect(seqs == Array(1...UInt64(seqs.count)))
        #expect(seqs.count % batch == 0)
        #expect(seqs.count - printed.count <= 2 * batch - 1)
        // A kill between the two writes of a WAL frame leaves the WAL ending mid-frame: the outbox
        // then skips the reserved seq block (it cannot tell that from a torn commit), never reuses.
        if let skipped = outbox.skippedOnOpen { #expect(skipped.lowerBound == UInt64(seqs.count) + 1) }
        let next = outbox.skippedOnOpen.map { $0.upperBound + 1 } ?? UInt64(seqs.count) + 1
        #expect(try outbox.stats().nextSeq == next)
        for row in rows {
            let event = try Event.decode(row.payload)
            #expect(event.seq == row.seq && event.id == row.id && event.device == "crash-device")
        }
        #expect(try outbox.append([Fixture.event(1)], storedWallMs: 1, storedMonoNs: 1).map(\.seq) == [next])
    }
}
