#if canImport(Glibc)
import Glibc
#endif

/// Why `NOTIFY_SOCKET` cannot be used; the daemon logs it once and runs without notifications.
public struct NotifySocketError: Error, CustomStringConvertible {
    public var description: String
}

/// The sd_notify protocol without libsystemd: each state change is one datagram of
/// newline-separated `KEY=value` assignments sent to the AF_UNIX socket systemd names in
/// `$NOTIFY_SOCKET` (a path, or an abstract name written with a leading '@').
///
/// This file is the only place the daemon makes socket calls for systemd.
public final class SystemdNotifier: Sendable {
    /// The socket as given, for log lines.
    public let socketName: String
    private let fd: Int32
    private let pathBytes: [UInt8]

    /// A notifier for `$NOTIFY_SOCKET`, nil when it is unset (not started by systemd with
    /// Type=notify).
    public static func fromEnvironment() throws(NotifySocketError) -> SystemdNotifier? {
        guard let raw = getenv("NOTIFY_SOCKET") else { return nil }
        return try SystemdNotifier(socket: String(cString: raw))
    }

    /// - Parameter socket: an absolute path, or `@name` for an abstract socket.
    public init(socket name: String) throws(NotifySocketError) {
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") {
            bytes[0] = 0  // abstract namespace: a leading NUL, no terminator
        } else if bytes.first != UInt8(ascii: "/") {
            throw NotifySocketError(description: "NOTIFY_SOCKET=\(name): neither an absolute path nor an abstract '@name'; running without systemd notifications")
        }
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        guard bytes.count < capacity else {
            throw NotifySocketError(description: "NOTIFY_SOCKET=\(name): longer than \(capacity - 1) bytes; running without systemd notifications")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw NotifySocketError(description: "NOTIFY_SOCKET: socket(AF_UNIX, SOCK_DGRAM): \(String(cString: strerror(errno)))")
        }
        self.socketName = name
        self.fd = fd
        self.pathBytes = bytes
    }

    deinit { close(fd) }

    /// Sends `assignments` (e.g. `["READY=1", "STATUS=running"]`) as one datagram.
    /// Returns false if the datagram could not be sent (systemd gone, socket full).
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)  // zero-filled after: path sockets are NUL-terminated
        }
        // Abstract names count exactly their bytes; paths include the terminating NUL.
        let length = MemoryLayout.offset(of: \sockaddr_un.sun_path)! + pathBytes.count + (pathBytes.first == 0 ? 0 : 1)
        let message = Array(assignments.joined(separator: "\n").utf8)
        let sent = message.withUnsafeBytes { payload in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, payload.baseAddress, payload.count, Int32(MSG_NOSIGNAL), $0, socklen_t(length))
                }
            }
        }
        return sent == message.count
    }
}
