import GridLinkCore
import Testing

/// A seeded generator so id tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct UUIDv7Tests {
    @Test func layoutCarriesVersionVariantAndMillis() {
        var random = SplitMix64(state: 1)
        let id = UUIDv7(unixMillis: 1_795_421_702_113, counter: 0, random: &random)
        #expect(id.version == 7)
        #expect(id.bytes[8] >> 6 == 0b10, "RFC 9562 variant")
        #expect(id.unixMillis == 1_795_421_702_113)
        let text = id.description
        #expect(text.count == 36)
        #expect(text.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(text.dropFirst(14).first == "7")
    }

    @Test func idsMadeInOneMillisecondStillSortInCreationOrder() {
        var generator = UUIDv7Generator()
        var random = SplitMix64(state: 7)
        let ids = (0..<5000).map { _ in generator.next(unixMillis: 1_000, random: &random) }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(ids.map(\.description) == ids.map(\.description).sorted(), "string order matches byte order")
    }

    @Test func aClockSteppingBackwardsDoesNotReorderIds() {
        var generator = UUIDv7Generator()
        var random = SplitMix64(state: 9)
        let first = generator.next(unixMillis: 5_000, random: &random)
        let afterStepBack = generator.next(unixMillis: 4_000, random: &random)
        let later = generator.next(unixMillis: 6_000, random: &random)
        #expect(first < afterStepBack)
        #expect(afterStepBack < later)
    }
}
