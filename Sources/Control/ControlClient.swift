import GridLinkCore
#if canImport(Glibc)
import Glibc
#endif

/// `gridlinkctl`'s end of the control socket: one request, one response.
public enum ControlClient {
    /// Sends `request` and waits up to `timeoutSeconds` for the daemon's answer.
    public static func send(_ request: ControlRequest, to path: String, timeoutSeconds: Int = 30) throws(ControlSocketError) -> ControlResponse {
        var address = try UnixSocket.address(path)
        let fd = try UnixSocket.newSocket(path: path)
        defer { UnixSocket.close(fd) }
        UnixSocket.setTimeout(fd: fd, seconds: timeoutSeconds)
        let connected = UnixSocket.withSockaddr(&address) { connect(fd, $0, $1) }
        guard connected == 0 else {
            let error = errno
            throw ControlSocketError("connect to gridlinkd at", path: path, errno: error)
        }
        guard var bytes = try? Array(JSONEncoder().encode(request)) else {
            throw ControlSocketError("encode request for", path: path, errno: EINVAL)
        }
        bytes.append(0x0A)
        if let error = UnixSocket.writeAll(fd: fd, bytes) { throw ControlSocketError("send request to", path: path, errno: error) }
        let line: [UInt8]
        switch UnixSocket.readLine(fd: fd) {
        case .line(let read) where !read.isEmpty:
            line = read
        case .line, .closed:
            throw ControlSocketError("read answer from", path: path,
                                     reason: "gridlinkd closed the connection without answering (did it stop? see journalctl -u gridlinkd)")
        case .failed(let error) where error == EAGAIN || error == EWOULDBLOCK:
            throw ControlSocketError("read answer from", path: path, reason: "no answer within \(timeoutSeconds) s")
        case .failed(let error):
            throw ControlSocketError("read answer from", path: path, errno: error)
        case .tooLong:
            throw ControlSocketError("read answer from", path: path, reason: "answer longer than 1 MiB; use gridlinkctl of the same version")
        }
        guard let response = try? JSONDecoder().decode(ControlResponse.self, from: Data(line)) else {
            throw ControlSocketError("decode answer from", path: path, errno: EPROTO)
        }
        return response
    }
}
