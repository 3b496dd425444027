import GridLinkCore

extension ConfigReader {
    /// Keys a table accepts beyond those its reader lists (kept here so each concern's keys live
    /// with the code that reads them).
    static let addedKeys: [String: [String]] = [
        "broker": ["tls", "ca_file", "cert_file", "key_file", "username", "password_file"],
    ]

    /// `[broker]` TLS, client certificate and credentials (docs/config.md). With a `[[broker]]`
    /// list, each entry carries its own (the first is `config.broker`, the rest the backups).
    mutating func readBrokerSecurity(_ root: TOMLTable, into config: inout DeviceConfig) {
        if let broker = root["broker"]?.table {
            config.broker.security = readSecurity(broker, index: nil)
        } else if let list = root["broker"]?.array {
            for index in 0..<list.count {
                guard let table = list[index].table else { continue }
                let security = readSecurity(table, index: index)
                if index == 0 {
                    config.broker.security = security
                } else if index - 1 < config.backupBrokers.count {
                    config.backupBrokers[index - 1].security = security
                }
            }
        }
    }

    mutating func readSecurity(_ broker: TOMLTable, index: Int?) -> BrokerSecurity {
        BrokerSecurity(
            tls: bool(broker, "broker", index, "tls") ?? false,
            caFile: string(broker, "broker", index, "ca_file"),
            certFile: string(broker, "broker", index, "cert_file"),
            keyFile: string(broker, "broker", index, "key_file"),
            username: string(broker, "broker", index, "username"),
            passwordFile: string(broker, "broker", index, "password_file"))
    }
}
