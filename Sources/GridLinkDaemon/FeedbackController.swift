import Dispatch
import GPIO
import GridLinkCore
import Logging
import Synchronization

/// Drives the kiosk's feedback LEDs from the pure `FeedbackMachine`: "received" lights once the
/// newest request is committed, then "accepted" and "done" follow central's acks.
public final class FeedbackController: Sendable {
    private let chip: any GPIOChip
    private let outputs: [String: Int]
    private let machine = Mutex(FeedbackMachine())
    private let logger: Logger

    /// - Parameter outputs: LED name (`received`, `accepted`, `done`) → output offset, already requested.
    public init(chip: any GPIOChip, outputs: [String: Int], logger: Logger) {
        self.chip = chip
        self.outputs = outputs
        self.logger = logger
    }

    /// A request was committed: light "received" for it.
    public func stored(requestId: String) {
        let leds = machine.withLock { machine -> [String: Bool] in
            machine.stored(requestId: requestId)
            return machine.leds
        }
        apply(leds)
    }

    /// An ack from central; moves the LEDs if it is for the newest request.
    public func acknowledged(_ ack: DownlinkAck) {
        let leds = machine.withLock { machine -> [String: Bool]? in
            machine.acknowledged(ack) ? machine.leds : nil
        }
        if let leds {
            logger.info("feedback: request \(ack.id) \(ack.status.rawValue)")
            apply(leds)
        }
    }

    /// The press was refused (outbox full): show "cannot store".
    public func refused() {
        let leds = machine.withLock { machine -> [String: Bool] in
            machine.refused()
            return machine.leds
        }
        logger.warning("feedback: press refused, outbox full — showing 'cannot store'")
        apply(leds)
    }

    /// How long `ledTest` keeps every LED lit.
    public static let ledTestMs = 1000

    /// Lights every LED for `ledTestMs`, then shows the machine's state again.
    public func ledTest() {
        apply(Dictionary(uniqueKeysWithValues: outputs.keys.map { ($0, true) }))
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Self.ledTestMs)) { [self] in
            apply(leds)
        }
    }

    public var state: FeedbackState { machine.withLock { $0.state } }

    /// The LED levels as the machine wants them (the chip is set to exactly these).
    public var leds: [String: Bool] { machine.withLock { $0.leds } }

    private func apply(_ leds: [String: Bool]) {
        for (name, offset) in outputs {
            do {
                try chip.setOutput(offset: offset, high: leds[name] ?? false)
            } catch {
                logger.error("feedback: cannot set LED '\(name)': \(error)")
            }
        }
    }
}
