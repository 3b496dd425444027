import GridLinkCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads the size of the filesystem holding the state directory (statvfs), the one fact the
/// pure `OutboxDefaultBound` needs from the host.
enum StateFilesystem {
    /// Total size in bytes (`f_blocks × f_frsize`), or nil if statvfs fails.
    static func sizeBytes(of path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_blocks) * UInt64(info.f_frsize)
    }

    /// The bound the daemon applies for `config`, with the filesystem read here.
    static func outboxBound(for config: DeviceConfig) -> EffectiveOutboxBound {
        OutboxDefaultBound.effective(configured: config.outboxLimits, maxBytesConfigured: config.outboxMaxBytesConfigured,
                                     filesystemBytes: sizeBytes(of: config.paths.stateDir))
    }
}
