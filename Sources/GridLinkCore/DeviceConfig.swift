/// Everything a device needs to run, as read from its TOML profile (see device-config/ and
/// docs/config.md). Plain values: parsing lives in the ConfigFile target, checks in `validate()`.
public struct DeviceConfig: Sendable, Equatable {
    /// Community / grid id, `[a-z0-9_-]{1,64}`: the second topic level.
    public var site: String
    /// Device id, `[a-z0-9_-]{1,64}`: the third topic level and part of the MQTT client id.
    public var device: String
    /// `kiosk`, `gate` or `demo`; reported in the birth message.
    public var profile: String
    public var paths: PathsConfig
    public var broker: BrokerConfig
    public var uplink: UplinkConfig
    public var gpio: GPIOConfig
    public var buttons: [ButtonConfig]
    /// The gate's inputs (profile `gate` only).
    public var gate: GateConfig?
    public var feedback: FeedbackConfig
    /// `[outbox]`: size limits (0 = unlimited) and the per-class policy of OverflowPolicy.
    public var outboxLimits = OutboxLimits()
    /// The profile sets `[outbox] max_bytes`; otherwise `OutboxDefaultBound` applies.
    public var outboxMaxBytesConfigured = false
    /// Further brokers after `broker` (`[[broker]]` tables or `--broker a:1883,b:1883`), tried in
    /// order on failure with the same backoff and the same client id.
    public var backupBrokers: [BrokerConfig] = []
    /// `[telemetry] interval_s`: how often `…/telemetry` is published while connected; 0 = never.
    public var telemetryIntervalS = 60

    public init(
        site: String, device: String, profile: String, paths: PathsConfig = .init(), broker: BrokerConfig = .init(),
        uplink: UplinkConfig = .init(), gpio: GPIOConfig = .init(), buttons: [ButtonConfig] = [],
        gate: GateConfig? = nil, feedback: FeedbackConfig = .init()
    ) {
        self.site = site
        self.device = device
        self.profile = profile
        self.paths = paths
        self.broker = broker
        self.uplink = uplink
        self.gpio = gpio
        self.buttons = buttons
        self.gate = gate
        self.feedback = feedback
    }

    /// The file inside the state directory that holds the outbox.
    public var outboxPath: String { paths.stateDir + "/outbox.sqlite" }

    /// The control socket: configured path, else `<state_dir>/gridlinkd.sock` when the state
    /// directory was overridden on the command line, else the packaged default under /run.
    public var controlSocketPath: String {
        if let configured = paths.controlSocket { return configured }
        return paths.stateDirOverridden ? paths.stateDir + "/gridlinkd.sock" : PathsConfig.defaultControlSocket
    }

    /// Stable MQTT client id, so the broker resumes the persistent session after every reconnect.
    public var clientId: String { "gridlink-\(site)-\(device)" }

    public var topics: Topics { Topics(site: site, device: device) }

    /// Every configured broker, in the order they are tried.
    public var brokers: [BrokerConfig] { [broker] + backupBrokers }
}

/// Where the daemon keeps its state.
public struct PathsConfig: Sendable, Equatable {
    public static let defaultStateDir = "/var/lib/gridlink"
    public static let defaultControlSocket = "/run/gridlink/gridlinkd.sock"

    public var stateDir: String
    public var controlSocket: String?
    /// True when `--state-dir` replaced the configured directory (moves the default socket with it).
    public var stateDirOverridden: Bool

    public init(stateDir: String = PathsConfig.defaultStateDir, controlSocket: String? = nil, stateDirOverridden: Bool = false) {
        self.stateDir = stateDir
        self.controlSocket = controlSocket
        self.stateDirOverridden = stateDirOverridden
    }
}

/// The MQTT broker the device publishes to.
public struct BrokerConfig: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var keepaliveSeconds: Int
    /// TLS, client certificate and credentials (see BrokerSecurity.swift).
    public var security: BrokerSecurity

    public init(host: String = "127.0.0.1", port: Int = 1883, keepaliveSeconds: Int = 30, security: BrokerSecurity = .init()) {
        self.host = host
        self.port = port
        self.keepaliveSeconds = keepaliveSeconds
        self.security = security
    }
}

