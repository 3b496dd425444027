import Synchronization

/// Tells the status line that something `systemctl status gridlinkd` shows has changed: the broker
/// connected or went away, or an event was stored. Firing is cheap; the listener coalesces.
public final class StateChangeSignal: Sendable {
    private let listener = Mutex<(@Sendable () -> Void)?>(nil)

    public init() {}

    /// Sets the one listener (HealthMonitor); it runs on the thread that fires.
    public func listen(_ body: @escaping @Sendable () -> Void) { listener.withLock { $0 = body } }

    func fire() { listener.withLock { $0 }?() }
}
