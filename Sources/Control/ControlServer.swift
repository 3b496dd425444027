import Dispatch
import GridLinkCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's end of the control socket: accepts connections on a thread of its own, reads one
/// request line from each, hands it to `handler`, writes the reply line and closes.
///
/// The socket file is created mode 0660 (the service user and its group, i.e. technicians in the
/// `gridlink` group). A stale socket file left by a killed daemon is replaced.
public final class ControlServer: Sendable {
    public typealias Reply = @Sendable (ControlResponse) -> Void
    public let path: String
    private let listener: Int32
    private let handler: @Sendable (ControlRequest, @escaping Reply) -> Void
    private let stopped = Atomic<Bool>(false)

    public init(path: String, handler: @escaping @Sendable (ControlRequest, @escaping Reply) -> Void) throws(ControlSocketError) {
        self.path = path
        self.handler = handler
        var address = try UnixSocket.address(path)
        let fd = try UnixSocket.newSocket(path: path)
        // A stale socket from a killed daemon is removed; if that fails (a read-only filesystem, a
        // directory we may not write), say so: bind would only report "Address already in use".
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                UnixSocket.close(fd)
                throw ControlSocketError("bind control socket", path: path, reason: "a file that is not a socket is in the way; move it aside")
            }
            if unlink(path) != 0 {
                let error = errno
                UnixSocket.close(fd)
                throw ControlSocketError("remove the stale control socket", path: path, errno: error)
            }
        }
        let bound = UnixSocket.withSockaddr(&address) { bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = errno
            UnixSocket.close(fd)
            throw ControlSocketError("bind control socket", path: path, errno: error)
        }
        chmod(path, 0o660)
        guard listen(fd, 16) == 0 else {
            let error = errno
            UnixSocket.close(fd)
            throw ControlSocketError("listen on control socket", path: path, errno: error)
        }
        listener = fd
    }

    /// Starts accepting on a background thread.
    public func start() {
        // A blocking accept loop gets a queue of its own so it never starves Dispatch's pool.
        DispatchQueue(label: "gridlink.control.accept").async { [self] in acceptLoop() }
    }

    /// Stops accepting and removes the socket file.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        UnixSocket.close(listener)
        unlink(path)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            DispatchQueue.global().async { [self] in serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        UnixSocket.setTimeout(fd: fd, seconds: 5)
        let line: [UInt8]
        switch UnixSocket.readLine(fd: fd) {
        case .line(let read), .closed(let read): line = read
        case .failed, .tooLong:
            ControlServer.send(.failed(message: ControlRequestError.unreadable.description), to: fd)
            return
        }
        switch ControlRequest.decode(line) {
        case .success(let request):
            handler(request) { response in ControlServer.send(response, to: fd) }
        case .failure(let error):
            ControlServer.send(.failed(message: error.description), to: fd)
        }
    }

    private static func send(_ response: ControlResponse, to fd: Int32) {
        if var bytes = try? Array(JSONEncoder().encode(response)) {
            bytes.append(0x0A)
            _ = UnixSocket.writeAll(fd: fd, bytes)  // a client that went away needs no answer
        }
        UnixSocket.close(fd)
    }
}
