#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small POSIX socket helpers for 127.0.0.1, shared by the broker and proxy helpers.
enum LoopbackSocket {
    /// `sockaddr_in` for 127.0.0.1:`port` (0 asks the kernel to choose).
    static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A TCP socket file descriptor, or -1.
    static func makeTCP() -> Int32 {
        socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    static func bind(_ fd: Int32, port: UInt16) -> Bool {
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = address(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func connect(_ fd: Int32, port: UInt16) -> Bool {
        var address = address(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// The port a bound socket got.
    static func localPort(_ fd: Int32) -> UInt16? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        return ok ? UInt16(bigEndian: address.sin_port) : nil
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` right now.
    static func accepts(port: UInt16) -> Bool {
        let fd = makeTCP()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return connect(fd, port: port)
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago: bind to port 0, read the port the kernel
/// chose, close. (Another process could take it before the caller binds; on a test machine
/// that is rare enough.)
public func freeLoopbackPort() -> UInt16 {
    let fd = LoopbackSocket.makeTCP()
    precondition(fd >= 0, "socket() failed: errno \(errno)")
    defer { close(fd) }
    precondition(LoopbackSocket.bind(fd, port: 0), "bind(127.0.0.1:0) failed: errno \(errno)")
    guard let port = LoopbackSocket.localPort(fd) else { preconditionFailure("getsockname failed: errno \(errno)") }
    return port
}
