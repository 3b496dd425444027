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

    /// Every configured line exists on `chip`; the inputs (buttons, gate contacts) are free and
    /// their levels are read. LEDs are only looked up: requesting them would change what they show.
    public static func lines(_ config: DeviceConfig, on chip: GPIOChip) -> CheckItem {
        let inputs = config.buttons.map { ("button '\($0.name)'", $0.line) }
            + (config.gate?.inputs ?? []).map { ("gate \($0.name)", $0.input.line) }
        let outputs = config.feedback.outputs.map { ("LED '\($0.name)'", $0.line) }
        var problems: [String] = []
        var resolved: [(owner: String, line: LineRef, offset: Int)] = []
        for (owner, line) in inputs + outputs {
            do {
                resolved.append((owner, line, try chip.resolve(line)))
            } catch {
                problems.append("\(owner) uses \(line), which the chip does not have (\(error.detail))")
            }
        }
        guard problems.isEmpty else {
            return CheckItem("lines", .fail, problems.joined(separator: "; "),
                             fix: "run gpioinfo to see the chip's line names and offsets, then fix the line = … of that [[button]], [gate.*] or [feedback] entry")
        }
        let inputLines = resolved.prefix(inputs.count)
        do {
            try chip.watchInputs(offsets: inputLines.map(\.offset), consumer: "gridlinkctl-check") { _ in }
        } catch {
            return CheckItem("lines", .warn, "all \(resolved.count) lines exist, but the inputs are in use (\(error.detail)), so their levels were not read",
                             fix: "that is normal while gridlinkd runs; to read the levels: systemctl stop gridlinkd, gridlinkctl check, systemctl start gridlinkd")
        }
        var levels: [String] = []
        for entry in inputLines {
            do {
                levels.append("\(entry.owner) \(entry.line) is \(try chip.readInput(offset: entry.offset) ? "active" : "idle")")
            } catch {
                problems.append("\(entry.owner) \(entry.line) cannot be read (\(error.detail))")
            }
        }
        guard problems.isEmpty else {
            return CheckItem("lines", .fail, problems.joined(separator: "; "), fix: "check the wiring and that no other program holds the line (gpioinfo)")
        }
        let leds = outputs.isEmpty ? "" : "; \(outputs.count) LED line(s) present"
        return CheckItem("lines", .ok, (levels.isEmpty ? "no input lines configured" : levels.joined(separator: ", ")) + leds)
    }
}
