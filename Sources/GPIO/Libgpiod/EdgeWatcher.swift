import CGPIOD
import GridLinkCore
#if canImport(Glibc)
import Glibc
#endif

/// The thread that waits on a `LibgpiodChip`'s input fds with poll() — no timeout, no busy loop —
/// and hands each edge to `onEdge` in kernel order. `stop` wakes it through an eventfd and joins it.
final class EdgeWatcher: Sendable {
    /// The write end of the wake pipe; the thread polls the read end.
    private let wakeFd: Int32
    private let wakeReadFd: Int32
    private let thread: pthread_t

    private init(wakeFd: Int32, wakeReadFd: Int32, thread: pthread_t) {
        self.wakeFd = wakeFd
        self.wakeReadFd = wakeReadFd
        self.thread = thread
    }

    /// The closure handed through pthread_create's `void *` argument.
    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    static func start(chip: LibgpiodChip, fds: [Int32], initialLevels: [Int: Bool],
                      onEdge: @escaping @Sendable (EdgeEvent) -> Void) throws(GPIOError) -> EdgeWatcher {
        var pipeFds: [Int32] = [-1, -1]
        guard pipe(&pipeFds) == 0 else {
            throw GPIOError(chip: chip.label, operation: "watch inputs", detail: "pipe: \(String(cString: strerror(errno)))")
        }
        let (wakeReadFd, wakeFd) = (pipeFds[0], pipeFds[1])
        let loop = Body { runLoop(chip: chip, fds: fds, wakeFd: wakeReadFd, levels: initialLevels, onEdge: onEdge) }
        let context = Unmanaged.passRetained(loop).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            Glibc.close(wakeFd)
            Glibc.close(wakeReadFd)
            throw GPIOError(chip: chip.label, operation: "watch inputs", detail: "cannot start the edge thread: \(String(cString: strerror(rc)))")
        }
        return EdgeWatcher(wakeFd: wakeFd, wakeReadFd: wakeReadFd, thread: thread)
    }

    func stop() {
        var byte: UInt8 = 1
        _ = write(wakeFd, &byte, 1)
        if pthread_equal(thread, pthread_self()) == 0 { pthread_join(thread, nil) }
        Glibc.close(wakeFd)
        Glibc.close(wakeReadFd)
    }

    private static func runLoop(chip: LibgpiodChip, fds: [Int32], wakeFd: Int32, levels: [Int: Bool],
                                onEdge: @Sendable (EdgeEvent) -> Void) {
        var continuity = EdgeContinuity(levels: levels)
        var polled = (fds + [wakeFd]).map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            for index in polled.indices { polled[index].revents = 0 }
            if poll(&polled, nfds_t(polled.count), -1) < 0 {
                if errno == EINTR { continue }
                chip.onProblem("gpio \(chip.label): poll: \(String(cString: strerror(errno))); edge watching stopped")
                return
            }
            if polled[polled.count - 1].revents != 0 { return }
            for index in fds.indices where polled[index].revents != 0 {
                if polled[index].revents & Int16(POLLNVAL | POLLHUP) != 0 {
                    chip.onProblem("gpio \(chip.label): the line request was closed under us (chip removed?); edge watching stopped")
                    return
                }
                var resync = false
                switch chip.readEvents(fd: fds[index]) {
                case .failure(let error):
                    chip.counterStore.withLock { $0.readErrors += 1 }
                    chip.onProblem("\(error); re-reading the line levels")
                    resync = true
                case .success(let events):
                    for (raw, activeLow) in events {
                        let high = raw.active != activeLow
                        let offset = Int(raw.offset)
                        let verdict = continuity.accept(offset: offset, high: high, seqno: raw.line_seqno)
                        if verdict != .resync {
                            chip.counterStore.withLock { $0.edges += 1 }
                            onEdge(EdgeEvent(offset: offset, high: high, timestampNs: raw.timestamp_ns))
                        }
                        if verdict != .deliver { resync = true }
                    }
                }
                if resync { resynchronise(chip: chip, continuity: &continuity, onEdge: onEdge) }
            }
        }
    }

    /// Edges were lost or a read failed: read every level again and report what changed, stamped now.
    private static func resynchronise(chip: LibgpiodChip, continuity: inout EdgeContinuity, onEdge: @Sendable (EdgeEvent) -> Void) {
        chip.counterStore.withLock { $0.resyncs += 1 }
        var changed: [Int] = []
        for offset in chip.watchedOffsets {
            guard let high = try? chip.readInput(offset: offset) else { continue }
            if continuity.resynchronised(offset: offset, high: high) {
                changed.append(offset)
                onEdge(EdgeEvent(offset: offset, high: high, timestampNs: monotonicNow()))
            }
        }
        chip.onProblem("gpio \(chip.label): edges were lost (kernel event FIFO overflow or read error); levels re-read, \(changed.count) line(s) changed")
    }

    private static func monotonicNow() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
