import Dispatch
import GridLinkCore
import Logging

/// Runs heartbeat rounds over the daemon's loops and tells systemd what it found: WATCHDOG=1 only
/// while every loop answered the previous round, and a `STATUS=` line whenever the summary
/// changes (broker connected or not, events waiting, or which loop is stuck).
///
/// The status line does not wait for the next round: the daemon's `stateChanged` (broker
/// connected or lost, event stored) asks the loops at once (coalesced over `refreshDelayMs`), and
/// while a backlog drains to a connected broker the count is refreshed every second.
///
/// Without a watchdog (`WatchdogSec=` unset) it still runs rounds every `statusIntervalNs` to keep
/// the status current; without NOTIFY_SOCKET it is not started at all.
public final class HealthMonitor: @unchecked Sendable {
    // @unchecked: every mutable field is touched only on `queue`.
    private let daemon: Daemon
    private let notifications: ServiceNotifications
    private let plan: WatchdogPlan?
    private let intervalNs: UInt64
    private let logger: Logger
    private let queue = DispatchQueue(label: "gridlink.health")
    private var timer: DispatchSourceTimer?
    private var round: HeartbeatRound
    private var report = LoopReport()
    private var lastStatus = ""
    private var wasSilent: [String] = []
    private var refreshPending = false
    private let refreshDelayMs = 100
    private let drainRefreshMs = 1000

    public init(daemon: Daemon, notifications: ServiceNotifications, plan: WatchdogPlan?, logger: Logger,
                statusIntervalNs: UInt64 = 10_000_000_000) {
        self.daemon = daemon
        self.round = HeartbeatRound(loops: daemon.loops)
        self.notifications = notifications
        self.plan = plan
        self.intervalNs = plan?.pingIntervalNs ?? statusIntervalNs
        self.logger = logger
    }

    /// Starts the first round now and judges one every interval.
    public func start() {
        if let plan {
            logger.info("watchdog: feeding systemd every \(plan.pingIntervalNs / 1_000_000) ms while the \(daemon.loops.joined(separator: ", ")) loops answer")
        }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .nanoseconds(Int(intervalNs)), repeating: .nanoseconds(Int(intervalNs)))
        timer.setEventHandler { [weak self] in self?.tick() }
        queue.sync {
            self.timer = timer
            self.beginRound(round.next().round)
        }
        timer.resume()
        daemon.stateChanged.listen { [weak self] in self?.scheduleRefresh(afterMs: self?.refreshDelayMs ?? 0) }
    }

    /// Stops the rounds (at shutdown, before the loops are taken down).
    public func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
        }
    }

    private func tick() {
        guard timer != nil else { return }
        let (silent, next) = round.next()
        if silent.isEmpty {
            if plan != nil { notifications.watchdog() }
            if !wasSilent.isEmpty { logger.notice("watchdog: every loop answers again; feeding the watchdog") }
        } else if silent != wasSilent {
            let waited = intervalNs / 1_000_000
            logger.critical("watchdog: the \(silent.joined(separator: ", ")) loop did not answer its heartbeat within \(waited) ms; \(plan == nil ? "" : "no longer feeding the systemd watchdog, so systemd will restart gridlinkd (stored events stay in the outbox)")")
        }
        wasSilent = silent
        updateStatus(silent: silent)
        beginRound(next)
    }

    private func beginRound(_ number: Int) {
        daemon.heartbeat { [weak self] loop, report in
            guard let self else { return }
            self.queue.async {
                self.round.answer(loop, round: number)
                if let connected = report.brokerConnected { self.report.brokerConnected = connected }
                if let depth = report.outboxDepth { self.report.outboxDepth = depth }
            }
        }
    }

    /// Asks the loops for the status line's facts out of turn (not a watchdog round), once per delay.
    private func scheduleRefresh(afterMs delay: Int) {
        queue.async { [self] in
            guard timer != nil, !refreshPending else { return }
            refreshPending = true
            queue.asyncAfter(deadline: .now() + .milliseconds(delay)) { [weak self] in self?.refresh() }
        }
    }

    private func refresh() {
        refreshPending = false
        guard timer != nil else { return }
        daemon.heartbeat { [weak self] _, report in
            guard let self else { return }
            self.queue.async {
                if let connected = report.brokerConnected { self.report.brokerConnected = connected }
                if let depth = report.outboxDepth {
                    self.report.outboxDepth = depth
                    // Draining to the broker: the count falls with every PUBACK; follow it.
                    if depth > 0, self.report.brokerConnected == true { self.scheduleRefresh(afterMs: self.drainRefreshMs) }
                }
                guard self.timer != nil else { return }
                self.updateStatus(silent: self.wasSilent)
            }
        }
    }

    private func updateStatus(silent: [String]) {
        let status = Self.statusLine(report: report, silent: silent)
        guard status != lastStatus else { return }
        lastStatus = status
        notifications.status(status)
    }

    /// The `STATUS=` text for `systemctl status gridlinkd`.
    static func statusLine(report: LoopReport, silent: [String]) -> String {
        if !silent.isEmpty { return "unhealthy: the \(silent.joined(separator: ", ")) loop is not answering" }
        let broker = switch report.brokerConnected {
        case true?: "connected to the broker"
        case false?: "broker not connected (retrying)"
        case nil: "starting"
        }
        let depth = report.outboxDepth.map { ", \($0) event(s) waiting in the outbox" } ?? ""
        return broker + depth
    }
}
