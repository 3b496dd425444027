import ArgumentParser
import Central
import Dispatch
import GridLinkCore
#if canImport(Glibc)
import Glibc
#endif

/// `gridlinkctl central`: a minimal central platform for demos and bench checks.
struct CentralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "central", abstract: "Run a minimal central side: receive every device's events, de-duplicate, answer accepted then done.")
    @Option(help: "Broker HOST:PORT.") var broker: String
    @Option(name: .customLong("client-id"), help: "MQTT client id (persistent session).") var clientId = "gridlink-central"
    @Option(name: .customLong("accept-ms"), help: "Answer 'accepted' after this many ms.") var acceptMs = 300
    @Option(name: .customLong("done-ms"), help: "Answer 'done' this many ms after 'accepted'.") var doneMs = 1200
    @Option(help: "Exit after this many seconds (0 = run until interrupted).") var seconds = 0

    func run() throws {
        let parts = broker.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--broker must be HOST:PORT") }
        var options = CentralConsumer.Options(host: String(parts[0]), port: port)
        options.clientId = clientId
        options.acceptDelayMs = acceptMs
        options.doneDelayMs = doneMs
        let consumer = CentralConsumer(options: options, onDelivery: { delivery in
            let e = delivery.event
            var line = "central  received  \(e.device) seq \(e.seq) \(e.kind) id \(e.id.prefix(13))…"
            if delivery.duplicate { line += " (duplicate, ignored)" }
            if let missing = delivery.missingSeqs { line += " (GAP: seq \(missing.lowerBound)–\(missing.upperBound) missing)" }
            say(line)
        }, onAnswer: { ack, _ in
            say("central  \(ack.status.rawValue.padding(8))  id \(ack.id.prefix(13))… ref \(ack.ref ?? "-")")
        })
        consumer.start()
        if !consumer.waitUntilConnected(timeoutMs: 10_000) { say("central  waiting for the broker at \(broker)…") }
        if seconds > 0 {
            Thread.sleep(seconds)
        } else {
            while true { sleep(3600) }
        }
        consumer.stop()
    }
}

func say(_ line: String) {
    print(line)
    fflush(nil)
}

enum Thread {
    static func sleep(_ seconds: Int) { _ = Glibc.sleep(UInt32(seconds)) }
}
