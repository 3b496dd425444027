import Control
import GridLinkCore
import Logging
import Synchronization

/// Answers the control socket while start-up waits for the GPIO chip (missing chip, line held by
/// another program), so `gridlinkctl status` says what gridlinkd waits for instead of "cannot
/// reach gridlinkd". The socket opens at the first wait and closes once the chip is attached,
/// just before the daemon binds its own.
public final class StartupControl: Sendable {
    private let path: String
    private let logger: Logger
    private let state = Mutex<(server: ControlServer?, problem: String)>((nil, ""))

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Start-up waits because of `problem` ("waiting for GPIO chip gpiochip0: …").
    public func waiting(_ problem: String) {
        let needsServer = state.withLock { state in
            state.problem = problem
            return state.server == nil
        }
        guard needsServer else { return }
        do {
            let server = try ControlServer(path: path) { [self] _, reply in reply(.failed(message: answer())) }
            server.start()
            state.withLock { $0.server = server }
        } catch {
            logger.error("cannot answer on the control socket while waiting for the chip: \(error)")
        }
    }

    /// The chip is attached: stop answering and remove the socket file.
    public func finish() {
        state.withLock { state in
            state.server?.stop()
            state.server = nil
        }
    }

    /// What every request gets while start-up waits.
    func answer() -> String {
        let problem = state.withLock { $0.problem }
        return "gridlinkd \(GridLinkVersion.current) is running but not ready: \(problem) (retrying every \(ChipAttach.retrySeconds) s); "
            + "nothing is recorded until the chip is attached. Fix: check [gpio] chip and the lines (gpiodetect and gpioinfo list them; package gpiod)"
    }
}
