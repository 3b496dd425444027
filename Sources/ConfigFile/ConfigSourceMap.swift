import GridLinkCore

/// Finds the line of a key in the TOML text, so every config problem can name a line.
///
/// Problems are found on the typed config, which has no positions, so this reads the text once: `[table]` and
/// `[[table]]` headers set the context, `key = …` lines are recorded under it.
struct ConfigSourceMap {
    private var keyLines: [ConfigKeyPath: Int] = [:]
    private var tableLines: [String: Int] = [:]

    init(text: String) {
        var table: String?
        var index: Int?
        var arrayCounts: [String: Int] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces()
            let lineNumber = number + 1
            if line.hasPrefix("[[") {
                let name = String(line.dropFirst(2).prefix { $0 != "]" }).trimmingSpaces()
                let next = arrayCounts[name, default: 0]
                arrayCounts[name] = next + 1
                table = name
                index = next
                tableLines["\(name)[\(next)]"] = lineNumber
            } else if line.hasPrefix("[") {
                let name = String(line.dropFirst().prefix { $0 != "]" }).trimmingSpaces()
                table = name
                index = nil
                tableLines[name] = lineNumber
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = String(line[..<equals]).trimmingSpaces()
                let path = ConfigKeyPath(table, index, key)
                if keyLines[path] == nil { keyLines[path] = lineNumber }
            }
        }
    }

    /// The key's own line, else its table's header line, else nil (a top-level key that is missing).
    func line(of path: ConfigKeyPath) -> Int? {
        if let line = keyLines[path] { return line }
        guard let table = path.table else { return tableLines[path.key] }  // an unknown [table]
        return tableLines[path.index.map { "\(table)[\($0)]" } ?? table]
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
