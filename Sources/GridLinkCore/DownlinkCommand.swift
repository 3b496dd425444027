/// A command from central on `…/cmd`: a small, safe set; the answer goes to `…/cmd/reply`.
public struct DownlinkCommand: Codable, Sendable, Equatable {
    public enum Name: String, Codable, Sendable, CaseIterable {
        /// Answer at once (liveness check).
        case ping
        /// Publish a telemetry report now.
        case telemetryNow = "telemetry-now"
        /// Light every feedback LED for a moment, then restore them.
        case ledTest = "led-test"
    }

    /// Central's correlation id, echoed in the reply (1–64 characters).
    public var id: String
    public var cmd: Name

    public init(id: String, cmd: Name) {
        self.id = id
        self.cmd = cmd
    }

    /// Commands are tiny; anything larger is rejected unread.
    public static let maxPayloadBytes = 1024

    /// Parses a command payload. Never traps: malformed, unknown or oversized → `DownlinkError`.
    public static func parse(_ payload: [UInt8]) -> Result<DownlinkCommand, DownlinkError> {
        guard payload.count <= maxPayloadBytes else { return .failure(.tooLarge(payload.count, limit: maxPayloadBytes)) }
        if let key = JSONDuplicateKeys.first(in: payload) { return .failure(.duplicateKey(key)) }
        do {
            let command = try JSONDecoder().decode(DownlinkCommand.self, from: Data(payload))
            guard !command.id.isEmpty, command.id.count <= 64 else { return .failure(.badField("id", "must be 1–64 characters")) }
            return .success(command)
        } catch let DecodingError.keyNotFound(key, _) {
            return .failure(.badField(key.stringValue, "is missing"))
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            return .failure(.badField(context.codingPath.map(\.stringValue).joined(separator: "."), "has the wrong type"))
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            let known = Name.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(.badField(context.codingPath.map(\.stringValue).joined(separator: "."), "is not a known command (known: \(known))"))
        } catch {
            return .failure(.notJSON)
        }
    }
}

/// The device's answer on `…/cmd/reply`.
public struct CommandReply: Codable, Sendable, Equatable {
    public var v = 1
    /// The command's id.
    public var id: String
    public var cmd: String
    public var ok: Bool
    /// What was done, for people reading the reply.
    public var detail: String
    public var uptimeS: Double
    public var version: String

    public init(id: String, cmd: String, ok: Bool, detail: String, uptimeS: Double, version: String) {
        self.id = id
        self.cmd = cmd
        self.ok = ok
        self.detail = detail
        self.uptimeS = uptimeS
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case v, id, cmd, ok, detail, version
        case uptimeS = "uptime_s"
    }

    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? []
    }
}

extension Topics {
    /// Where the device answers commands from `…/cmd`.
    public var commandReply: String { "\(base)/cmd/reply" }
}
