import ArgumentParser
import ConfigFile

/// `gridlinkctl config validate FILE`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Work with device profiles.", subcommands: [Validate.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a profile; prints every problem with its line, exits 78 if there is one.")
        @Argument(help: "The profile to check.") var file: String

        func run() throws {
            do {
                let config = try ConfigLoader.load(path: file)
                print("\(file): ok — \(config.site)/\(config.device), profile \(config.profile), \(config.buttons.count) button(s), broker \(config.broker.host):\(config.broker.port)")
            } catch {
                printError("\(error)")
                throw Exit.config
            }
        }
    }
}
