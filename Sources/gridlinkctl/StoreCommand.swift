import ArgumentParser
import Control

/// `gridlinkctl store …`: the outbox's storage, for a technician.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "The outbox's storage: clear a recorded quarantine.",
        subcommands: [ClearQuarantine.self])

    /// `gridlinkctl store clear-quarantine`
    struct ClearQuarantine: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clear-quarantine",
            abstract: "Forget the recorded outbox quarantines (status and check stop showing them); the kept files stay until you delete them.")
        @OptionGroup var device: DeviceOptions

        func run() throws {
            let response = try device.send(.clearQuarantine)
            guard case .ok(let message) = response else { try fail(response) }
            print(message)
        }
    }
}
