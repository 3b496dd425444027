import SwiftASN1
import X509

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A PEM X.509 certificate (the device's client certificate or a CA) with what a technician
/// needs to know about it: who it names and when it expires.
public struct DeviceCertificate: Sendable {
    let certificate: Certificate

    /// Parses the first certificate in `pem`.
    public init(pem: String) throws(IdentityError) {
        do { certificate = try Certificate(pemEncoded: pem) } catch { throw .unreadable("certificate", "\(error)") }
    }

    /// The subject's CN, which the broker takes as the client's user name.
    public var commonName: String? { certificate.subject.first(.RDNAttributeType.commonName) }
    /// The subject's O (the site).
    public var organization: String? { certificate.subject.first(.RDNAttributeType.organizationName) }
    public var notValidAfter: Date { certificate.notValidAfter }
    public var notValidBefore: Date { certificate.notValidBefore }

    /// Whole days from `now` until expiry; negative once expired.
    public func daysLeft(now: Date = Date()) -> Int {
        Int((notValidAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    /// Whether `issuer` (a CA certificate) signed this certificate.
    public func isSigned(by issuer: DeviceCertificate) -> Bool {
        issuer.certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
    }
}

/// A parsed CSR, to check what `provision` wrote.
public struct DeviceCSR: Sendable {
    let csr: CertificateSigningRequest

    public init(pem: String) throws(IdentityError) {
        do { csr = try CertificateSigningRequest(pemEncoded: pem) } catch { throw .unreadable("certificate signing request", "\(error)") }
    }

    /// The CSR's signature verifies with the public key it carries.
    public var isSelfSigned: Bool { csr.publicKey.isValidSignature(csr.signature, for: csr) }

    public var commonName: String? { csr.subject.first(.RDNAttributeType.commonName) }
    public var organization: String? { csr.subject.first(.RDNAttributeType.organizationName) }
}

extension DistinguishedName {
    /// The text of the first attribute of `type` (CN, O, …).
    fileprivate func first(_ type: ASN1ObjectIdentifier) -> String? {
        for rdn in self {
            for attribute in rdn where attribute.type == type { return String(attribute.value) }
        }
        return nil
    }
}
