import ArgumentParser
import Control

/// `gridlinkctl sim …`: drive the simulated chip (profiles with gpio.chip = "sim" only).
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Drive the simulated chip, through the same path a real edge takes.", subcommands: [Press.self, Gate.self, EventCommand.self])

    /// `gridlinkctl sim press BUTTON [--long]`: exits 0 only once the press is committed.
    struct Press: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Press a button; returns once the resulting event is stored (exit 0) or says why not (exit 1).")
        @OptionGroup var device: DeviceOptions
        @Argument(help: "The button's name in the profile (e.g. proxy, repair).") var button: String
        @Flag(help: "Hold past long_press_ms.") var long = false
        @Option(name: .customLong("hold-ms"), help: "Hold for exactly this long instead.") var holdMs: Int?
        @Flag(help: "Press twice within gpio.double_press_ms: one double press.") var double = false
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() throws {
            if double && (long || holdMs != nil) { throw ValidationError("--double cannot be combined with --long or --hold-ms") }
            let response = try device.send(double ? .simDoublePress(button: button) : .simPress(button: button, long: long, holdMs: holdMs))
            guard case .pressed(let report) = response else { try fail(response) }
            if json { return printJSON(report) }
            let leds = report.leds.keys.sorted().map { "\($0)=\(report.leds[$0]! ? "on" : "off")" }.joined(separator: " ")
            print("stored seq \(report.seq) \(report.kind) (\(report.press.rawValue)) id \(report.id) \(report.storedAfterUs) µs after the edge; LEDs \(leds)")
        }
    }

    /// `gridlinkctl sim gate INPUT open|close`: moves a simulated gate input.
    struct Gate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a simulated gate input: door open|close, release on|off, exit_request press|release.")
        @OptionGroup var device: DeviceOptions
        @Argument(help: "door, release or exit_request.") var input: String
        @Argument(help: "open/on/press (active) or close/off/release (inactive).") var state: String

        func validate() throws {
            guard Self.active(state) != nil else { throw ValidationError("state must be open, close, on, off, press or release") }
        }

        static func active(_ word: String) -> Bool? {
            switch word {
            case "open", "on", "press": true
            case "close", "off", "release": false
            default: nil
            }
        }

        func run() throws {
            let response = try device.send(.simGate(input: input, active: Self.active(state) ?? false))
            guard case .ok(let message) = response else { try fail(response) }
            print(message)
        }
    }

    /// `gridlinkctl sim event KIND [--count N]`: records gate/fault events through the outbox path.
    struct EventCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "event", abstract: "Record N gate or fault events (gate.entry, gate.forced_open, …); exit 0 only if every one was stored.")
        @OptionGroup var device: DeviceOptions
        @Argument(help: "The event kind, e.g. gate.entry (routine) or gate.forced_open (alarm).") var kind: String
        @Option(help: "How many.") var count = 1
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() throws {
            let response = try device.send(.simEvent(kind: kind, count: count), timeoutSeconds: 300)
            guard case .eventsRecorded(let report) = response else { try fail(response) }
            if json { printJSON(report) } else {
                let range = report.firstSeq.map { " (seq \($0)–\(report.lastSeq ?? $0))" } ?? ""
                print("stored \(report.stored) \(report.kind)\(range), refused \(report.refused)")
            }
            if report.refused > 0 {
                printError("cannot store: \(report.refused) of \(count) \(report.kind) event(s) refused, the outbox is full")
                throw Exit.failed
            }
        }
    }
}
