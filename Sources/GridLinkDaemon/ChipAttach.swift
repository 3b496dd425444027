import GPIO
import GridLinkCore
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The chip the profile names, with the kiosk's LEDs requested as outputs and its buttons
/// requested as inputs; edges wait in `edges` until the input pipeline is connected.
struct AttachedChip {
    let chip: any GPIOChip
    let buttons: [(ButtonConfig, offset: Int)]
    let leds: [String: Int]
    /// The gate's inputs (gate profile): name, config and offset.
    let gateLines: [(name: String, input: GateInputConfig, offset: Int)]
    let edges: EdgeForwarder
}

/// Hands edges to the input pipeline once it exists (edges before that — the first
/// milliseconds after the request — are dropped; the button machines start from "released").
final class EdgeForwarder: Sendable {
    private let target = Mutex<(@Sendable (EdgeEvent) -> Void)?>(nil)
    func connect(_ handler: @escaping @Sendable (EdgeEvent) -> Void) { target.withLock { $0 = handler } }
    func deliver(_ edge: EdgeEvent) { target.withLock { $0 }?(edge) }
}

/// Opens `gpio.chip` and requests the lines. The simulated chip either works or the profile is
/// wrong (one attempt). A real chip may be missing (driver not loaded yet, overlay not applied)
/// or a line may be held by another program: then one log line names chip, line and consumer,
/// and the attempt repeats every `retrySeconds` — the daemon waits instead of crash-looping.
public enum ChipAttach {
    public static let retrySeconds: UInt32 = 5
    static let consumer = "gridlinkd"

    /// - Parameter waiting: told before every retry wait, with the problem (for systemd's STATUS).
    static func attach(config: DeviceConfig, logger: Logger, waiting: @Sendable (String) -> Void = { _ in }) throws(DaemonError) -> AttachedChip {
        if config.gpio.isSimulated {
            do {
                return try request(SimulatedChip.forConfig(config), config: config)
            } catch {
                throw DaemonError("\(error)")
            }
        }
        var attempt = 0
        var lastMessage = ""
        while true {
            attempt += 1
            do {
                let chip = try LibgpiodChip(spec: config.gpio.chip) { problem in logger.warning("\(problem)") }
                do {
                    let attached = try request(chip, config: config)
                    logger.info("gpio: \(chip.label) via \(LibgpiodChip.backend); \(attached.buttons.count) button(s), \(attached.leds.count) LED(s)")
                    return attached
                } catch {
                    chip.close()
                    throw error
                }
            } catch {
                // One line per distinct problem; the same problem again only once a minute.
                let message = "\(error)"
                if message != lastMessage || attempt % 12 == 0 {
                    logger.error("\(message) — retrying every \(retrySeconds) s (attempt \(attempt))")
                    lastMessage = message
                }
                waiting("waiting for GPIO chip \(config.gpio.chip): \(message)")
                sleep(retrySeconds)
            }
        }
    }

    private static func request(_ chip: any GPIOChip, config: DeviceConfig) throws(GPIOError) -> AttachedChip {
        let buttons = try config.buttons.map { button throws(GPIOError) in
            (button, offset: try named(chip, button.line, "button '\(button.name)'"))
        }
        var leds: [String: Int] = [:]
        for output in config.feedback.outputs {
            leds[output.name] = try named(chip, output.line, "LED '\(output.name)'")
        }
        let ledNames = leds.sorted { $0.value < $1.value }.map { "LED '\($0.key)' (line \($0.value))" }
        try naming(ledNames) { () throws(GPIOError) in try chip.requestOutputs(offsets: Array(leds.values), consumer: consumer) }
        let gateLines = try (config.gate?.inputs ?? []).map { gate throws(GPIOError) in
            (name: gate.name, input: gate.input, offset: try named(chip, gate.input.line, "gate input '\(gate.name)'"))
        }
        let edges = EdgeForwarder()
        let lines = buttons.map { InputLineRequest(offset: $0.offset, bias: $0.0.bias, activeLow: $0.0.activeLow) }
            + gateLines.map { InputLineRequest(offset: $0.offset, activeLow: $0.input.activeLow) }
        let owners = buttons.map { "button '\($0.0.name)' (line \($0.offset))" } + gateLines.map { "gate input '\($0.name)' (line \($0.offset))" }
        try naming(owners) { () throws(GPIOError) in
            try chip.watchInputs(lines, consumer: consumer) { edge in edges.deliver(edge) }
        }
        return AttachedChip(chip: chip, buttons: buttons, leds: leds, gateLines: gateLines, edges: edges)
    }

    /// Runs a line request; a failure names what the lines are for ("button 'repair' (line 1)").
    private static func naming(_ what: [String], _ body: () throws(GPIOError) -> Void) throws(GPIOError) {
        do {
            try body()
        } catch {
            throw GPIOError(chip: error.chip, operation: "request " + what.joined(separator: ", "), detail: error.detail)
        }
    }

    private static func named(_ chip: any GPIOChip, _ line: LineRef, _ owner: String) throws(GPIOError) -> Int {
        do {
            return try chip.resolve(line)
        } catch {
            throw GPIOError(chip: error.chip, operation: "\(owner): \(error.operation)", detail: error.detail)
        }
    }
}
