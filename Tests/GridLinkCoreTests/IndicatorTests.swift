import GridLinkCore
import Testing

@Suite struct IndicatorTests {
    @Test func everySituationLooksDifferent() {
        let situations: [(FeedbackState, Bool, Bool)] = [
            (.idle, true, false), (.received, true, false), (.accepted, true, false), (.done, true, false),
            (.rejected, true, false), (.received, false, false), (.idle, false, false), (.received, true, true),
        ]
        let looks = situations.map { IndicatorPlan.patterns(state: $0.0, online: $0.1, cannotStore: $0.2) }
        for i in looks.indices {
            for j in looks.indices where j > i {
                let kioskOnly = { (p: [String: LedPattern]) in p.filter { $0.key != "status" } }
                #expect(kioskOnly(looks[i]) != kioskOnly(looks[j]), "\(situations[i]) and \(situations[j]) look the same on a 3-LED kiosk")
            }
        }
    }

    @Test func receivedIsSteadyAndCannotStoreBlinksEverything() {
        #expect(IndicatorPlan.patterns(state: .received, online: true, cannotStore: false)
            == ["received": .on, "accepted": .off, "done": .off, "status": .on])
        let full = IndicatorPlan.patterns(state: .done, online: false, cannotStore: true)
        #expect(Set(full.values) == [.blink(periodMs: 250)])
    }

    @Test func offlineKeepsTheReceivedLightSteadyBecauseThePressIsStored() {
        let offline = IndicatorPlan.patterns(state: .received, online: false, cannotStore: false)
        #expect(offline["received"] == .on)
        #expect(offline["accepted"] == .blink(periodMs: 2000))
    }

    @Test func blinkLevelsAndDeadlines() {
        let blink = LedPattern.blink(periodMs: 250)
        #expect(blink.level(at: 0))
        #expect(!blink.level(at: 125_000_000))
        #expect(blink.nextChange(after: 10) == 125_000_000)
        #expect(LedPattern.on.nextChange(after: 10) == nil)
    }

    @Test func buzzerChirpsOnceAndBeepsThreeTimesOnError() {
        var buzzer = BuzzerMachine()
        buzzer.start(.received, at: 1_000_000_000)
        #expect(buzzer.level(at: 1_000_000_000))
        #expect(!buzzer.level(at: 1_080_000_000))
        #expect(buzzer.nextDeadline(after: 1_000_000_000) == 1_080_000_000)
        buzzer.start(.error, at: 0)
        let samples = stride(from: UInt64(0), to: 600_000_000, by: 50_000_000).map { buzzer.level(at: $0) }
        #expect(samples == [true, true, false, false, true, true, false, false, true, true, false, false])
        #expect(buzzer.nextDeadline(after: 500_000_000) == nil)
    }
}
