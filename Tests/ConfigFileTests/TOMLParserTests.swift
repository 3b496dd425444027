import ConfigFile
import Testing

/// gridlink's own TOML reader (it replaced TOMLKit, whose toml++ aborted on `[.]`): what it reads,
/// and that every malformed input is an error with its line.
@Suite struct TOMLParserTests {
    @Test func readsEveryFeatureProfilesMayUse() throws {
        let text = #"""
            # comment
            a = "basic \t \u00e9 \U0001F600 \\ \""  # trailing comment
            b = 'literal \n'
            c = """
            multi \
              line"""
            d = '''
            raw ''
            '''
            e = 0x1F
            f = -17
            g = +3.5e-2
            h = true
            i = [1, "two", [3.0], { x = 1 }, ]
            j = { p.q = 1, r = "s" }
            "quoted key" = 1
            t.u = 2
            [x.y]
            z = 1_000
            [[arr]]
            k = 1
            [[arr]]
            k = 2
            [arr.sub]
            w = 3
            """#
        let root = try TOMLTable(string: text)
        #expect(root["a"]?.string == "basic \t é 😀 \\ \"")
        #expect(root["a"]?.line == 2)
        #expect(root["b"]?.string == #"literal \n"#)
        #expect(root["c"]?.string == "multi line")
        #expect(root["d"]?.string == "raw ''\n")
        #expect(root["e"]?.int == 31)
        #expect(root["f"]?.int == -17)
        #expect(root["g"]?.double == 0.035)
        #expect(root["h"]?.bool == true)
        #expect(root["i"]?.array?.count == 4)
        #expect(root["j"]?.table?["p"]?.table?["q"]?.int == 1)
        #expect(root["quoted key"]?.int == 1)
        #expect(root["t"]?.table?["u"]?.int == 2)
        #expect(root["x"]?.table?["y"]?.table?["z"]?.int == 1000)
        #expect(root["x"]?.table?["y"]?.table?["z"]?.line == 19)
        let arr = try #require(root["arr"]?.array)
        #expect(arr.map { $0.table?["k"]?.int } == [1, 2])
        #expect(arr[1].table?["sub"]?.table?["w"]?.int == 3)
        #expect(root.keys == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "quoted key", "t", "x", "arr"])
    }

    @Test func integersAtTheEdgesOf64Bits() throws {
        #expect(try TOMLTable(string: "a = 9223372036854775807")["a"]?.int == Int.max)
        #expect(try TOMLTable(string: "a = -9223372036854775808")["a"]?.int == Int.min)
    }

    @Test(arguments: [
        ("[.]", 1, "table header"),
        ("[=]", 1, "table header"),
        ("[,]", 1, "table header"),
        ("[ .]", 1, "table header"),
        ("[]", 1, "table header"),
        ("[a", 1, "close the table header"),
        ("[[a]", 1, "close the table header"),
        ("a = 1\na = 2", 2, "set twice (first on line 1)"),
        ("[a]\n[a]", 2, "defined twice (first on line 1)"),
        ("a = 1\n[a]", 2, "already a value"),
        ("[[a]]\n[a]", 2, "array of tables"),
        ("a = [1]\n[[a]]", 2, "already a value"),
        ("a = {b = 1}\n[a]", 2, "extends"),
        ("x = 9223372036854775808", 1, "out of range"),
        ("x = -9223372036854775809", 1, "out of range"),
        ("x = 0x8000000000000000", 1, "out of range"),
        ("x = 012", 1, "leading zeros"),
        ("x = 1__0", 1, "not a value"),
        ("x = 1.", 1, "after the decimal point"),
        ("x = 1e", 1, "exponent"),
        ("x = 1979-05-27", 1, "date"),
        ("x = 07:32:00", 1, "date or time"),
        ("x = \"abc", 1, "not closed"),
        ("x = \"a\nb\"", 1, "not closed on this line"),
        ("x = \"\\q\"", 1, "not a TOML escape"),
        ("x = \"\\uD800\"", 1, "Unicode scalar"),
        ("x = \"\\u12\"", 1, "hexadecimal"),
        ("x = yes", 1, "not a value"),
        ("x = ", 1, "expected a value"),
        ("x", 1, "expected '='"),
        ("x = 1 y = 2", 1, "one setting per line"),
        ("x = [1 2]", 1, "',' or ']'"),
        ("x = {a = 1,}", 1, "expected a key"),
        ("x = {a = 1\n}", 1, "one line"),
        ("a = 1\r", 1, "carriage return"),
        ("# ok\n# bad \u{7}", 2, "control character"),
        ("x = " + String(repeating: "[", count: 100), 1, "nest"),
        ("\n\n= 1", 3, "expected a key"),
    ])
    func malformedInputIsAnErrorWithItsLine(text: String, line: Int, phrase: String) {
        #expect(throws: TOMLParseError.self) { try TOMLTable(string: text) }
        do {
            _ = try TOMLTable(string: text)
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(phrase), "\(error)")
        }
    }

    /// Every string of up to four characters from TOML's punctuation: none may trap.
    @Test func everyShortPunctuationStringIsAnErrorOrATable() {
        let alphabet: [Character] = ["[", "]", "=", ".", ",", "\"", "'", "#", "\n", " ", "a", "1", "{", "}", "\\"]
        var count = 0
        func visit(_ prefix: String, depth: Int) {
            _ = try? TOMLTable(string: prefix)
            count += 1
            guard depth < 4 else { return }
            for character in alphabet { visit(prefix + String(character), depth: depth + 1) }
        }
        visit("", depth: 0)
        #expect(count > 50_000)
    }
}
