import ArgumentParser
import ConfigFile
import Technician

/// `gridlinkctl provision`: identity, key, CSR and profile for a new device.
struct ProvisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Set site, device and broker; make the device key (P-256, 0600) and CSR, or install given certificates; write device.toml.")
    @Option(help: "Community / grid id.") var site: String?
    @Option(help: "Device id (the certificate's CN is SITE/DEVICE).") var device: String?
    @Option(help: "Broker HOST:PORT.") var broker: String?
    @Option(help: "kiosk, gate or demo.") var profile = "kiosk"
    @Flag(inversion: .prefixedNo, help: "TLS with a client certificate to the broker.") var tls = true
    @Option(help: "Read site, device, broker, profile (and tls) from this TOML file, e.g. /boot/gridlink-provision.toml.") var from: String?
    @Option(help: "Install this certificate as device.crt instead of writing a CSR.") var cert: String?
    @Option(help: "Install this CA certificate as ca.pem.") var ca: String?
    @Option(name: .customLong("etc-dir"), help: "Where to write (default /etc/gridlink).") var etcDir = "/etc/gridlink"
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let settings: ProvisionSettings
        do {
            if let from {
                let text: String
                do { text = try String(contentsOfFile: from, encoding: .utf8) } catch { throw ProvisionError.io(from, "cannot be read") }
                settings = try ProvisionFile.parse(text, file: from)
            } else {
                guard let site, let device, let broker else { throw ValidationError("give --site, --device and --broker, or --from FILE") }
                let (host, port) = try BrokerAddress.parse(broker)
                settings = ProvisionSettings(site: site, device: device, host: host, port: port, profile: profile, tls: tls)
            }
        } catch let error as ProvisionError {
            printError("provision: \(error)")
            throw Exit.config
        }
        let report: ProvisionReport
        do {
            report = try Provisioner(etcDir: etcDir).provision(settings, certFile: cert ?? settings.certFile, caFile: ca ?? settings.caFile)
        } catch {
            printError("provision: \(error)")
            throw Exit.failed
        }
        // The profile just written must pass the same validation the daemon applies.
        do {
            _ = try ConfigLoader.load(path: report.config)
        } catch {
            printError("provision wrote \(report.config) but it does not validate:\n\(error)")
            throw Exit.config
        }
        if json { return printJSON(report) }
        print("wrote \(report.config) (\(settings.site)/\(settings.device), profile \(settings.profile), broker \(settings.host):\(settings.port))")
        print("key   \(report.key) (P-256, mode 0600)")
        if let csr = report.csr { print("csr   \(csr) (CN=\(settings.site)/\(settings.device), O=\(settings.site))") }
        for file in report.installed { print("installed \(file)") }
        for note in report.notes { print("note: \(note)") }
    }
}
