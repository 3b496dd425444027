/// The MQTT topic names of wire protocol v1 for one device.
///
/// `site` and `device` are validated to `[a-z0-9_-]` by the config, so no level ever holds a
/// '.', '+', '#' or '/', which every broker and bridge maps safely.
public struct Topics: Sendable, Equatable {
    public let site: String
    public let device: String

    public init(site: String, device: String) {
        self.site = site
        self.device = device
    }

    public var base: String { "gridlink/v1/\(site)/\(device)" }
    public func event(_ kind: EventKind) -> String { "\(base)/events/\(kind.topicPath)" }
    /// Retained birth message; `offline` is the will.
    public var state: String { "\(base)/state" }
    public var telemetry: String { "\(base)/telemetry" }
    /// Downlink from central: request accepted / done.
    public var ack: String { "\(base)/ack" }
    public var command: String { "\(base)/cmd" }

    /// What the central side subscribes to for every device's events.
    public static let allEvents = "gridlink/v1/+/+/events/#"

    /// The ack topic for the device that published on `eventTopic`, or nil if it is not an events topic.
    public static func ackTopic(forEventTopic eventTopic: String) -> String? {
        let levels = eventTopic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count >= 6, levels[0] == "gridlink", levels[1] == "v1", levels[4] == "events" else { return nil }
        return "gridlink/v1/\(levels[2])/\(levels[3])/ack"
    }
}
