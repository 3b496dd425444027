import ArgumentParser
import Central
import Dispatch
import GridLinkCore
import MQTTClient
#if canImport(Glibc)
import Glibc
#endif

/// `gridlinkctl central`: a minimal central platform for demos and bench checks.
struct CentralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "central", abstract: "Run the reference central consumer: receive every device's events, de-duplicate through a SQLite ledger, report seq gaps, answer accepted then done. Several instances with the same --share and --ledger split the load.")
    @Option(help: "Broker HOST:PORT.") var broker: String
    @Option(name: .customLong("client-id"), help: "MQTT client id (persistent session).") var clientId = "gridlink-central"
    @Option(name: .customLong("accept-ms"), help: "Answer 'accepted' after this many ms.") var acceptMs = 300
    @Option(name: .customLong("done-ms"), help: "Answer 'done' this many ms after 'accepted'.") var doneMs = 1200
    @Option(help: "Exit after this many seconds (0 = run until interrupted).") var seconds = 0
    @Option(help: "SQLite ledger file shared by all instances (default: in memory, this process only).") var ledger = ":memory:"
    @Option(help: "Join the MQTT 5 shared subscription $share/GROUP/… so instances split the load.") var share: String?
    @Option(name: .customLong("ca-file"), help: "TLS: the CA of the broker's certificate.") var caFile: String?
    @Option(name: .customLong("cert-file"), help: "TLS: central's certificate (CN = central).") var certFile: String?
    @Option(name: .customLong("key-file"), help: "TLS: central's key.") var keyFile: String?

    func run() throws {
        let parts = broker.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--broker must be HOST:PORT") }
        var options = CentralConsumer.Options(host: String(parts[0]), port: port)
        options.clientId = clientId
        options.acceptDelayMs = acceptMs
        options.doneDelayMs = doneMs
        options.ledgerPath = ledger
        options.sharedGroup = share
        if let caFile { options.tls = MQTTTLSOptions(caFile: caFile, certFile: certFile, keyFile: keyFile) }
        let consumer = CentralConsumer(options: options, onDelivery: { delivery in
            let e = delivery.event
            var line = "central  received  \(e.device) seq \(e.seq) \(e.kind) id \(e.id.prefix(13))…"
            if delivery.duplicate { line += " (duplicate, ignored)" }
            if let missing = delivery.missingSeqs { line += " (GAP: seq \(missing.lowerBound)–\(missing.upperBound) missing)" }
            say(line)
        }, onAnswer: { ack, _ in
            say("central  \(ack.status.rawValue.padding(8))  id \(ack.id.prefix(13))… ref \(ack.ref ?? "-")")
        })
        if let problem = consumer.ledgerProblem {
            printError("central: cannot open the ledger \(ledger): \(problem)")
            throw Exit.failed
        }
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
