import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The systemd side of sd_notify for tests: a real AF_UNIX datagram socket (a path, or an
/// abstract name when `name` starts with '@') that records every message gridlinkd sends.
final class NotifyListener: @unchecked Sendable {
    // @unchecked: `messages` is guarded by `lock`; the fd is closed only after the reader stops.
    struct Message {
        var at: Date
        var assignments: [String]
    }

    let name: String
    private let fd: Int32
    private let lock = NSLock()
    private var messages: [Message] = []
    private var closed = false
    private let reader = DispatchSemaphore(value: 0)

    init(name: String) throws {
        self.name = name
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count + (bytes.first == 0 ? 0 : 1)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard bound == 0 else { throw HarnessError("bind \(name): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in readLoop() }
    }

    deinit {
        lock.withLock { closed = true }
        reader.wait()
        close(fd)
        if !name.hasPrefix("@") { unlink(name) }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !lock.withLock({ closed }) {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { continue }
            let text = String(decoding: buffer[..<count], as: UTF8.self)
            let message = Message(at: Date(), assignments: text.split(separator: "\n").map(String.init))
            lock.withLock { messages.append(message) }
        }
        reader.signal()
    }

    /// Every message received so far, oldest first.
    var received: [Message] { lock.withLock { messages } }

    /// The messages containing `assignment` (e.g. "WATCHDOG=1").
    func messages(with assignment: String) -> [Message] {
        received.filter { $0.assignments.contains(assignment) }
    }
}
