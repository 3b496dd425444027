import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A TCP relay on 127.0.0.1 in front of another local port, to simulate a network that drops.
///
/// Clients connect to ``port``; each connection is relayed to 127.0.0.1:`targetPort`.
/// ``dropConnections()`` cuts every relayed connection at once on both sides, as a dead link
/// looks to the broker: the socket closes without an MQTT DISCONNECT, so the broker publishes
/// the client's will while the client sees its connection lost.
public final class TCPProxy: @unchecked Sendable {
    // @unchecked Sendable is safe because the mutable fields (`pairs`, `stopped`) are only used
    // while holding `lock`; the file descriptors are closed only by the thread that owns them,
    // after removing them from `pairs` under the lock, so no other thread can touch a reused fd.

    /// The port clients connect to.
    public let port: UInt16
    private let targetPort: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var pairs: [Int: (client: Int32, server: Int32)] = [:]
    private var nextPairID = 0
    private var stopped = false
    private var stalled = false

    /// Listens on a free loopback port and starts accepting.
    public init(targetPort: UInt16) throws {
        self.targetPort = targetPort
        listener = LoopbackSocket.makeTCP()
        guard listener >= 0, LoopbackSocket.bind(listener, port: 0), listen(listener, 16) == 0,
              let port = LoopbackSocket.localPort(listener) else {
            let reason = String(cString: strerror(errno))
            if listener >= 0 { close(listener) }
            throw BrokerError("proxy listen failed: \(reason)")
        }
        self.port = port
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit {
        stop()
    }

    /// Cuts every connection relayed so far; new connections are still accepted.
    public func dropConnections() {
        lock.withLock {
            for pair in pairs.values {
                shutdown(pair.client, Int32(SHUT_RDWR))
                shutdown(pair.server, Int32(SHUT_RDWR))
            }
        }
    }

    /// `true` makes the link go silent, as a blackholed route does: from now on nothing is
    /// forwarded and nothing is closed (no FIN, no RST) — open connections stay open on both sides
    /// with their bytes unread, and new connections are accepted but never connected upstream.
    /// Neither end learns anything until its keepalive runs out. `false` forwards again (on the
    /// connections still open).
    public func blackhole(_ on: Bool) { lock.withLock { stalled = on } }

    private var isStalled: Bool { lock.withLock { stalled } }

    /// Stops accepting and cuts every connection.
    public func stop() {
        let wasStopped = lock.withLock {
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))  // wakes accept(), which then closes the listener
        dropConnections()
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)  // brokers started later must not inherit it
            while isStalled && !lock.withLock({ stopped }) { usleep(20_000) }  // a silent link: the client waits
            let server = LoopbackSocket.makeTCP()
            guard server >= 0, LoopbackSocket.connect(server, port: targetPort) else {
                close(client)
                if server >= 0 { close(server) }
                continue
            }
            let id: Int? = lock.withLock {
                guard !stopped else { return nil }
                nextPairID += 1
                pairs[nextPairID] = (client, server)
                return nextPairID
            }
            guard let id else {
                close(client)
                close(server)
                return
            }
            Thread.detachNewThread { [self] in relay(id: id, client: client, server: server) }
        }
    }

    /// Copies bytes both ways until either side closes or fails, then closes both.
    private func relay(id: Int, client: Int32, server: Int32) {
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: server, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        loop: while true {
            if isStalled {
                // Read nothing, close nothing: both peers see a link that just went quiet.
                if lock.withLock({ stopped }) { break }
                usleep(20_000)
                continue
            }
            let ready = poll(&fds, 2, 50)
            if ready == 0 { continue }
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                let source = entry.fd
                let sink = index == 0 ? server : client
                let count = read(source, &buffer, buffer.count)
                guard count > 0, writeAll(sink, buffer[0..<count]) else { break loop }
            }
        }
        lock.withLock { _ = pairs.removeValue(forKey: id) }
        close(client)
        close(server)
    }

    private func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
