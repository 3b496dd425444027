/// A message from central on `…/ack`: the platform accepted, finished or rejected a request.
public struct DownlinkAck: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case accepted, done, rejected
    }

    public var id: String
    public var status: Status
    /// Central's own reference (ticket number), shown to technicians; optional.
    public var ref: String?

    public init(id: String, status: Status, ref: String? = nil) {
        self.id = id
        self.status = status
        self.ref = ref
    }

    /// The largest ack payload accepted; anything bigger is rejected unread.
    public static let maxPayloadBytes = 4096

    /// Parses an ack payload. Never traps: every malformed input becomes a `DownlinkError`.
    public static func parse(_ payload: [UInt8]) -> Result<DownlinkAck, DownlinkError> {
        guard payload.count <= maxPayloadBytes else { return .failure(.tooLarge(payload.count, limit: maxPayloadBytes)) }
        if let key = JSONDuplicateKeys.first(in: payload) { return .failure(.duplicateKey(key)) }
        do {
            let ack = try JSONDecoder().decode(DownlinkAck.self, from: Data(payload))
            guard !ack.id.isEmpty, ack.id.count <= 64 else { return .failure(.badField("id", "must be 1–64 characters")) }
            return .success(ack)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            return .failure(.notJSON)
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            return .failure(.notJSON)
        } catch let DecodingError.keyNotFound(key, _) {
            return .failure(.badField(key.stringValue, "is missing"))
        } catch let DecodingError.typeMismatch(_, context) {
            return .failure(.badField(context.codingPath.map(\.stringValue).joined(separator: "."), "has the wrong type"))
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(.badField(field, "has an unknown value (expected accepted, done or rejected)"))
        } catch {
            return .failure(.notJSON)
        }
    }
}

/// Why a downlink message was ignored; the text is what the log line says.
public enum DownlinkError: Error, Equatable, CustomStringConvertible {
    case notJSON
    case tooLarge(Int, limit: Int)
    case duplicateKey(String)
    case badField(String, String)

    public var description: String {
        switch self {
        case .notJSON: "payload is not a JSON object"
        case .tooLarge(let size, let limit): "payload is \(size) bytes, more than \(limit)"
        case .duplicateKey(let key): "key '\(key.prefix(64))' appears twice; send each key once"
        case .badField(let field, let problem): "field '\(field)' \(problem)"
        }
    }

    /// The kind of problem without the sender's details (sizes, key names they made up): what repeated warnings
    /// are grouped by, so a flood of variations still gives one line per kind (`DownlinkWarnings`).
    public var kind: String {
        switch self {
        case .notJSON: "not JSON"
        case .tooLarge: "too large"
        case .duplicateKey: "duplicate key"
        case .badField(let field, _): "field '\(field.prefix(32))'"  // names from our own CodingKeys: a fixed few
        }
    }
}
