import ConfigFile
import Foundation
import GridLinkCore
import Testing

/// Profiles for a real chip: line names as `gpioinfo` shows them, pull resistors, chip by name.
@Suite struct RealChipProfileTests {
    @Test func kioskProfileUsesGpioinfoNamesAndPullUps() throws {
        let config = try ConfigLoader.load(path: ConfigLoaderTests.root.appendingPathComponent("device-config/kiosk.toml").path)
        #expect(config.gpio.chip == "gpiochip0")
        #expect(!config.gpio.isSimulated)
        #expect(config.buttons[0] == ButtonConfig(name: "proxy", line: .name("GPIO17"), kind: .requestProxy, activeLow: true, bias: .pullUp))
        #expect(config.buttons[1] == ButtonConfig(name: "repair", line: .name("GPIO27"), kind: .requestRepair, activeLow: true, bias: .pullUp))
        #expect(config.feedback == FeedbackConfig(receivedLine: .name("GPIO22"), acceptedLine: .name("GPIO23"), doneLine: .name("GPIO24")))
    }

    static let profile = """
        site = "s1"
        device = "d1"
        profile = "kiosk"

        [gpio]
        chip = "pinctrl-bcm2711"

        [[button]]
        name = "proxy"
        line = "GPIO17"
        kind = "request.proxy"
        bias = "BIAS"
        """

    @Test(arguments: [("pull-up", LineBias.pullUp), ("pull-down", .pullDown), ("disabled", .disabled), ("as-is", .asIs)])
    func everyBiasIsRead(text: String, bias: LineBias) throws {
        let config = try ConfigLoader.parse(text: Self.profile.replacingOccurrences(of: "BIAS", with: text), file: "device.toml", overrides: .init())
        #expect(config.buttons[0].bias == bias)
        #expect(config.gpio.chip == "pinctrl-bcm2711", "a chip label is kept as written")
    }

    @Test func anUnknownBiasNamesItsLineAndTheChoices() {
        do {
            _ = try ConfigLoader.parse(text: Self.profile.replacingOccurrences(of: "BIAS", with: "pullup"), file: "device.toml", overrides: .init())
            Issue.record("accepted bias = \"pullup\"")
        } catch {
            #expect(error.problems.map(\.description) == [
                "config device.toml:12: button[0].bias: 'pullup' is not a bias; use one of \"as-is\", \"pull-up\", \"pull-down\", \"disabled\""
            ])
        }
    }
}
