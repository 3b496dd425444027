import Dispatch
import GridLinkCore
import MQTTClient
import Outbox

/// What the uplink publishes besides stored events: the `device.overflow` report, telemetry and
/// answers to commands. Everything here runs on the uplink's queue.
extension Uplink {
    /// Online only: turns the outbox's overflow ledger into one stored `device.overflow` event
    /// (class request, so it overtakes routine rows) and drains it like any other event.
    func reportOverflow() {
        guard connection != nil, stats.connected else { return }
        let now = clock.nowMonotonicNs()
        let time = clock.eventTime(atMonotonic: now)
        let id = ids.next(unixMillis: UInt64(max(0, clock.nowWallMs())), random: &random).description
        let wallMs = clock.nowWallMs()
        outbox.use({ outbox in
            try outbox.storeOverflowReport(storedWallMs: wallMs, storedMonoNs: now) { ledger in
                NewEvent(id: id, kind: .deviceOverflow, source: "outbox", time: time, data: ledger.eventData)
            }
        }) { [self] result in
            queue.async { [self] in
                switch result {
                case .success(let row?):
                    stats.overflowReports += 1
                    lastOverflowReportNs = now
                    logger.info("uplink: reported what the full outbox dropped or refused as device.overflow seq \(row.seq)")
                    drain()
                case .success(nil):
                    break
                case .failure(let error):
                    logger.error("outbox: cannot store the device.overflow report: \(error)")
                }
            }
        }
    }

    /// New overflow was counted: report it if online (else at the next connect), at most once
    /// per `overflowReportGapNs`; what is counted meanwhile goes into the next report.
    public func overflowOccurred() {
        queue.async { [self] in
            guard !overflowReportScheduled else { return }
            let now = clock.nowMonotonicNs()
            guard let last = lastOverflowReportNs, now < last + Self.overflowReportGapNs else { return reportOverflow() }
            overflowReportScheduled = true
            let delay = DispatchTimeInterval.nanoseconds(Int(last + Self.overflowReportGapNs - now))
            queue.asyncAfter(deadline: DispatchTime.now() + delay) { [self] in
                overflowReportScheduled = false
                reportOverflow()
            }
        }
    }

    /// Publishes `…/telemetry` (QoS 0: the next one replaces a lost one; not retained).
    func publishTelemetry() {
        guard connection != nil, stats.connected else { return }
        let drops = outbox.dropsSinceStart
        let storage = outbox.storageReport
        outbox.use({ try $0.stats() }) { [self] result in
            queue.async { [self] in
                guard let connection, stats.connected else { return }
                guard case .success(let outboxStats) = result else {
                    logger.warning("uplink: telemetry skipped, cannot read the outbox")
                    return
                }
                let report = TelemetryReport.compose(
                    depth: outboxStats.depth, oldestStoredWallMs: outboxStats.oldestStoredWallMs, nowWallMs: clock.nowWallMs(),
                    drops: drops, reconnects: stats.reconnects, lastPubackMonoNs: stats.lastPubackMonoNs,
                    nowMonoNs: clock.nowMonotonicNs(), startedMonoNs: startedMonoNs, synced: clock.isClockSynchronised(),
                    boot: clock.bootId, broker: stats.broker, storage: storage)
                do {
                    _ = try connection.publish(MQTTMessage(topic: config.topics.telemetry, payload: report.jsonBytes(), qos: 0, retain: false))
                    stats.telemetrySent += 1
                } catch {
                    logger.warning("uplink: cannot publish telemetry: \(error)")
                }
            }
        }
    }

    /// A message on `…/cmd`: one of the safe commands, answered on `…/cmd/reply`; anything else
    /// is counted and ignored like a malformed ack.
    func command(_ message: MQTTMessage) {
        let command: DownlinkCommand
        switch DownlinkCommand.parse(message.payload) {
        case .success(let parsed): command = parsed
        case .failure(let error): return ignore(group: "cmd: \(error.kind)", "command ignored: \(error)")
        }
        let detail: String
        switch command.cmd {
        case .ping:
            detail = "pong"
        case .telemetryNow:
            publishTelemetry()
            detail = "telemetry published on \(config.topics.telemetry)"
        case .ledTest:
            onLedTest()
            detail = "all feedback LEDs lit for \(FeedbackController.ledTestMs) ms"
        }
        logger.info("downlink: command \(command.cmd.rawValue) (\(command.id))")
        let uptime = Double(clock.nowMonotonicNs() - startedMonoNs) / 1e9
        let reply = CommandReply(id: command.id, cmd: command.cmd.rawValue, ok: true, detail: detail, uptimeS: uptime, version: GridLinkVersion.current)
        do {
            _ = try connection?.publish(MQTTMessage(topic: config.topics.commandReply, payload: reply.jsonBytes(), qos: 1, retain: false))
            stats.commandsAnswered += 1
        } catch {
            logger.warning("uplink: cannot answer command \(command.id): \(error)")
        }
    }
}
