import GridLinkCore
import MQTTClient

#if canImport(Glibc)
import Glibc
#endif

extension MQTTOptions {
    /// Applies `[broker]`'s TLS and credential settings. The password is read from its file
    /// here, on every connect (so a rotated password is picked up), and never logged.
    /// Returns a one-line problem to log when the password file cannot be read; the connection
    /// is then attempted without a password and the broker's refusal says the rest.
    public mutating func applySecurity(_ security: BrokerSecurity) -> String? {
        if security.tls, let caFile = security.caFile {
            tls = MQTTTLSOptions(caFile: caFile, certFile: security.certFile, keyFile: security.keyFile)
        }
        username = security.username
        guard let passwordFile = security.passwordFile else { return nil }
        guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
            password = nil
            return "broker.password_file \(passwordFile) cannot be read; check it exists and the gridlink user may read it"
        }
        password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        return nil
    }
}
