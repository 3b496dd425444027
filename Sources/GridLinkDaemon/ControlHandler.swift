import Control
import Dispatch
import GPIO
import GridLinkCore
import Outbox

/// Answers control-socket requests from `gridlinkctl`: status, outbox listing and, on the
/// simulated chip only, presses that travel the same path as a real edge.
struct ControlHandler: Sendable {
    let config: DeviceConfig
    let outbox: OutboxQueue
    let uplink: Uplink
    let feedback: FeedbackController
    let pipeline: InputPipeline
    let chip: any GPIOChip
    let ledOffsets: [String: Int]
    let buttonOffsets: [String: Int]
    /// Gate input name → offset and active-low.
    let gateInputs: [String: (offset: Int, activeLow: Bool)]
    let startedMonoNs: UInt64
    /// The outbox bound in force (profile or built-in default), reported by status.
    let outboxBound: EffectiveOutboxBound

    func handle(_ request: ControlRequest, reply: @escaping @Sendable (ControlResponse) -> Void) {
        switch request {
        case .status:
            reply(status())
        case .outbox(let limit):
            reply(outboxListing(limit: limit, tail: false))
        case .outboxTail(let limit):
            reply(outboxListing(limit: limit, tail: true))
        case .simPress(let button, let long, let holdMs):
            simPress(button: button, long: long, holdMs: holdMs, reply: reply)
        case .simDoublePress(let button):
            simPress(button: button, long: false, holdMs: nil, double: true, reply: reply)
        case .simGate(let input, let active):
            reply(simGate(input: input, active: active))
        case .simEvent(let kind, let count):
            simEvent(kind: EventKind(rawValue: kind), count: count, reply: reply)
        case .clearQuarantine:
            let cleared = outbox.clearQuarantine()
            reply(.ok(message: cleared == 0 ? "no quarantine recorded" : "cleared \(cleared) quarantine record(s); the kept files stay in \(config.paths.stateDir) until you delete them"))
        }
    }

    private func summary() throws -> OutboxSummary {
        // While storage is degraded the outbox may be closed: show an empty summary, not a failure.
        let stats: OutboxStats
        do {
            stats = try outbox.sync { try $0.stats() }
        } catch {
            guard !outbox.storageHealth.isHealthy else { throw error }
            stats = OutboxStats(depth: [:], total: 0, oldestStoredWallMs: [:], oldestStoredMonoNs: nil, nextSeq: 0)
        }
        let nowMs = HostClock.wallMs()
        let oldest = stats.oldestStoredWallMs.values.min().map { Double(max(0, nowMs - $0)) / 1000 }
        let byClass = Dictionary(uniqueKeysWithValues: EventClass.allCases.map { ($0.rawValue, stats.depth[$0] ?? 0) })
        return OutboxSummary(total: stats.total, byClass: byClass, oldestAgeS: oldest, nextSeq: stats.nextSeq, inflight: uplink.currentStats.inflight)
    }

    private func status() -> ControlResponse {
        do {
            let uplinkStats = uplink.currentStats
            let now = HostClock.monotonicNs()
            var report = StatusReport(
                site: config.site, device: config.device, profile: config.profile, version: GridLinkVersion.current,
                broker: uplinkStats.broker.isEmpty ? "\(config.broker.host):\(config.broker.port)" : uplinkStats.broker, connected: uplinkStats.connected,
                outbox: try summary(),
                lastPubackAgeS: uplinkStats.lastPubackMonoNs.map { Double(now - $0) / 1e9 },
                feedback: feedback.state, leds: ledLevels(), ledPatterns: feedback.patterns,
                counters: [
                    "published": uplinkStats.published, "acknowledged": uplinkStats.acknowledged,
                    "connects": uplinkStats.reconnects, "downlink_ignored": uplinkStats.downlinkIgnored,
                    "telemetry_sent": uplinkStats.telemetrySent, "commands_answered": uplinkStats.commandsAnswered,
                    "overflow_reports": uplinkStats.overflowReports,
                ].merging(outbox.dropsSinceStart.mapValues { Int($0) }) { a, _ in a },
                uptimeS: Double(now - startedMonoNs) / 1e9,
                brokerSilentS: uplinkStats.brokerSilentMs.map { Double($0) / 1000 }, storage: outbox.storageReport)
            report.outboxBound = OutboxBoundReport(outboxBound)
            return .status(report)
        } catch {
            return .failed(message: "cannot read the outbox: \(error)")
        }
    }

