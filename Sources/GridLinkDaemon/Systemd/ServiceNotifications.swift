/// The sd_notify messages gridlinkd sends, by name (sd_notify(3)); does nothing without a notifier.
public struct ServiceNotifications: Sendable {
    private let notifier: SystemdNotifier?

    public init(notifier: SystemdNotifier?) {
        self.notifier = notifier
    }

    /// Whether systemd is listening (started with Type=notify).
    public var isActive: Bool { notifier != nil }

    /// The control socket listens and the uplink has started: systemd may start what waits for us.
    public func ready(status: String) { notifier?.send(["READY=1", "STATUS=\(status)"]) }

    /// A one-line state shown by `systemctl status gridlinkd`.
    public func status(_ status: String) { notifier?.send(["STATUS=\(status)"]) }

    /// Still starting (waiting for the GPIO chip): asks systemd for `seconds` more before its start
    /// timeout, so a missing chip means "activating, retrying" instead of a kill-and-restart loop.
    public func extendStart(seconds: Int, status: String) {
        notifier?.send(["EXTEND_TIMEOUT_USEC=\(seconds * 1_000_000)", "STATUS=\(status)"])
    }

    /// Every loop answered its heartbeat: keep the watchdog from firing.
    public func watchdog() { notifier?.send(["WATCHDOG=1"]) }

    /// Graceful shutdown has begun (draining in-flight events, disconnecting).
    public func stopping() { notifier?.send(["STOPPING=1", "STATUS=stopping: finishing in-flight events"]) }
}
