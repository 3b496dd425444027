import Control
import GPIO
import GridLinkCore
import Logging
import Outbox
#if canImport(Glibc)
import Glibc
#endif

/// Why the daemon could not start; one line that says what to do.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// gridlinkd's parts wired together: chip → input pipeline → outbox → uplink → broker, acks →
/// feedback LEDs, and the control socket. `start` brings them up in dependency order, `stop`
/// takes them down in reverse and drains what it can.
public final class Daemon: Sendable {
    public let config: DeviceConfig
    let logger: Logger
    let outbox: OutboxQueue
    private let chip: any GPIOChip
    private let feedback: FeedbackController
    let uplink: Uplink
    let pipeline: InputPipeline
    let gatePipeline: GatePipeline?
    private let control: ControlServer
    /// Fired when the broker connects or disconnects and when an event is stored (the status line).
    public let stateChanged: StateChangeSignal

    /// - Parameters:
    ///   - waitingForChip: told each time a missing chip or busy line makes start-up wait.
    ///   - chipAttached: told once the chip is attached, just before the control socket is bound
    ///     (whoever answered on that socket while start-up waited must let go of it now).
    public init(config: DeviceConfig, logger: Logger, waitingForChip: @Sendable (String) -> Void = { _ in },
                chipAttached: () -> Void = {}) throws(DaemonError) {
        self.config = config
        self.logger = logger
        let stateChanged = StateChangeSignal()
        self.stateChanged = stateChanged
        let clock = HostClock()

        if mkdir(config.paths.stateDir, 0o750) != 0 && errno != EEXIST {
            throw DaemonError("state directory \(config.paths.stateDir): \(String(cString: strerror(errno))); create it or fix paths.state_dir")
        }
        let outboxBound = StateFilesystem.outboxBound(for: config)
        // Never fails: a damaged outbox is quarantined, an unwritable one is retried (StorageHealth).
        outbox = OutboxQueue(path: config.outboxPath, site: config.site, device: config.device, logger: logger, limits: outboxBound.limits)

        let attached = try ChipAttach.attach(config: config, logger: logger, waiting: waitingForChip)
        chip = attached.chip
        let buttons = attached.buttons
        let leds = attached.leds

        let requests = RequestStatusPersistence(outbox: outbox, logger: logger, doneClearMs: Int64(config.feedback.doneClearS) * 1000)
        let feedback = FeedbackController(chip: chip, outputs: leds, clock: clock, logger: logger,
                                          doneClearMs: requests.doneClearMs, restoring: requests.restore())
        self.feedback = feedback
        let uplink = Uplink(config: config, outbox: outbox, logger: logger, clock: clock, onLedTest: { feedback.ledTest() },
                            onConnectivity: { online in feedback.setOnline(online); stateChanged.fire() }) { ack in
            feedback.acknowledged(ack)
            requests.acknowledged(ack)
        }
        self.uplink = uplink
        outbox.onOverflow { uplink.overflowOccurred() }
        outbox.onRecovered { uplink.kick() }
        let pipeline = InputPipeline(buttons: buttons, gpio: config.gpio, clock: clock, outbox: outbox, logger: logger,
                                     onRefused: { kind, why, fault in if kind.eventClass == .request { feedback.refused(why: why, storageFault: fault) } }) { row in
            if row.eventClass == .request {
                feedback.stored(requestId: row.id)
                requests.received(row)
            }
            uplink.kick()
            stateChanged.fire()
        }
        self.pipeline = pipeline
        let gateLines = attached.gateLines
        let outbox = self.outbox
        let chip = self.chip
        let gatePipeline = config.gate.map { gate in
            GatePipeline(config: gate, inputs: gateLines,
                         initialLevels: Dictionary(uniqueKeysWithValues: gateLines.map { ($0.offset, (try? chip.readInput(offset: $0.offset)) ?? false) }),
                         debounceMs: config.gpio.debounceMs, clock: clock, outbox: outbox, logger: logger) { _ in uplink.kick(); stateChanged.fire() }
        }
        self.gatePipeline = gatePipeline
        let gateOffsets = Set(gateLines.map(\.offset))
        attached.edges.connect { edge in
            if gateOffsets.contains(edge.offset) { gatePipeline?.edge(edge) } else { pipeline.edge(edge) }
        }

        let handler = ControlHandler(
            config: config, outbox: outbox, uplink: uplink, feedback: feedback, pipeline: pipeline, chip: chip,
            ledOffsets: leds, buttonOffsets: Dictionary(uniqueKeysWithValues: buttons.map { ($0.0.name, $0.offset) }),
            gateInputs: Dictionary(uniqueKeysWithValues: gateLines.map { ($0.name, ($0.offset, $0.input.activeLow)) }),
            startedMonoNs: HostClock.monotonicNs(), outboxBound: outboxBound)
        chipAttached()
        do {
            control = try ControlServer(path: config.controlSocketPath) { request, reply in handler.handle(request, reply: reply) }
        } catch {
            throw DaemonError("\(error); check paths.control_socket and that its directory exists")
        }
    }

    public func start() {
        let depth = (try? outbox.sync { try $0.stats().total }) ?? 0
        logger.info("gridlinkd \(GridLinkVersion.current) starting: \(config.site)/\(config.device), profile \(config.profile), \(depth) event(s) waiting in the outbox, control socket \(control.path)")
        control.start()
        uplink.start()
        uplink.kick()
        #if DEBUG
        wedgeLoopIfAskedForTesting()
        #endif
    }

    /// Stops accepting input, lets in-flight events be acknowledged for a moment, disconnects
    /// cleanly and closes the outbox. Nothing stored is lost either way: it stays in the table.
    public func stop() {
        logger.info("gridlinkd stopping")
        control.stop()
        feedback.stop()
        chip.close()
        uplink.stop(graceMs: 2000)
        outbox.close()
        logger.info("gridlinkd stopped")
    }
}

extension SimulatedChip {
    /// A simulated chip with 32 lines (`sim0`…`sim31`) plus one extra line for every line the
    /// config names; button inputs rest at their released level.
    static func forConfig(_ config: DeviceConfig) -> SimulatedChip {
        var names = (0..<32).map { "sim\($0)" }
        let gateInputs = config.gate?.inputs.map(\.input) ?? []
        let refs = config.buttons.map(\.line) + gateInputs.map(\.line) + config.feedback.outputs.map(\.line)
        for case .name(let name) in refs where !names.contains(name) { names.append(name) }
        let activeLowLines = config.buttons.filter(\.activeLow).map(\.line) + gateInputs.filter(\.activeLow).map(\.line)
        let idleHigh = Set(activeLowLines.compactMap { line -> Int? in
            switch line {
            case .offset(let offset): offset
            case .name(let name): names.firstIndex(of: name)
            }
        })
        return SimulatedChip(label: "gpio-sim", lineNames: names, idleHigh: idleHigh) { HostClock.monotonicNs() }
    }
}
