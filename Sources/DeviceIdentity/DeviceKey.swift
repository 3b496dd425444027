import Crypto
import SwiftASN1
import X509

/// A device's P-256 private key and the certificate signing request that asks the gridlink CA for
/// its client certificate: CN = "site/device" (the broker's ACL identity, see
/// ``DeviceKey/commonName(site:device:)``), O = site.
public struct DeviceKey: Sendable {
    private let key: P256.Signing.PrivateKey

    /// A fresh random key.
    public init() { key = P256.Signing.PrivateKey() }

    /// A key read back from its PEM (PKCS#8 or SEC1).
    public init(pem: String) throws(IdentityError) {
        do { key = try P256.Signing.PrivateKey(pemRepresentation: pem) } catch { throw .unreadable("private key", "\(error)") }
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as OpenSSL and libmosquitto read it.
    public var pem: String { key.pemRepresentation }

    /// The certificate CN that names a device to the broker: `site/device`. The broker takes the CN
    /// as the user name and its ACL pattern `gridlink/v1/%u/…` then covers exactly this device's
    /// topics, so a device can publish neither under another site nor as another device.
    public static func commonName(site: String, device: String) -> String { "\(site)/\(device)" }

    /// A PEM CSR for `device` at `site`, signed with this key (ECDSA with SHA-256).
    public func certificateSigningRequest(device: String, site: String) throws(IdentityError) -> String {
        do {
            let subject = try DistinguishedName {
                CommonName(Self.commonName(site: site, device: device))
                OrganizationName(site)
            }
            let csr = try CertificateSigningRequest(
                version: .v1, subject: subject, privateKey: Certificate.PrivateKey(key),
                attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
            return try csr.serializeAsPEM().pemString
        } catch {
            throw .unusable("certificate signing request", "\(error)")
        }
    }

    /// Whether `certificate` carries this key's public half (the certificate belongs to the key).
    public func matches(_ certificate: DeviceCertificate) -> Bool {
        certificate.certificate.publicKey == Certificate.PublicKey(key.publicKey)
    }
}

/// What went wrong reading or making identity material; `what` names the file's role.
public enum IdentityError: Error, Equatable, CustomStringConvertible {
    case unreadable(_ what: String, _ why: String)
    case unusable(_ what: String, _ why: String)

    public var description: String {
        switch self {
        case .unreadable(let what, let why): "the \(what) is not valid PEM: \(why)"
        case .unusable(let what, let why): "cannot make the \(what): \(why)"
        }
    }
}
