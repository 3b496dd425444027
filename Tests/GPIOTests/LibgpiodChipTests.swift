import GridLinkCore
import Testing
import GPIO

/// The libgpiod backend on the build machine, which has no GPIO chip: the failure a technician
/// sees for a wrong `gpio.chip`. The real edge path runs in tools/vm-gpio-test (gpio-sim in qemu).
@Suite struct LibgpiodChipTests {
    @Test func aMissingChipIsOneClearError() {
        do {
            _ = try LibgpiodChip(spec: "no-such-chip-label")
            Issue.record("opened a chip that does not exist")
        } catch {
            #expect(error.chip == "no-such-chip-label")
            #expect(error.operation == "open")
            #expect(error.description.contains("no such chip"))
            #expect(error.description.contains("gpiodetect"))
        }
    }

    @Test func theBackendNamesTheLibgpiodAPIItWasBuiltFor() {
        let backend = LibgpiodChip.backend
        #expect(backend.hasPrefix("libgpiod "))
        #expect(backend.hasSuffix("(v1 API)") || backend.hasSuffix("(v2 API)"))
    }
}
