import GridLinkCore
import TOMLKit

/// Reads a device profile (TOML) into a validated `DeviceConfig`.
///
/// TOML was chosen over YAML because a technician edits these files by hand on site: no
/// indentation rules, comments everywhere, and TOMLKit (toml++) is far lighter than a YAML stack.
public enum ConfigLoader {
    /// Loads, applies the overrides and validates; throws every problem at once.
    public static func load(path: String, overrides: ConfigOverrides = .init()) throws(ConfigError) -> DeviceConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(problems: [.init(file: path, line: nil, problem: ConfigProblem(ConfigKeyPath(nil, "file"), "cannot be read; check the path and that the gridlink user may read it"))])
        }
        return try parse(text: text, file: path, overrides: overrides)
    }

    /// Parses TOML text; `file` is only used in messages.
    public static func parse(text: String, file: String, overrides: ConfigOverrides = .init()) throws(ConfigError) -> DeviceConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let problem = ConfigProblem(ConfigKeyPath(nil, "syntax"), "\(error.description); fix the TOML syntax on that line")
            throw ConfigError(problems: [.init(file: file, line: error.source.begin.line, problem: problem)])
        } catch {
            throw ConfigError(problems: [.init(file: file, line: nil, problem: ConfigProblem(ConfigKeyPath(nil, "syntax"), "\(error)"))])
        }
        var reader = ConfigReader()
        var config = reader.read(table)
        var problems = reader.problems
        problems += overrides.apply(to: &config)
        if problems.isEmpty { problems = config.validate() }
        guard problems.isEmpty else {
            let map = ConfigSourceMap(text: text)
            throw ConfigError(problems: problems.map { .init(file: file, line: map.line(of: $0.path), problem: $0) })
        }
        return config
    }
}
