import GridLinkCore

/// The retained payloads on `…/state`: the birth message on connect and `offline` as the will.
enum StatePayload {
    static let offline: [UInt8] = Array(#"{"status":"offline","v":1}"#.utf8)

    static func online(version: String, profile: String, outboxDepth: Int) -> [UInt8] {
        struct Birth: Encodable {
            let v = 1
            let status = "online"
            let version: String
            let profile: String
            let outboxDepth: Int
            enum CodingKeys: String, CodingKey {
                case v, status, version, profile
                case outboxDepth = "outbox_depth"
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? Array(encoder.encode(Birth(version: version, profile: profile, outboxDepth: outboxDepth)))) ?? offline
    }
}

/// The version reported in the birth message and by `gridlinkctl status`.
public enum GridLinkVersion {
    public static let current = "0.1.0"
}
