import ConfigFile
import Foundation
import GPIO
import GridLinkCore
import Technician
import TestSupport
import Testing

/// `gridlinkctl check` against a healthy device and against each way a site goes wrong, with the
/// exact words the technician reads asserted.
@Suite(.serialized)
struct SelfCheckTests {
    let pki: TestPKI
    let broker: MosquittoBroker
    let etc = TempDir()
    let state = TempDir()

    /// A device provisioned the way a technician does it: provision, CA signs the CSR, install.
    init() throws {
        pki = try TestPKI()
        broker = try MosquittoBroker.secure(pki: pki)
        try broker.start()
        let settings = ProvisionSettings(site: "test-grid", device: "kiosk-a", host: "127.0.0.1", port: 8883, profile: "demo")
        let report = try Provisioner(etcDir: etc.path).provision(settings, caFile: pki.caFile)
        try pki.sign(csrFile: try #require(report.csr), certFile: etc.path + "/device.crt", days: 365)
    }

    func config() throws -> DeviceConfig {
        try ConfigLoader.load(path: etc.path + "/device.toml",
                              overrides: ConfigOverrides(broker: "127.0.0.1:\(broker.port)", stateDir: state.path))
    }

    func item(_ name: String, _ items: [CheckItem]) throws -> CheckItem { try #require(items.first { $0.name == name }) }

    @Test("healthy: chip simulated, storage ok, broker acknowledges the test message over TLS, certificate valid")
    func healthy() throws {
        let items = SelfCheck(config: try config()).run()
        #expect(try item("gpio", items).status == .skip)
        #expect(try item("storage", items).status == .ok)
        #expect(try item("broker", items) == CheckItem("broker", .ok,
            "connected to 127.0.0.1:\(broker.port) over TLS with the device certificate; the test message to gridlink/v1/test-grid/kiosk-a/check was acknowledged (PUBACK)"))
        let certificate = try item("certificate", items)
        #expect(certificate.status == .ok)
        #expect(certificate.message.hasPrefix("certificate for test-grid/kiosk-a, valid for 364 more days"))
        #expect(SelfCheck.passed(items))
    }

