import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 9 item 5 against the real binaries: what a clean stop, a daemon that dies mid-request
/// and a read-only socket directory make gridlinkd and gridlinkctl say.
@Suite(.serialized) struct HardeningEndToEndTests {
    @Test func aCleanStopLogsNoError() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        #expect(try waitFor(seconds: 5) { try daemon.status()["connected"] as? Bool == true })
        _ = try daemon.press("proxy")
        // A control request naming a key twice is refused, not resolved by whichever key wins.
        let reply = try rawControlRequest(path: dir.path + "/gridlinkd.sock", #"{"simPress":{"button":"proxy","button":"repair","long":false}}"#)
        #expect(reply.contains("failed") && reply.contains("'button' twice"), "\(reply)")
        #expect(daemon.terminate() == 0)
        let log = daemon.log()
        let bad = log.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" critical ") || $0.contains("cannot set output") }
        #expect(bad.isEmpty, "a clean stop logged:\n\(bad.joined(separator: "\n"))")
        #expect(log.contains("gridlinkd stopped"))
    }

    @Test func theCLISaysTheDaemonHungUpNotAStaleErrno() throws {
        let dir = TestDirectory()
        let profile = try writeTestProfile(in: dir)
        let socketPath = dir.path + "/gridlinkd.sock"
        let server = try HangUpServer(path: socketPath)
        defer { server.stop() }
        let result = try runCommand(Binaries.gridlinkctl, ["status", "--config", profile, "--state-dir", dir.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("closed the connection without answering"), "\(result.stderr)")
        #expect(!result.stderr.contains("Inappropriate ioctl"), "\(result.stderr)")
    }

    @Test func aReadOnlySocketDirectoryIsNamedAsTheCause() throws {
        let dir = TestDirectory()
        let socketDir = dir.path + "/run"
        try FileManager.default.createDirectory(atPath: socketDir, withIntermediateDirectories: true)
        let profile = dir.path + "/device.toml"
        try (try String(contentsOfFile: try writeTestProfile(in: dir), encoding: .utf8)
             + "\n[paths]\ncontrol_socket = \"\(socketDir)/gl.sock\"\n").write(toFile: profile, atomically: true, encoding: .utf8)
        // A daemon killed with -9 leaves its socket file behind.
        let first = DaemonProcess(configPath: profile, stateDir: dir.path + "/state", brokerPort: 1)
        try FileManager.default.createDirectory(atPath: first.stateDir, withIntermediateDirectories: true)
        try first.start()
        first.kill9()
        #expect(FileManager.default.fileExists(atPath: socketDir + "/gl.sock"))
        // The restart finds the directory read-only (as root: a read-only bind mount in a private
        // mount namespace; otherwise: a directory it may not write).
        let daemonArguments = ["--config", profile, "--broker", "127.0.0.1:1", "--state-dir", first.stateDir]
        let result: CommandResult
        if geteuid() == 0 {
            let script = "mount --bind \"$1\" \"$1\" && mount -o remount,ro,bind \"$1\" \"$1\" && shift && exec \"$@\""
            result = try runCommand("/usr/bin/unshare", ["-m", "sh", "-c", script, "sh", socketDir, Binaries.gridlinkd] + daemonArguments)
        } else {
            chmod(socketDir, 0o555)
            defer { chmod(socketDir, 0o755) }
            result = try runCommand(Binaries.gridlinkd, daemonArguments)
        }
        #expect(result.status == 1)
        #expect(!result.stderr.contains("Address already in use"), "\(result.stderr)")
        #expect(result.stderr.contains(geteuid() == 0 ? "Read-only file system" : "Permission denied"), "\(result.stderr)")
        #expect(result.stderr.contains("stale control socket"), "\(result.stderr)")
    }
}

/// A Unix socket that accepts one connection, reads the request and closes without answering:
/// what gridlinkctl sees when the daemon dies in the middle of a request.
final class HangUpServer: @unchecked Sendable {
    // @unchecked: `fd` is set once in init; the accept thread only reads it.
    private let fd: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        fd = listener
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw HarnessError("cannot listen on \(path)") }
        Thread.detachNewThread {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &buffer, buffer.count)
            close(client)
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        unlink(path)
    }
}

/// Sends one raw line to a control socket and returns the answer line (for requests gridlinkctl
/// would never send).
func rawControlRequest(path: String, _ line: String) throws -> String {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        let bytes = Array(path.utf8)
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else { throw HarnessError("cannot connect to \(path)") }
    let request = Array((line + "\n").utf8)
    guard write(fd, request, request.count) == request.count else { throw HarnessError("cannot write to \(path)") }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        answer += buffer[0..<count]
    }
    return String(decoding: answer, as: UTF8.self)
}
