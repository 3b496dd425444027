/// Where the outbox's effective `max_bytes` came from (shown by `gridlinkctl status`).
public enum OutboxBoundSource: String, Sendable, Equatable, Codable {
    /// `[outbox] max_bytes` in the profile (0 there means explicitly unlimited).
    case configured
    /// The built-in default, derived from the size of the state directory's filesystem.
    case filesystemDefault = "filesystem_default"
    /// No `max_bytes` in the profile and the filesystem size could not be read: the floor.
    case floorDefault = "floor_default"
}

/// The `[outbox]` limits the daemon really applies, and why.
public struct EffectiveOutboxBound: Sendable, Equatable {
    public var limits: OutboxLimits
    public var source: OutboxBoundSource
    /// Size of the state directory's filesystem in bytes, when it was read.
    public var filesystemBytes: UInt64?

    public init(limits: OutboxLimits, source: OutboxBoundSource, filesystemBytes: UInt64?) {
        self.limits = limits
        self.source = source
        self.filesystemBytes = filesystemBytes
    }
}

/// The outbox bound a profile gets when it sets no `[outbox] max_bytes`, so that a kiosk offline
/// for weeks can never fill its SD card (see docs/config.md, "A bound by default").
///
/// `max_bytes` (the sum of stored payloads) defaults to 1/64 of the filesystem's size, at least
/// `floorBytes` and at most `capBytes`. With SQLite's row and index overhead and the WAL the file
/// takes at most about twice the payload bytes, so the outbox never takes more than ~3 % of the
/// card, leaving the OS, the journal and updates their room. The size (not the free space) is used
/// so the bound is the same on every start. Pure: the caller reads the size (statvfs) at the edge.
public enum OutboxDefaultBound {
    /// The filesystem fraction: 1/64.
    public static let divisor: UInt64 = 64
    /// 8 MiB: ~20 000 events of ~400 bytes, even on a tiny or unreadable filesystem.
    public static let floorBytes = 8 << 20
    /// 256 MiB: ~600 000 events, months of a busy gate offline; beyond that more buys nothing.
    public static let capBytes = 256 << 20

    /// The default `max_bytes` for a filesystem of `filesystemBytes` (nil: unknown → the floor).
    public static func maxBytes(filesystemBytes: UInt64?) -> Int {
        guard let size = filesystemBytes else { return floorBytes }
        let share = size / divisor
        return Int(min(max(share, UInt64(floorBytes)), UInt64(capBytes)))
    }

    /// What the daemon applies: the profile's `max_bytes` when it sets one (0 = explicitly
    /// unlimited), otherwise the default; `max_rows` is always the profile's (0 = none).
    public static func effective(configured: OutboxLimits, maxBytesConfigured: Bool, filesystemBytes: UInt64?) -> EffectiveOutboxBound {
        if maxBytesConfigured {
            return EffectiveOutboxBound(limits: configured, source: .configured, filesystemBytes: filesystemBytes)
        }
        var limits = configured
        limits.maxBytes = maxBytes(filesystemBytes: filesystemBytes)
        return EffectiveOutboxBound(limits: limits, source: filesystemBytes == nil ? .floorDefault : .filesystemDefault,
                                    filesystemBytes: filesystemBytes)
    }
}