/// How the outbox is drained to the broker.
public struct UplinkConfig: Sendable, Equatable {
    /// Most events handed to libmosquitto and not yet acknowledged (PUBACK).
    public var inflightWindow: Int
    public var backoffInitialMs: Int
    public var backoffMaxMs: Int
    /// `uplink.drain_rate_per_s`: most backlog events (requests, routine) published per second;
    /// alarms are not paced. 0 = as fast as PUBACKs come back.
    public var drainRatePerS = 0

    public init(inflightWindow: Int = 32, backoffInitialMs: Int = 500, backoffMaxMs: Int = 60_000) {
        self.inflightWindow = inflightWindow
        self.backoffInitialMs = backoffInitialMs
        self.backoffMaxMs = backoffMaxMs
    }
}

/// A GPIO line, by offset on the chip or by the name `gpioinfo` shows.
public enum LineRef: Sendable, Hashable, CustomStringConvertible {
    case offset(Int)
    case name(String)

    public var description: String {
        switch self {
        case .offset(let offset): "line \(offset)"
        case .name(let name): "line '\(name)'"
        }
    }
}

/// Which chip and how inputs are filtered.
public struct GPIOConfig: Sendable, Equatable {
    /// The word that selects the simulated chip instead of a real one.
    public static let simulatedChip = "sim"

    /// `sim`, or a chip path (`/dev/gpiochip0`), name (`gpiochip0`) or label.
    public var chip: String
    /// A level counts once it has been stable this long.
    public var debounceMs: Int
    /// Held this long, a press is long; it fires at this moment, while still held.
    public var longPressMs: Int
    /// Held this long, the button is reported once as stuck instead of pressed.
    public var stuckMs: Int
    /// A second press starting within this long after a release makes a double press; 0 (the
    /// default) disables double presses, so a short press is reported with no added delay.
    public var doublePressMs: Int

    public init(chip: String = GPIOConfig.simulatedChip, debounceMs: Int = 30, longPressMs: Int = 1500, stuckMs: Int = 30_000, doublePressMs: Int = 0) {
        self.chip = chip
        self.debounceMs = debounceMs
        self.longPressMs = longPressMs
        self.stuckMs = stuckMs
        self.doublePressMs = doublePressMs
    }

    public var isSimulated: Bool { chip == GPIOConfig.simulatedChip }
}

/// One kiosk button.
public struct ButtonConfig: Sendable, Equatable {
    /// The name technicians and `gridlinkctl sim press NAME` use, and the event's `source`.
    public var name: String
    public var line: LineRef
    public var kind: EventKind
    /// True when pressing pulls the line low (the usual wiring with a pull-up).
    public var activeLow: Bool
    /// The pull resistor requested with the line (`bias = "pull-up"`); `as-is` keeps the board's.
    public var bias: LineBias

    public init(name: String, line: LineRef, kind: EventKind, activeLow: Bool = true, bias: LineBias = .asIs) {
        self.name = name
        self.line = line
        self.kind = kind
        self.activeLow = activeLow
        self.bias = bias
    }
}

/// The kiosk's feedback outputs; each is optional.
public struct FeedbackConfig: Sendable, Equatable {
    public var receivedLine: LineRef?
    public var acceptedLine: LineRef?
    public var doneLine: LineRef?
    /// Optional device status LED: steady online, slow blink offline, fast blink cannot store.
    public var statusLine: LineRef?
    /// Optional buzzer: a short chirp when a press is stored, three beeps when it is refused.
    public var buzzerLine: LineRef?
    /// `done_clear_s`: seconds a finished request ("done", "rejected") stays on the LEDs before
    /// they show the next open request or idle.
    public var doneClearS = 30

    public init(receivedLine: LineRef? = nil, acceptedLine: LineRef? = nil, doneLine: LineRef? = nil,
                statusLine: LineRef? = nil, buzzerLine: LineRef? = nil) {
        self.receivedLine = receivedLine
        self.acceptedLine = acceptedLine
        self.doneLine = doneLine
        self.statusLine = statusLine
        self.buzzerLine = buzzerLine
    }

    /// The configured outputs by name (`received`, `accepted`, `done`, `status`, `buzzer`).
    public var outputs: [(name: String, line: LineRef)] {
        [("received", receivedLine), ("accepted", acceptedLine), ("done", doneLine), ("status", statusLine), ("buzzer", buzzerLine)]
            .compactMap { entry in entry.1.map { (entry.0, $0) } }
    }
}
