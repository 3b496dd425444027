/// How the device proves who it is to the broker and checks the broker: TLS with a client
/// certificate (the broker takes the certificate's CN as the user name its ACL checks), and
/// optionally a user name with a password read from a file (never from the profile itself, so
/// the profile can be shown and copied without leaking it).
public struct BrokerSecurity: Sendable, Equatable {
    /// Speak TLS (1.2 or newer) to the broker; `caFile` is then required.
    public var tls: Bool
    /// PEM certificate authority the broker's certificate must chain to.
    public var caFile: String?
    /// PEM client certificate (CN = "site/device").
    public var certFile: String?
    /// PEM private key of `certFile`, mode 0600.
    public var keyFile: String?
    public var username: String?
    /// A file whose first line is the password.
    public var passwordFile: String?

    public init(tls: Bool = false, caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil,
                username: String? = nil, passwordFile: String? = nil) {
        self.tls = tls
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.username = username
        self.passwordFile = passwordFile
    }

    /// Every problem with these settings, as `[broker]` keys with the fix.
    func problems(port: Int) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        func add(_ key: String, _ message: String) { problems.append(ConfigProblem(.init("broker", key), message)) }
        for (key, value) in [("ca_file", caFile), ("cert_file", certFile), ("key_file", keyFile), ("password_file", passwordFile)] {
            if let value, !value.hasPrefix("/") {
                add(key, "'\(value)' is not an absolute path; write the full path, e.g. /etc/gridlink/\(key.replacingSuffix("_file", with: "")).pem")
            }
        }
        if tls {
            if caFile == nil { add("ca_file", "is missing; tls = true needs ca_file = \"/etc/gridlink/ca.pem\" (the CA that signed the broker's certificate)") }
            if port == 1883 { add("port", "1883 is the plain MQTT port but tls = true; use the broker's TLS port (usually 8883)") }
        } else {
            for (key, value) in [("ca_file", caFile), ("cert_file", certFile), ("key_file", keyFile)] where value != nil {
                add(key, "is set but tls = false; add tls = true to [broker] or remove \(key)")
            }
        }
        if certFile != nil && keyFile == nil { add("key_file", "is missing; cert_file needs its key_file = \"/etc/gridlink/device.key\"") }
        if keyFile != nil && certFile == nil { add("cert_file", "is missing; key_file needs its cert_file = \"/etc/gridlink/device.crt\"") }
        if passwordFile != nil && username == nil { add("username", "is missing; password_file is only sent with a username") }
        if let username, username.isEmpty { add("username", "is empty; remove it or set the broker user name") }
        return problems
    }
}

extension String {
    fileprivate func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
