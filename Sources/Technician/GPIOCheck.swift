import GPIO
import GridLinkCore

#if canImport(Glibc)
import Glibc
#endif

/// GPIO: the chip is there, and every configured line exists on it and can be read.
public enum GPIOCheck {
    /// The chip named in `[gpio] chip`. The simulated chip has no hardware to check.
    public static func chip(_ gpio: GPIOConfig, devDirectory: String = "/dev") -> [CheckItem] {
        if gpio.isSimulated {
            return [CheckItem("gpio", .skip, "the chip is simulated (gpio.chip = \"sim\"); nothing to check on the board; drive it with gridlinkctl sim press")]
        }
        let path = gpio.chip.hasPrefix("/") ? gpio.chip : devDirectory + "/" + gpio.chip
        guard access(path, F_OK) == 0 else {
            return [CheckItem("gpio", .fail, "GPIO chip \(path) does not exist",
                              fix: "run gpiodetect to list the board's chips and set [gpio] chip to one of them; on a Raspberry Pi it is gpiochip0 (gpiochip4 on a Pi 5)")]
        }
        guard access(path, R_OK | W_OK) == 0 else {
            return [CheckItem("gpio", .fail, "GPIO chip \(path) exists but cannot be opened: \(String(cString: strerror(errno)))",
                              fix: "add the gridlink user to the gpio group (the udev rule gives that group access): usermod -aG gpio gridlink")]
        }
        return [CheckItem("gpio", .ok, "GPIO chip \(path) is present")]
    }

    /// Every button and LED line resolves on `chip` and its level can be read.
    public static func lines(_ config: DeviceConfig, on chip: GPIOChip) -> CheckItem {
        var problems: [String] = []
        var levels: [String] = []
        let wanted = config.buttons.map { ("button '\($0.name)'", $0.line) } + config.feedback.outputs.map { ("LED '\($0.name)'", $0.line) }
        for (owner, line) in wanted {
            do {
                let offset = try chip.resolve(line)
                let high = try chip.readInput(offset: offset)
                levels.append("\(owner) \(line) is \(high ? "high" : "low")")
            } catch {
                problems.append("\(owner) uses \(line), which the chip does not have (\(error.detail))")
            }
        }
        guard problems.isEmpty else {
            return CheckItem("lines", .fail, problems.joined(separator: "; "),
                             fix: "run gpioinfo to see the chip's line names and offsets, then fix the line = … of that [[button]] or [feedback] entry")
        }
        return CheckItem("lines", .ok, levels.isEmpty ? "no lines configured" : levels.joined(separator: ", "))
    }
}
