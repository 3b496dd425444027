import DeviceIdentity
import GridLinkCore

#if canImport(Glibc)
import Glibc
#endif

/// What a device is provisioned with.
public struct ProvisionSettings: Sendable, Equatable {
    public var site: String
    public var device: String
    public var host: String
    public var port: Int
    public var profile: String
    /// TLS to the broker (the default; only a lab broker on 1883 goes without).
    public var tls: Bool
    /// A certificate already issued for this device, to install instead of writing a CSR.
    public var certFile: String?
    /// The CA certificate to install as ca.pem.
    public var caFile: String?

    public init(site: String, device: String, host: String, port: Int, profile: String, tls: Bool = true,
                certFile: String? = nil, caFile: String? = nil) {
        self.site = site
        self.device = device
        self.host = host
        self.port = port
        self.profile = profile
        self.tls = tls
        self.certFile = certFile
        self.caFile = caFile
    }
}

/// What `provision` did, for the technician and for `--json`.
public struct ProvisionReport: Sendable, Codable, Equatable {
    public var config: String
    public var key: String
    /// The CSR to send to the CA; nil when a certificate was installed instead.
    public var csr: String?
    public var installed: [String]
    public var notes: [String]
}

/// Writes a device's identity and profile into an etc directory (/etc/gridlink on a board):
/// `device.key` (P-256, mode 0600, owned by the service user when it exists), `device.csr`
/// (CN = "site/device", O = site), optionally the given `device.crt` and `ca.pem`, and `device.toml`.
/// An existing key is kept, so provisioning again never changes the device's identity by accident.
public struct Provisioner {
    public var etcDir: String
    /// The user the daemon runs as; the key is handed to it.
    public var serviceUser = "gridlink"

    public init(etcDir: String) { self.etcDir = etcDir }

    public func provision(_ settings: ProvisionSettings, certFile: String? = nil, caFile: String? = nil) throws(ProvisionError) -> ProvisionReport {
        guard DeviceConfig.isTopicSafe(settings.site), DeviceConfig.isTopicSafe(settings.device) else {
            throw .invalid("site and device must be 1–64 characters of a-z, 0-9, '_' or '-' (got '\(settings.site)', '\(settings.device)')")
        }
        guard ProfileTemplate.profiles.contains(settings.profile) else {
            throw .invalid("profile '\(settings.profile)' is not one of \(ProfileTemplate.profiles.joined(separator: ", "))")
        }
        var notes: [String] = []
        var installed: [String] = []
        try makeDirectory(etcDir)
        let keyPath = etcDir + "/device.key"
        let key: DeviceKey
        if let existing = try? String(contentsOfFile: keyPath, encoding: .utf8) {
            do { key = try DeviceKey(pem: existing) } catch { throw .invalid("\(keyPath) exists but is not a P-256 key (\(error)); move it away to make a new one") }
            notes.append("kept the existing key \(keyPath)")
        } else {
            key = DeviceKey()
            try write(key.pem, to: keyPath, mode: 0o600)
        }
        try chmodAndChown(keyPath, mode: 0o600, notes: &notes)
        var csrPath: String?
        if let certFile {
            try copy(certFile, to: etcDir + "/device.crt")
            installed.append(etcDir + "/device.crt")
        } else {
            let csr: String
            do { csr = try key.certificateSigningRequest(device: settings.device, site: settings.site) } catch { throw .invalid("\(error)") }
            csrPath = etcDir + "/device.csr"
            try write(csr, to: csrPath!, mode: 0o644)
            notes.append("send \(csrPath!) to the gridlink CA and install the certificate it returns as \(etcDir)/device.crt")
        }
        if let caFile {
            try copy(caFile, to: etcDir + "/ca.pem")
            installed.append(etcDir + "/ca.pem")
        }
        let configPath = etcDir + "/device.toml"
        try write(ProfileTemplate.render(settings, etcDir: etcDir), to: configPath, mode: 0o644)
        return ProvisionReport(config: configPath, key: keyPath, csr: csrPath, installed: installed, notes: notes)
    }

    private func makeDirectory(_ path: String) throws(ProvisionError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw .io(path, String(cString: strerror(errno))) }
    }

    private func write(_ text: String, to path: String, mode: mode_t) throws(ProvisionError) {
        // Created with its final mode, so a key is never readable by others, not even briefly.
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode)
        guard fd >= 0 else { throw .io(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw .io(path, String(cString: strerror(errno))) }
        guard fchmod(fd, mode) == 0 else { throw .io(path, String(cString: strerror(errno))) }
    }

    private func copy(_ source: String, to destination: String) throws(ProvisionError) {
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else { throw .io(source, "cannot be read") }
        try write(text, to: destination, mode: 0o644)
    }

    private func chmodAndChown(_ path: String, mode: mode_t, notes: inout [String]) throws(ProvisionError) {
        guard chmod(path, mode) == 0 else { throw .io(path, String(cString: strerror(errno))) }
        guard let user = getpwnam(serviceUser) else {
            notes.append("user \(serviceUser) does not exist yet, so \(path) keeps its owner; the package's sysusers.d creates the user, then run: chown \(serviceUser) \(path)")
            return
        }
        guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else { throw .io(path, "chown \(serviceUser): \(String(cString: strerror(errno)))") }
    }
}

/// Why provisioning stopped; nothing is half-written except files already reported.
public enum ProvisionError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    case io(_ path: String, _ why: String)

    public var description: String {
        switch self {
        case .invalid(let why): why
        case .io(let path, let why): "\(path): \(why)"
        }
    }
}
