import Foundation

/// A throw-away certificate authority made with the openssl CLI at test time: the CA, a broker
/// certificate for 127.0.0.1 / localhost, and client certificates with any CN. Everything lives
/// in ``directory`` (removed on deinit) under the names device-config/broker/mosquitto.conf
/// expects: `ca.pem`, `broker.crt`, `broker.key`.
public final class TestPKI: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public var caKeyFile: String { directory + "/ca.key" }

    /// A client certificate and its key, as files.
    public struct Identity: Sendable {
        public let certFile: String
        public let keyFile: String
    }

    /// Makes the CA and the broker's certificate.
    public init(name: String = "gridlink-test-ca") throws {
        directory = "/tmp/gl-pki-" + String(UUID().uuidString.prefix(8)).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", caKeyFile, "-out", caFile, "-days", "30", "-subj", "/CN=\(name)"])
        let broker = try issue(commonName: "localhost", fileStem: "broker", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost")
        precondition(broker.certFile == directory + "/broker.crt")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// A new P-256 key and a certificate for `commonName` (and `organization`), valid `days`.
    public func issue(commonName: String, organization: String? = nil, days: Int = 30, fileStem: String? = nil,
                      extensions: String = "extendedKeyUsage=clientAuth") throws -> Identity {
        let stem = directory + "/" + (fileStem ?? commonName.replacingOccurrences(of: "/", with: "_"))
        // openssl -subj separates attributes with '/': a '/' inside a value (CN = site/device) is escaped.
        func escaped(_ value: String) -> String { value.replacingOccurrences(of: "/", with: "\\/") }
        let subject = "/CN=\(escaped(commonName))" + (organization.map { "/O=\(escaped($0))" } ?? "")
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", stem + ".key", "-out", stem + ".csr", "-subj", subject])
        try sign(csrFile: stem + ".csr", certFile: stem + ".crt", days: days, extensions: extensions)
        return Identity(certFile: stem + ".crt", keyFile: stem + ".key")
    }

    /// Signs a CSR (e.g. one `gridlinkctl provision` wrote) with this CA.
    public func sign(csrFile: String, certFile: String, days: Int = 30, extensions: String = "extendedKeyUsage=clientAuth") throws {
        let extFile = certFile + ".ext"
        try extensions.write(toFile: extFile, atomically: true, encoding: .utf8)
        try Self.openssl(["x509", "-req", "-in", csrFile, "-CA", caFile, "-CAkey", caKeyFile, "-CAcreateserial",
                          "-out", certFile, "-days", "\(days)", "-extfile", extFile])
    }

    /// Runs `openssl` and throws with its output if it fails.
    @discardableResult
    public static func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw BrokerError("openssl \(arguments.joined(separator: " ")) failed:\n\(text)")
        }
        return text
    }
}

extension MosquittoBroker {
    /// The repository's example secure broker (device-config/broker/mosquitto.conf and acl) on a
    /// free loopback port, with its /etc and /var paths moved into `pki` and the broker directory.
    public static func secure(pki: TestPKI) throws -> MosquittoBroker {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = root.appendingPathComponent("device-config/broker")
        let conf = try String(contentsOf: example.appendingPathComponent("mosquitto.conf"), encoding: .utf8)
        try FileManager.default.copyItem(atPath: example.appendingPathComponent("acl").path, toPath: pki.directory + "/acl")
        return try MosquittoBroker { port, directory in
            let text = conf
                .replacingOccurrences(of: "listener 8883", with: "listener \(port) 127.0.0.1")
                .replacingOccurrences(of: "/etc/mosquitto/gridlink/", with: pki.directory + "/")
                .replacingOccurrences(of: "/var/lib/mosquitto/", with: directory + "/")
            return text.split(separator: "\n").map(String.init)
                + ["log_dest file \(directory)/mosquitto.log", "log_type all", "connection_messages true"]
        }
    }
}
