import ConfigFile

/// The small file a technician puts on the SD card's boot partition
/// (`/boot/gridlink-provision.toml`), read by the first-boot unit through
/// `gridlinkctl provision --from FILE`:
///
///     site = "hongmiao-grid-03"
///     device = "kiosk-hall-1"
///     broker = "broker.grid.example:8883"
///     profile = "kiosk"
///     tls = true            # optional, default true
///     cert_file = "kiosk-hall-1.crt"   # optional: install this certificate instead of making a CSR
///     ca_file = "ca.pem"               # optional: install this CA
///
/// Relative certificate paths are taken from the provisioning file's directory.
public enum ProvisionFile {
    public static func parse(_ text: String, file: String) throws(ProvisionError) -> ProvisionSettings {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch { throw .invalid("\(file):\(error.line): not valid TOML: \(error.message)") }
        func string(_ key: String) throws(ProvisionError) -> String {
            guard let value = table[key]?.string else { throw .invalid("\(file): \(key) is missing; add \(key) = \"…\"") }
            return value
        }
        let allowed: Set<String> = ["site", "device", "broker", "profile", "tls", "cert_file", "ca_file"]
        if let unknown = table.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalid("\(file): \(unknown) is not a provisioning setting; known: site, device, broker, profile, tls, cert_file, ca_file")
        }
        let directory = file.contains("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
        func path(_ key: String) -> String? {
            guard let value = table[key]?.string else { return nil }
            return value.hasPrefix("/") ? value : directory + "/" + value
        }
        let (host, port) = try BrokerAddress.parse(try string("broker"))
        return ProvisionSettings(site: try string("site"), device: try string("device"), host: host, port: port,
                                 profile: try string("profile"), tls: table["tls"]?.bool ?? true,
                                 certFile: path("cert_file"), caFile: path("ca_file"))
    }
}

/// `HOST:PORT`.
public enum BrokerAddress {
    public static func parse(_ text: String) throws(ProvisionError) -> (String, Int) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
            throw .invalid("broker '\(text)' is not HOST:PORT (for example broker.grid.example:8883)")
        }
        return (String(parts[0]), port)
    }
}
