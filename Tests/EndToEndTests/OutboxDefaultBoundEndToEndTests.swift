import Foundation
import TestSupport
import Testing

/// The built-in outbox bound, as the real gridlinkd applies and reports it.
@Suite(.serialized) struct OutboxDefaultBoundEndToEndTests {
    @Test func a_profile_without_an_outbox_section_is_bounded_by_its_filesystem_and_explicit_settings_win() throws {
        let dir = TestDirectory()
        // The filesystem size, read here independently of the daemon (Foundation, not statvfs).
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: dir.path)
        let size = try #require((attributes[.systemSize] as? NSNumber)?.uint64Value)
        let expected = Int(min(max(size / 64, 8 << 20), 256 << 20))

        let bare = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: 1)
        try bare.start()
        let bound = try #require(try bare.status()["outboxBound"] as? [String: Any])
        #expect(bound["source"] as? String == "filesystem_default")
        #expect(bound["maxBytes"] as? Int == expected, "filesystem \(size) B")
        #expect((bound["filesystemBytes"] as? NSNumber)?.uint64Value == size)
        let text = try bare.ctl(["status"])
        #expect(text.stdout.contains("bound      max_bytes \(expected >> 20) MiB (\(expected)) — default: 1/64 of the"), "\(text.stdout)")
        #expect(bare.terminate() == 0)

        let explicitDir = TestDirectory()
        let explicit = DaemonProcess(configPath: try writeDeliveryProfile(in: explicitDir, tables: "[outbox]\nmax_bytes = 0\nmax_rows = 50"),
                                     stateDir: explicitDir.path, brokerPort: 1)
        try explicit.start()
        let configured = try #require(try explicit.status()["outboxBound"] as? [String: Any])
        #expect(configured["source"] as? String == "configured")
        #expect(configured["maxBytes"] as? Int == 0, "explicitly unlimited wins over the default")
        #expect(configured["maxRows"] as? Int == 50)
        #expect(explicit.terminate() == 0)
        print("measured: default outbox bound on this test filesystem (\(size) B): \(expected) B")
    }
}
