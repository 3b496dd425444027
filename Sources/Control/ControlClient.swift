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
        guard connected == 0 else { throw ControlSocketError("connect to gridlinkd at", path: path, errno: errno) }
        guard var bytes = try? Array(JSONEncoder().encode(request)) else {
            throw ControlSocketError("encode request for", path: path, errno: EINVAL)
        }
        bytes.append(0x0A)
        guard UnixSocket.writeAll(fd: fd, bytes) else { throw ControlSocketError("send request to", path: path, errno: errno) }
        guard let line = UnixSocket.readLine(fd: fd), !line.isEmpty else {
            throw ControlSocketError("read answer from", path: path, errno: errno == 0 ? ECONNRESET : errno)
        }
        guard let response = try? JSONDecoder().decode(ControlResponse.self, from: Data(line)) else {
            throw ControlSocketError("decode answer from", path: path, errno: EPROTO)
        }
        return response
    }
}
