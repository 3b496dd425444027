import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A child process started with a clean signal state, for brokers and daemons under test.
///
/// Foundation's `Process` passes on the spawning thread's signal mask, and Swift Testing runs
/// tests on dispatch worker threads that block SIGTERM, SIGINT, SIGHUP and more: a child started
/// that way never sees SIGTERM (mosquitto then ignores `stop()`). This spawns with an empty mask
/// and default handlers, output appended to one file, and reaps the child itself.
public final class ChildProcess: Sendable {
    /// The child's process id.
    public let pid: pid_t
    /// The wait status once the child has been reaped.
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `path` with `arguments`; stdin is /dev/null, stdout and stderr append to `outputPath`.
    /// `environment` entries are set on top of this process's environment (nil values remove one).
    public init(path: String, arguments: [String], outputPath: String, environment: [String: String?] = [:]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let envp = Self.environment(overriding: environment)
        defer { envp.forEach { free($0) } }
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw BrokerError("posix_spawn \(path): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
    }

    /// This process's environment with `overrides` applied, as a NULL-terminated C array.
    private static func environment(overriding overrides: [String: String?]) -> [UnsafeMutablePointer<CChar>?] {
        var entries: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let name = String(text.prefix { $0 != "=" })
            if overrides[name] == nil { entries.append(text) }
            index += 1
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            if let value { entries.append("\(name)=\(value)") }
        }
        return entries.map { strdup($0) } + [nil]
    }

    deinit {
        if isRunning {
            signal(SIGKILL)
            _ = waitForExit(timeoutMs: 5000)
        }
    }

    /// Whether the child has not exited yet (reaping it if it has).
    public var isRunning: Bool {
        exitStatus.withLock { exitStatus in
            if exitStatus != nil { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = status
                return false
            }
            return true
        }
    }

    /// The exit code once the child has exited normally; nil while running or if a signal killed it.
    public var exitCode: Int32? {
        guard !isRunning, let status = exitStatus.withLock({ $0 }) else { return nil }
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : nil
    }

    /// Sends `signal` to the child if it is still running.
    public func signal(_ signal: Int32) {
        if isRunning { _ = Glibc.kill(pid, signal) }
    }

    /// Waits until the child exits; returns false if it still runs after `timeoutMs`.
    public func waitForExit(timeoutMs: Int) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            usleep(5_000)
        }
        return true
    }
}
