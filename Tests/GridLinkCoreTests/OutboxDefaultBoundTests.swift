import GridLinkCore
import Testing

/// The built-in outbox bound for profiles without `[outbox] max_bytes` (docs/config.md).
struct OutboxDefaultBoundTests {
    @Test func a_16_gb_card_gets_a_64th_of_it_and_small_and_large_cards_the_floor_and_cap() {
        #expect(OutboxDefaultBound.maxBytes(filesystemBytes: 16_000_000_000) == 250_000_000)
        #expect(OutboxDefaultBound.maxBytes(filesystemBytes: 4_000_000_000) == 62_500_000)
        #expect(OutboxDefaultBound.maxBytes(filesystemBytes: 32_000_000_000) == 256 << 20)
        #expect(OutboxDefaultBound.maxBytes(filesystemBytes: 128_000_000_000) == 256 << 20)
        #expect(OutboxDefaultBound.maxBytes(filesystemBytes: 100_000_000) == 8 << 20)
        #expect(OutboxDefaultBound.maxBytes(filesystemBytes: nil) == 8 << 20)
        #expect(OutboxDefaultBound.maxBytes(filesystemBytes: 0) == 8 << 20)
    }

    @Test func a_profile_without_max_bytes_is_bounded_by_the_default() {
        let bound = OutboxDefaultBound.effective(configured: OutboxLimits(), maxBytesConfigured: false, filesystemBytes: 16_000_000_000)
        #expect(bound == EffectiveOutboxBound(limits: OutboxLimits(maxRows: 0, maxBytes: 250_000_000), source: .filesystemDefault, filesystemBytes: 16_000_000_000))
        #expect(!bound.limits.isUnlimited)
        let unknown = OutboxDefaultBound.effective(configured: OutboxLimits(maxRows: 500), maxBytesConfigured: false, filesystemBytes: nil)
        #expect(unknown.limits == OutboxLimits(maxRows: 500, maxBytes: 8 << 20))
        #expect(unknown.source == .floorDefault)
    }

    @Test func explicit_settings_win_including_explicitly_unlimited() {
        let unlimited = OutboxDefaultBound.effective(configured: OutboxLimits(maxRows: 0, maxBytes: 0), maxBytesConfigured: true, filesystemBytes: 16_000_000_000)
        #expect(unlimited.limits.isUnlimited)
        #expect(unlimited.source == .configured)
        let set = OutboxDefaultBound.effective(configured: OutboxLimits(maxRows: 100, maxBytes: 1 << 30), maxBytesConfigured: true, filesystemBytes: 4_000_000_000)
        #expect(set.limits == OutboxLimits(maxRows: 100, maxBytes: 1 << 30))
    }
}
