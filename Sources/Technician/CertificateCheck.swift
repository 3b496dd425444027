import DeviceIdentity
import GridLinkCore

/// Certificate: the device certificate is readable, belongs to this device and its key, and is not
/// about to expire (a device with an expired certificate silently stops delivering).
public enum CertificateCheck {
    /// Fewer days than this left is a warning.
    public static let warnDays = 30

    public static func check(_ security: BrokerSecurity, site: String, device: String, now: Date = Date()) -> CheckItem {
        guard security.tls else {
            return CheckItem("certificate", .skip, "TLS is off (broker.tls = false), so there is no certificate; any client could pose as this device",
                             fix: "for production, provision a certificate (gridlinkctl provision) and set broker.tls = true")
        }
        guard let certFile = security.certFile else {
            return CheckItem("certificate", .skip, "TLS without a client certificate (no broker.cert_file)")
        }
        guard let certText = try? String(contentsOfFile: certFile, encoding: .utf8) else {
            return CheckItem("certificate", .fail, "the certificate \(certFile) does not exist or cannot be read",
                             fix: "install the certificate the CA issued for this device's CSR at \(certFile) (PEM)")
        }
        let certificate: DeviceCertificate
        do {
            certificate = try DeviceCertificate(pem: certText)
        } catch {
            return CheckItem("certificate", .fail, "\(certFile) is not a PEM certificate: \(error)",
                             fix: "install the certificate the CA issued for this device's CSR at \(certFile) (PEM, -----BEGIN CERTIFICATE-----)")
        }
        if let keyFile = security.keyFile {
            guard let keyText = try? String(contentsOfFile: keyFile, encoding: .utf8), let key = try? DeviceKey(pem: keyText) else {
                return CheckItem("certificate", .fail, "the key \(keyFile) cannot be read as a P-256 PEM key",
                                 fix: "the key must be the one gridlinkctl provision generated, mode 0600, owned by gridlink")
            }
            if !key.matches(certificate) {
                return CheckItem("certificate", .fail, "the certificate \(certFile) does not belong to the key \(keyFile)",
                                 fix: "install the certificate issued for this device's own CSR (\(keyFile.replacingSuffix(".key", ".csr"))), not another device's")
            }
        }
        let cn = certificate.commonName ?? "(none)"
        let expected = DeviceKey.commonName(site: site, device: device)
        if cn != expected {
            return CheckItem("certificate", .fail, "the certificate is for '\(cn)', but this device is '\(expected)' (CN = site/device); the broker would treat it as \(cn)",
                             fix: "install the certificate issued for \(expected), or correct site/device = … in the profile")
        }
        let days = certificate.daysLeft(now: now)
        let expiry = WallClockFormat.rfc3339(unixMillis: Int64(certificate.notValidAfter.timeIntervalSince1970 * 1000))
        if days < 0 {
            return CheckItem("certificate", .fail, "the certificate for \(cn) expired on \(expiry)",
                             fix: "renew it now: have the CA sign this device's CSR again and install the new certificate as \(certFile)")
        }
        if days < warnDays {
            return CheckItem("certificate", .warn, "the certificate for \(cn) expires in \(days) days (\(expiry))",
                             fix: "renew it before then: have the CA sign a new CSR and install it as \(certFile)")
        }
        return CheckItem("certificate", .ok, "certificate for \(cn), valid for \(days) more days (until \(expiry))")
    }
}

extension String {
    func replacingSuffix(_ suffix: String, _ replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self + replacement
    }
}