    private func outboxListing(limit: Int, tail: Bool) -> ControlResponse {
        do {
            let summary = try summary()
            let nowMs = HostClock.wallMs()
            let all = try outbox.sync { try $0.all() }
            let rows = (tail ? Array(all.suffix(max(0, limit))) : Array(all.prefix(max(0, limit)))).map {
                OutboxReport.Row(seq: $0.seq, id: $0.id, eventClass: $0.eventClass.rawValue, kind: $0.kind.rawValue,
                                 ageS: Double(max(0, nowMs - $0.storedWallMs)) / 1000)
            }
            return .outbox(OutboxReport(summary: summary, rows: Array(rows)))
        } catch {
            return .failed(message: "cannot read the outbox: \(error)")
        }
    }

    /// The LED outputs as the chip reports them (read back, not what we meant to set).
    private func ledLevels() -> [String: Bool] {
        guard let sim = chip as? SimulatedChip else { return feedback.leds }
        return ledOffsets.filter { $0.key != "buzzer" }.mapValues { sim.level(offset: $0) }
    }

    private func simGate(input: String, active: Bool) -> ControlResponse {
        guard let sim = chip as? SimulatedChip else {
            return .failed(message: "sim gate works only when the profile uses chip = \"sim\"; this device uses \(config.gpio.chip)")
        }
        guard let line = gateInputs[input] else {
            let names = gateInputs.keys.sorted().joined(separator: ", ")
            return .failed(message: gateInputs.isEmpty ? "this profile has no gate inputs" : "no gate input '\(input)'; this profile has: \(names)")
        }
        sim.drive(offset: line.offset, high: active != line.activeLow)
        return .ok(message: "\(input) \(active ? "active" : "inactive")")
    }

    private func simPress(button: String, long: Bool, holdMs: Int?, double: Bool = false, reply: @escaping @Sendable (ControlResponse) -> Void) {
        guard let sim = chip as? SimulatedChip else {
            return reply(.failed(message: "sim press works only when the profile uses chip = \"sim\"; this device uses \(config.gpio.chip)"))
        }
        guard let offset = buttonOffsets[button], let buttonConfig = config.buttons.first(where: { $0.name == button }) else {
            let names = config.buttons.map(\.name).joined(separator: ", ")
            return reply(.failed(message: "no button '\(button)'; this profile has: \(names)"))
        }
        if double && config.gpio.doublePressMs <= 4 * config.gpio.debounceMs {
            return reply(.failed(message: "a double press needs gpio.double_press_ms (now \(config.gpio.doublePressMs)) longer than 4 × debounce_ms (\(config.gpio.debounceMs))"))
        }
        let hold = holdMs ?? (long ? config.gpio.longPressMs + 2 * config.gpio.debounceMs + 50 : max(3 * config.gpio.debounceMs, 40))
        let ledOffsets = ledOffsets
        pipeline.awaitPress(button: button, timeoutMs: hold + 2 * config.gpio.debounceMs + 5000) { response in
            guard case .pressed(var report) = response else { return reply(response) }
            report.leds = ledOffsets.filter { $0.key != "buzzer" }.mapValues { sim.level(offset: $0) }
            reply(.pressed(report))
        }
        let pressedLevel = !buttonConfig.activeLow
        sim.drive(offset: offset, high: pressedLevel)
        // A double press: the second press starts a quarter window after the first release (past
        // the settle time, checked above), each step timed from the one before, so a slow host
        // stretches the steps but not the gap.
        let gap = config.gpio.doublePressMs / 4
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(hold)) {
            sim.drive(offset: offset, high: !pressedLevel)
            guard double else { return }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(gap)) {
                sim.drive(offset: offset, high: pressedLevel)
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(hold)) {
                    sim.drive(offset: offset, high: !pressedLevel)
                }
            }
        }
    }

    private func simEvent(kind: EventKind, count: Int, reply: @escaping @Sendable (ControlResponse) -> Void) {
        guard chip is SimulatedChip else {
            return reply(.failed(message: "sim event works only when the profile uses chip = \"sim\"; this device uses \(config.gpio.chip)"))
        }
        guard InputPipeline.simulatedKinds.contains(kind) else {
            let kinds = InputPipeline.simulatedKinds.map(\.rawValue).joined(separator: ", ")
            return reply(.failed(message: "sim event cannot record '\(kind)'; use one of: \(kinds) (requests come from sim press)"))
        }
        guard (1...1_000_000).contains(count) else { return reply(.failed(message: "--count \(count) is out of range; use 1–1000000")) }
        pipeline.recordSimulated(kind: kind, count: count, reply: reply)
    }
}
