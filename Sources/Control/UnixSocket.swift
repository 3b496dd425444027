#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed socket call on the control socket: the operation, the path and errno's text.
public struct ControlSocketError: Error, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    /// errno of the failed call, read right after it (0 when `reason` says what happened instead).
    public var errno: Int32
    /// What went wrong when no errno applies (the daemon closed the connection without answering).
    public var reason: String?

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public init(_ operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.errno = 0
        self.reason = reason
    }

    public var description: String {
        "\(operation) \(path): \(reason ?? String(cString: strerror(errno)))"
    }
}

/// The few POSIX socket calls the control socket needs, in one place: a Unix stream socket that
/// reads and writes whole newline-terminated lines.
enum UnixSocket {
    static func address(_ path: String) throws(ControlSocketError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw ControlSocketError("socket path too long (max \(capacity - 1) bytes):", path: path, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    static func withSockaddr<R>(_ address: inout sockaddr_un, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    static func newSocket(path: String) throws(ControlSocketError) -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ControlSocketError("socket for", path: path, errno: errno) }
        return fd
    }

    static func setTimeout(fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// What reading a line gave: the line, the peer closing before a newline (with what came),
    /// a failed read (errno taken right after the call), or more than the limit.
    enum LineRead: Equatable {
        case line([UInt8])
        case closed([UInt8])
        case failed(Int32)
        case tooLong
    }

    /// Reads until a newline, EOF or `limit` bytes.
    static func readLine(fd: Int32, limit: Int = 1 << 20) -> LineRead {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count <= limit {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                let error = errno
                if error == EINTR { continue }
                return .failed(error)
            }
            if count == 0 { return .closed(data) }
            if let newline = buffer[0..<count].firstIndex(of: 0x0A) {
                data += buffer[0..<newline]
                return .line(data)
            }
            data += buffer[0..<count]
        }
        return .tooLong
    }

    /// Writes every byte; on failure returns the errno of the failed call (EPIPE if the peer closed).
    static func writeAll(fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                let error = errno
                if error == EINTR { continue }
                return error
            }
            if written == 0 { return EPIPE }
            offset += written
        }
        return nil
    }

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }
}
