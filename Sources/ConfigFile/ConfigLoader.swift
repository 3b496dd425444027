import GridLinkCore

/// Reads a device profile (TOML) into a validated `DeviceConfig`.
///
/// TOML was chosen over YAML because a technician edits these files by hand on site: no
/// indentation rules, comments everywhere. It is read by gridlink's own `TOMLParser` (pure Swift,
/// no Foundation): any text gives a config or an error with its line, never a crash.
public enum ConfigLoader {
    /// Loads, applies the overrides and validates; throws every problem at once.
    public static func load(path: String, overrides: ConfigOverrides = .init()) throws(ConfigError) -> DeviceConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(problems: [.init(file: path, line: nil, problem: ConfigProblem(ConfigKeyPath(nil, "file"), "cannot be read; check the path and that the gridlink user may read it"))])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(problems: [.init(file: path, line: nil, problem: ConfigProblem(ConfigKeyPath(nil, "file"), "is not UTF-8 text; save it as UTF-8"))])
        }
        return try parse(text: text, file: path, overrides: overrides)
    }

    /// Parses TOML text; `file` is only used in messages.
    public static func parse(text: String, file: String, overrides: ConfigOverrides = .init()) throws(ConfigError) -> DeviceConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch {
            let problem = ConfigProblem(ConfigKeyPath(nil, "syntax"), "\(error.message); fix the TOML syntax on that line")
            throw ConfigError(problems: [.init(file: file, line: error.line, problem: problem)])
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
