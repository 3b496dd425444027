import ConfigFile
import DeviceIdentity
import Foundation
import GridLinkCore
import Technician
import TestSupport
import Testing

/// `gridlinkctl provision`: a temp directory stands in for /etc/gridlink.
@Suite(.serialized)
struct ProvisionTests {
    let etc = TempDir()

    @Test("provision writes a valid profile, a 0600 key and a CSR that verifies and names the device")
    func provisionsDevice() throws {
        let settings = ProvisionSettings(site: "hongmiao-grid-03", device: "kiosk-hall-1", host: "broker.grid.example", port: 8883, profile: "kiosk")
        let report = try Provisioner(etcDir: etc.path).provision(settings)

        let config = try ConfigLoader.load(path: report.config)
        #expect(config.site == "hongmiao-grid-03" && config.device == "kiosk-hall-1" && config.profile == "kiosk")
        #expect(config.broker.host == "broker.grid.example" && config.broker.port == 8883)
        #expect(config.broker.security == BrokerSecurity(tls: true, caFile: etc.path + "/ca.pem", certFile: etc.path + "/device.crt", keyFile: etc.path + "/device.key"))

        let attributes = try FileManager.default.attributesOfItem(atPath: report.key)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let csr = try DeviceCSR(pem: String(contentsOfFile: try #require(report.csr), encoding: .utf8))
        #expect(csr.isSelfSigned)
        #expect(csr.commonName == "hongmiao-grid-03/kiosk-hall-1")
        #expect(csr.organization == "hongmiao-grid-03")
        // openssl agrees, independently of swift-certificates.
        let verified = try TestPKI.openssl(["req", "-in", report.csr!, "-verify", "-noout", "-subject"])
        #expect(verified.contains("CN = hongmiao-grid-03/kiosk-hall-1, O = hongmiao-grid-03"))
        #expect(verified.contains("verify OK"))
    }

    @Test("provisioning again keeps the key; installing given certificates writes no CSR")
    func keepsKeyAndInstallsCerts() throws {
        let settings = ProvisionSettings(site: "s1", device: "gate-1", host: "10.0.0.2", port: 8883, profile: "gate")
        let first = try Provisioner(etcDir: etc.path).provision(settings)
        let key = try String(contentsOfFile: first.key, encoding: .utf8)
        let pki = try TestPKI()
        let issued = try pki.issue(commonName: "s1/gate-1")
        let second = try Provisioner(etcDir: etc.path).provision(settings, certFile: issued.certFile, caFile: pki.caFile)
        #expect(try String(contentsOfFile: second.key, encoding: .utf8) == key)
        #expect(second.csr == nil)
        #expect(second.installed == [etc.path + "/device.crt", etc.path + "/ca.pem"])
        #expect(second.notes.contains("kept the existing key \(etc.path)/device.key"))
        _ = try ConfigLoader.load(path: second.config)
    }

    @Test("the key is handed to the service user when it exists (nobody stands in for gridlink)")
    func keyOwnedByServiceUser() throws {
        var provisioner = Provisioner(etcDir: etc.path)
        provisioner.serviceUser = "nobody"
        let report = try provisioner.provision(ProvisionSettings(site: "s1", device: "d1", host: "h", port: 8883, profile: "demo"))
        let attributes = try FileManager.default.attributesOfItem(atPath: report.key)
        #expect((attributes[.ownerAccountName] as? String) == "nobody")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        provisioner.serviceUser = "no-such-user-gridlink"
        let again = try provisioner.provision(ProvisionSettings(site: "s1", device: "d1", host: "h", port: 8883, profile: "demo"))
        #expect(again.notes.first { $0 == "user no-such-user-gridlink does not exist yet, so \(report.key) keeps its owner; the package's sysusers.d creates the user, then run: chown no-such-user-gridlink \(report.key)" } != nil)
    }

    @Test("--from reads the first-boot file; mistakes in it are named")
    func fromFile() throws {
        let settings = try ProvisionFile.parse("""
            site = "hongmiao-grid-03"
            device = "kiosk-hall-2"
            broker = "broker.grid.example:8883"
            profile = "kiosk"
            """, file: "/boot/gridlink-provision.toml")
        #expect(settings == ProvisionSettings(site: "hongmiao-grid-03", device: "kiosk-hall-2", host: "broker.grid.example", port: 8883, profile: "kiosk"))
        let withCerts = try ProvisionFile.parse("""
            site = "s1"
            device = "d1"
            broker = "b:8883"
            profile = "gate"
            cert_file = "d1.crt"
            ca_file = "/etc/ssl/gridlink-ca.pem"
            """, file: "/boot/firmware/gridlink-provision.toml")
        #expect(withCerts.certFile == "/boot/firmware/d1.crt")
        #expect(withCerts.caFile == "/etc/ssl/gridlink-ca.pem")
        #expect(throws: ProvisionError.invalid("/boot/p.toml: key is not a provisioning setting; known: site, device, broker, profile, tls, cert_file, ca_file")) {
            try ProvisionFile.parse("site = \"a\"\nkey = \"secret\"", file: "/boot/p.toml")
        }
        #expect(throws: ProvisionError.invalid("/boot/p.toml: device is missing; add device = \"…\"")) {
            try ProvisionFile.parse("site = \"a\"\nbroker = \"b:1\"\nprofile = \"kiosk\"", file: "/boot/p.toml")
        }
        #expect(throws: ProvisionError.invalid("broker 'nohost' is not HOST:PORT (for example broker.grid.example:8883)")) {
            try ProvisionFile.parse("site = \"a\"\ndevice = \"d\"\nbroker = \"nohost\"\nprofile = \"kiosk\"", file: "/boot/p.toml")
        }
    }

    @Test("the shipped example provisioning file provisions a kiosk as it is, and a bench board once edited (demo, no TLS)")
    func shippedExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = root.appendingPathComponent("device-config/gridlink-provision.toml").path
        let text = try String(contentsOfFile: example, encoding: .utf8)
        let settings = try ProvisionFile.parse(text, file: example)
        #expect(settings == ProvisionSettings(site: "hongmiao-grid-03", device: "kiosk-hall-1", host: "broker.grid.example", port: 8883, profile: "kiosk"))

        // The README's bench recipe: the same file with profile demo, no TLS, a broker on the board.
        let bench = text.replacingOccurrences(of: "profile = \"kiosk\"", with: "profile = \"demo\"")
            .replacingOccurrences(of: "tls = true", with: "tls = false")
            .replacingOccurrences(of: "broker = \"broker.grid.example:8883\"", with: "broker = \"127.0.0.1:1883\"")
        let file = etc.path + "/gridlink-provision.toml"
        try bench.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runCommand(Binaries.gridlinkctl, ["provision", "--from", file, "--etc-dir", etc.path + "/etc"])
        #expect(result.status == 0, "\(result.stderr)")
        let config = try ConfigLoader.load(path: etc.path + "/etc/device.toml")
        #expect(config.gpio.isSimulated && !config.broker.security.tls && config.broker.port == 1883)
    }

    @Test("gridlinkctl provision --from writes the profile, and it validates")
    func commandLine() throws {
        let file = etc.path + "/gridlink-provision.toml"
        try "site = \"s1\"\ndevice = \"kiosk-9\"\nbroker = \"127.0.0.1:8883\"\nprofile = \"kiosk\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runCommand(Binaries.gridlinkctl, ["provision", "--from", file, "--etc-dir", etc.path + "/etc"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("csr   \(etc.path)/etc/device.csr (CN=s1/kiosk-9, O=s1)"))
        let validate = try runCommand(Binaries.gridlinkctl, ["config", "validate", etc.path + "/etc/device.toml"])
        #expect(validate.status == 0)
    }
}
