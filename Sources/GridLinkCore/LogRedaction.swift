/// Keeps secrets out of the journal: masks the values of password-like keys (`password=…`,
/// `"passphrase": "…"`, `secret: …`) and whole PEM private-key blocks in a log message.
///
/// Defence in depth: gridlink never logs a secret on purpose (errors name files, not contents);
/// this catches one that slips in through a library's error text or a config echo.
public enum LogRedaction {
    static let secretKeys = ["password", "passwd", "passphrase", "secret", "private_key", "key_password", "token"]
    public static let mask = "[redacted]"

    /// `text` with secret values replaced by ``mask``.
    public static func redact(_ text: String) -> String {
        let lower = text.lowercased()
        guard secretKeys.contains(where: lower.contains) || lower.contains("private key-----") else { return text }
        return maskKeyValues(maskPEMKeys(text))
    }

    /// Replaces `-----BEGIN … PRIVATE KEY----- … -----END … PRIVATE KEY-----` (or to the end).
    static func maskPEMKeys(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let begin = rest.firstRange(of: "-----BEGIN "), let header = rest[begin.upperBound...].firstRange(of: "-----"),
              rest[begin.upperBound..<header.lowerBound].hasSuffix("PRIVATE KEY") {
            result += rest[..<begin.lowerBound] + mask
            guard let end = rest[header.upperBound...].firstRange(of: "PRIVATE KEY-----") else { return result }
            rest = rest[end.upperBound...]
        }
        return result + rest
    }

    /// Masks the value after `key=`, `key:`, `"key":` for each secret key (case-insensitive);
    /// the value ends at whitespace, a comma, `&`, `;`, `}` or a closing quote.
    static func maskKeyValues(_ text: String) -> String {
        let chars = Array(text)
        let lower = Array(text.lowercased())
        var out: [Character] = []
        var i = 0
        while i < chars.count {
            guard let key = secretKeys.first(where: { matches($0, in: lower, at: i) }) else {
                out.append(chars[i]); i += 1; continue
            }
            var j = i + key.count
            out += chars[i..<j]
            // Optional closing quote of the key, spaces, the separator, spaces, an opening quote.
            var k = j
            if k < chars.count, chars[k] == "\"" || chars[k] == "'" { k += 1 }
            while k < chars.count, chars[k] == " " { k += 1 }
            guard k < chars.count, chars[k] == "=" || chars[k] == ":" else { i = j; continue }
            k += 1
            while k < chars.count, chars[k] == " " { k += 1 }
            var quote: Character?
            if k < chars.count, chars[k] == "\"" || chars[k] == "'" { quote = chars[k]; k += 1 }
            out += chars[j..<k]
            j = k
            while j < chars.count, !(quote.map { chars[j] == $0 } ?? (chars[j].isWhitespace || ",&;}".contains(chars[j]))) { j += 1 }
            if j > k { out += Array(mask) }
            i = j
        }
        return String(out)
    }

    private static func matches(_ key: String, in lower: [Character], at index: Int) -> Bool {
        let keyChars = Array(key)
        guard index + keyChars.count <= lower.count, Array(lower[index..<index + keyChars.count]) == keyChars else { return false }
        // Starts a word: "mysecret=" is not a key of ours, "mqtt_password=" and "password=" are.
        return index == 0 || !(lower[index - 1].isLetter)
    }
}
