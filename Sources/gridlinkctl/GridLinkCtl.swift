import ArgumentParser
import GridLinkCore

/// `gridlinkctl`: the technician's and the demo's tool. Talks to a running gridlinkd over its
/// local control socket, validates profiles, and runs a minimal central side.
@main
struct GridLinkCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridlinkctl",
        abstract: "Inspect and drive a running gridlinkd; validate profiles; run a minimal central side.",
        version: "0.1.0",
        subcommands: [Status.self, OutboxCommand.self, CheckCommand.self, ProvisionCommand.self, Sim.self, ConfigCommand.self, CentralCommand.self, StoreCommand.self])
}

/// Exit codes (sysexits.h), so scripts can tell the cases apart.
enum Exit {
    /// The daemon answered "no" (unknown button, not stored, …).
    static let failed = ExitCode(1)
    /// The daemon is not reachable on its socket.
    static let unavailable = ExitCode(69)
    static let config = ExitCode(78)
}
