import GridLinkCore

/// The outbox bound gridlinkd applies and where it came from (`gridlinkctl status`).
public struct OutboxBoundReport: Codable, Sendable, Equatable {
    /// Most stored payload bytes; 0 = unlimited (only when the profile says so).
    public var maxBytes: Int
    /// Most stored events; 0 = no row limit.
    public var maxRows: Int
    /// `configured`, `filesystem_default` or `floor_default` (see `OutboxBoundSource`).
    public var source: OutboxBoundSource
    /// Size of the state directory's filesystem, when it was read.
    public var filesystemBytes: UInt64?

    public init(_ bound: EffectiveOutboxBound) {
        maxBytes = bound.limits.maxBytes
        maxRows = bound.limits.maxRows
        source = bound.source
        filesystemBytes = bound.filesystemBytes
    }

    /// One line for people: "max_bytes 238 MiB (default: 1/64 of the 15.9 GB state filesystem), no row limit".
    public var summary: String {
        let bytes = maxBytes > 0 ? "max_bytes \(maxBytes >> 20) MiB (\(maxBytes))" : "max_bytes unlimited"
        let rows = maxRows > 0 ? "max_rows \(maxRows)" : "no row limit"
        let origin: String = switch source {
        case .configured: "set in [outbox]"
        case .filesystemDefault: "default: 1/\(OutboxDefaultBound.divisor) of the \(String(format1: Double(filesystemBytes ?? 0) / 1e9)) GB state filesystem, floor \(OutboxDefaultBound.floorBytes >> 20) MiB, cap \(OutboxDefaultBound.capBytes >> 20) MiB"
        case .floorDefault: "default floor: the state filesystem's size could not be read"
        }
        return "\(bytes) — \(origin); \(rows)"
    }
}

extension String {
    /// One decimal, without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}
