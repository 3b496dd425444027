import Dispatch
import GridLinkCore
#if canImport(Glibc)
import Glibc
#endif

/// What the loops said while answering a heartbeat, for the `STATUS=` line.
public struct LoopReport: Sendable, Equatable {
    public var brokerConnected: Bool?
    public var outboxDepth: Int?
}

extension Daemon {
    /// The loops whose health the watchdog checks: each is a serial queue that must keep moving
    /// (`gate` only on a gate profile).
    public var loops: [String] { ["input"] + (gatePipeline == nil ? [] : ["gate"]) + ["outbox", "uplink"] }

    /// Sends one heartbeat through each loop's queue. `answer` runs on that loop's queue once it
    /// reaches the heartbeat — never, if the loop is wedged.
    public func heartbeat(_ answer: @escaping @Sendable (_ loop: String, _ report: LoopReport) -> Void) {
        pipeline.heartbeat { answer("input", LoopReport()) }
        gatePipeline?.heartbeat { answer("gate", LoopReport()) }
        outbox.use({ try $0.stats().total }) { result in
            answer("outbox", LoopReport(outboxDepth: try? result.get()))
        }
        uplink.heartbeat { stats in answer("uplink", LoopReport(brokerConnected: stats.connected)) }
    }

    #if DEBUG
    /// Test builds only: `GRIDLINK_TEST_WEDGE=<loop>` blocks that loop's queue forever,
    /// `GRIDLINK_TEST_WEDGE_AFTER_MS` (default 1000) after start, so tests can see the watchdog
    /// pings stop. Release builds do not contain this.
    func wedgeLoopIfAskedForTesting() {
        guard let raw = getenv("GRIDLINK_TEST_WEDGE") else { return }
        let loop = String(cString: raw)
        let afterMs = getenv("GRIDLINK_TEST_WEDGE_AFTER_MS").flatMap { Int(String(cString: $0)) } ?? 1000
        logger.warning("test build: wedging the \(loop) loop in \(afterMs) ms (GRIDLINK_TEST_WEDGE)")
        let block: @Sendable () -> Void = { while true { sleep(60) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(afterMs)) { [self] in
            switch loop {
            case "input": pipeline.heartbeat(block)
            case "gate" where gatePipeline != nil: gatePipeline?.heartbeat(block)
            case "outbox": outbox.use({ _ in block() }) { _ in }
            case "uplink": uplink.heartbeat { _ in block() }
            default: logger.error("GRIDLINK_TEST_WEDGE=\(loop): unknown loop; use one of \(loops.joined(separator: ", "))")
            }
        }
    }
    #endif
}
