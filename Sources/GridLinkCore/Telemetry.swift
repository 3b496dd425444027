/// The periodic health report on `…/telemetry` (docs/schema/event-v1.md, "Telemetry").
public struct TelemetryReport: Codable, Sendable, Equatable {
    /// Depth and age of one class in the outbox.
    public struct ClassDepth: Codable, Sendable, Equatable {
        public var depth: Int
        /// Seconds since the first-stored event of the class was stored; nil when empty.
        public var oldestAgeS: Double?
        public init(depth: Int, oldestAgeS: Double?) {
            self.depth = depth
            self.oldestAgeS = oldestAgeS
        }
        enum CodingKeys: String, CodingKey {
            case depth
            case oldestAgeS = "oldest_age_s"
        }
    }

    /// Wall clock status, so central knows how far to trust `time.wall`.
    public struct ClockStatus: Codable, Sendable, Equatable {
        public var synced: Bool
        public var boot: String
        public var monoNs: UInt64
        public init(synced: Bool, boot: String, monoNs: UInt64) {
            self.synced = synced
            self.boot = boot
            self.monoNs = monoNs
        }
        enum CodingKeys: String, CodingKey {
            case synced, boot
            case monoNs = "mono_ns"
        }
    }

    public var v = 1
    /// `alarm`, `request`, `routine` → depth and oldest age.
    public var outbox: [String: ClassDepth]
    /// Everything dropped or refused since the daemon started, `{class}_{outcome}_{reason}` → count.
    public var drops: [String: Int64]
    /// Successful connections since start (the first one included).
    public var reconnects: Int
    /// Seconds since the broker last acknowledged an event; nil if none since start.
    public var lastPubackAgeS: Double?
    public var clock: ClockStatus
    public var uptimeS: Double
    /// The broker this connection is on (`host:port`).
    public var broker: String
    /// Storage health and the quarantines not yet cleared by a technician.
    public var storage: StorageReport?

    enum CodingKeys: String, CodingKey {
        case v, outbox, drops, reconnects, clock, broker, storage
        case lastPubackAgeS = "last_puback_age_s"
        case uptimeS = "uptime_s"
    }

    /// Composes the report from raw readings; pure (ages clamp at 0 when the wall clock stepped back).
    public static func compose(
        depth: [EventClass: Int], oldestStoredWallMs: [EventClass: Int64], nowWallMs: Int64,
        drops: [String: Int64], reconnects: Int, lastPubackMonoNs: UInt64?, nowMonoNs: UInt64, startedMonoNs: UInt64,
        synced: Bool, boot: String, broker: String, storage: StorageReport? = nil
    ) -> TelemetryReport {
        var outbox: [String: ClassDepth] = [:]
        for eventClass in EventClass.allCases {
            let age = oldestStoredWallMs[eventClass].map { Double(max(0, nowWallMs - $0)) / 1000 }
            outbox[eventClass.rawValue] = ClassDepth(depth: depth[eventClass] ?? 0, oldestAgeS: age)
        }
        func seconds(since ns: UInt64) -> Double { nowMonoNs > ns ? Double(nowMonoNs - ns) / 1e9 : 0 }
        return TelemetryReport(
            outbox: outbox, drops: drops, reconnects: reconnects, lastPubackAgeS: lastPubackMonoNs.map(seconds(since:)),
            clock: ClockStatus(synced: synced, boot: boot, monoNs: nowMonoNs), uptimeS: seconds(since: startedMonoNs),
            broker: broker, storage: storage)
    }

    /// Compact JSON with sorted keys.
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? []
    }
}