    @Test("broker down: says it cannot be reached and what to check")
    func brokerDown() throws {
        broker.stop()
        let item = BrokerCheck.check(try config(), timeoutMs: 2000)
        #expect(item == CheckItem("broker", .fail, "cannot reach the broker at 127.0.0.1:\(broker.port): Connection refused",
            fix: "check [broker] host and port, that the broker is running, and the network (ping the host; is the cable in?)"))
    }

    @Test("wrong certificate: one from another CA fails the TLS handshake; another device's does not match the key")
    func wrongCertificate() throws {
        let stranger = try TestPKI(name: "stranger-ca")
        let forged = try stranger.issue(commonName: "test-grid/kiosk-a")
        try FileManager.default.removeItem(atPath: etc.path + "/device.crt")
        try FileManager.default.copyItem(atPath: forged.certFile, toPath: etc.path + "/device.crt")
        try FileManager.default.removeItem(atPath: etc.path + "/device.key")
        try FileManager.default.copyItem(atPath: forged.keyFile, toPath: etc.path + "/device.key")
        let broker = BrokerCheck.check(try config(), timeoutMs: 3000)
        #expect(broker.status == .fail)
        #expect(broker.message.hasPrefix("the TLS handshake with 127.0.0.1:\(self.broker.port) failed"), "\(broker.message)")
        #expect(broker.fix == "check that broker.ca_file is the CA that signed the broker's certificate and that cert_file/key_file are this device's certificate and key, signed by the CA the broker trusts (gridlinkctl provision makes the CSR)")

        let other = try pki.issue(commonName: "test-grid/kiosk-b")
        try FileManager.default.removeItem(atPath: etc.path + "/device.crt")
        try FileManager.default.copyItem(atPath: other.certFile, toPath: etc.path + "/device.crt")
        let certificate = CertificateCheck.check(try config().broker.security, site: "test-grid", device: "kiosk-a")
        #expect(certificate == CheckItem("certificate", .fail, "the certificate \(etc.path)/device.crt does not belong to the key \(etc.path)/device.key",
            fix: "install the certificate issued for this device's own CSR (\(etc.path)/device.csr), not another device's"))
    }

    @Test("certificate for another device id, and one about to expire")
    func certificateNameAndExpiry() throws {
        let other = try pki.issue(commonName: "test-grid/kiosk-b", days: 10)
        let security = BrokerSecurity(tls: true, caFile: pki.caFile, certFile: other.certFile, keyFile: other.keyFile)
        #expect(CertificateCheck.check(security, site: "test-grid", device: "kiosk-a") == CheckItem("certificate", .fail,
            "the certificate is for 'test-grid/kiosk-b', but this device is 'test-grid/kiosk-a' (CN = site/device); the broker would treat it as test-grid/kiosk-b",
            fix: "install the certificate issued for test-grid/kiosk-a, or correct site/device = … in the profile"))
        // The same device id at another site is another device.
        #expect(CertificateCheck.check(security, site: "other-grid", device: "kiosk-b").status == .fail)
        let soon = CertificateCheck.check(security, site: "test-grid", device: "kiosk-b")
        #expect(soon.status == .warn)
        #expect(soon.message.hasPrefix("the certificate for test-grid/kiosk-b expires in 9 days"))
        #expect(soon.fix == "renew it before then: have the CA sign a new CSR and install it as \(other.certFile)")
    }

    @Test("line missing: names the button, the line and where to look")
    func lineMissing() throws {
        var config = try config()
        config.buttons[1].line = .name("BTN_REPAIR")
        let chip = SimulatedChip(lineNames: ["BTN_PROXY"] + (1...30).map { "L\($0)" }) { 0 }
        config.buttons[0].line = .name("BTN_PROXY")
        let item = GPIOCheck.lines(config, on: chip)
        #expect(item.status == .fail)
        #expect(item.message.hasPrefix("button 'repair' uses line 'BTN_REPAIR', which the chip does not have (no line has that name"))
        #expect(item.fix == "run gpioinfo to see the chip's line names and offsets, then fix the line = … of that [[button]], [gate.*] or [feedback] entry")
        config.buttons[1].line = .offset(3)
        #expect(GPIOCheck.lines(config, on: chip).status == .ok)
        // The same chip asked again: its inputs are now held (as by a running gridlinkd).
        let busy = GPIOCheck.lines(config, on: chip)
        #expect(busy.status == .warn)
        #expect(busy.fix == "that is normal while gridlinkd runs; to read the levels: systemctl stop gridlinkd, gridlinkctl check, systemctl start gridlinkd")
    }

    @Test("a real chip that is present gets its lines read through the chip backend")
    func realChipLines() throws {
        var config = try config()
        let chipPath = etc.path + "/gpiochip0"
        #expect(FileManager.default.createFile(atPath: chipPath, contents: Data()))
        config.gpio.chip = chipPath
        var check = SelfCheck(config: config)
        check.openChip = { _ in SimulatedChip(lineNames: (0...30).map { "L\($0)" }) { 0 } }
        let items = check.run()
        #expect(items.prefix(2).map(\.name) == ["gpio", "lines"])
        #expect(items[1] == CheckItem("lines", .ok, "button 'proxy' line 17 is idle, button 'repair' line 27 is idle; 3 LED line(s) present"))
        check.openChip = nil
        #expect(check.run()[1] == CheckItem("lines", .skip, "line levels are not read: no chip backend given"))
    }

    @Test("GPIO chip missing on a real board")
    func chipMissing() {
        let items = GPIOCheck.chip(GPIOConfig(chip: "gpiochip9"), devDirectory: etc.path)
        #expect(items == [CheckItem("gpio", .fail, "GPIO chip \(etc.path)/gpiochip9 does not exist",
            fix: "run gpiodetect to list the board's chips and set [gpio] chip to one of them; on a Raspberry Pi it is gpiochip0 (gpiochip4 on a Pi 5)")])
    }

    @Test("storage on tmpfs, and on a mount marked read-only")
    func storageVolatileAndReadOnly() {
        let tmpfs = StorageCheck.check(stateDir: "/dev/shm")
        #expect(tmpfs == CheckItem("storage", .fail, "the state directory /dev/shm is on tmpfs (/dev/shm): the outbox would be lost at every reboot",
            fix: "set [paths] state_dir to a directory on the SD card or disk, e.g. /var/lib/gridlink"))
        let mountInfo = "63 43 254:0 \(state.path) \(state.path) ro,relatime - ext4 /dev/mmcblk0p2 rw\n"
        let readOnly = StorageCheck.check(stateDir: state.path, mountInfo: mountInfo)
        #expect(readOnly == CheckItem("storage", .fail,
            "the state directory \(state.path) is on a read-only file system (\(state.path), ext4); events cannot be stored",
            fix: "remount it read-write (mount -o remount,rw \(state.path)); if it keeps turning read-only, the SD card is failing: replace it"))
    }

    @Test("disk read-only for real: gridlinkctl check in a mount namespace with a read-only bind of the state directory")
    func storageReadOnlyBind() throws {
        let script = "mount --bind \(state.path) \(state.path) && mount -o remount,bind,ro \(state.path) && exec \(Binaries.gridlinkctl) check --config \(etc.path)/device.toml --broker 127.0.0.1:\(broker.port) --state-dir \(state.path) --json"
        let result = try runCommand("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script])
        #expect(result.status == 1)
        let items = try JSONDecoder().decode([CheckItem].self, from: Data(result.stdout.utf8))
        let storage = try item("storage", items)
        #expect(storage.status == .fail)
        #expect(storage.message == "the state directory \(state.path) is on a read-only file system (\(state.path), \(storage.message.split(separator: ",").last!.dropFirst().prefix { $0 != ")" })); events cannot be stored")
        #expect(try item("broker", items).status == .ok)
    }
}
