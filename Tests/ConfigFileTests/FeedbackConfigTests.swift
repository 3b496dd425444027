import ConfigFile
import GridLinkCore
import Testing

/// `[feedback] done_clear_s`: how long "done" stays lit.
@Suite struct FeedbackConfigTests {
    static let base = """
        site = "s1"
        device = "d1"
        profile = "kiosk"
        [[button]]
        name = "proxy"
        line = 17
        kind = "request.proxy"
        [feedback]
        received_line = 22

        """

    func problems(_ text: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(text: text, file: "device.toml", overrides: .init())
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func done_clear_s_is_read_and_defaults_to_30() throws {
        #expect(try ConfigLoader.parse(text: Self.base, file: "device.toml", overrides: .init()).feedback.doneClearS == 30)
        #expect(try ConfigLoader.parse(text: Self.base + "done_clear_s = 5\n", file: "device.toml", overrides: .init()).feedback.doneClearS == 5)
    }

    @Test func a_done_clear_s_out_of_range_says_what_to_use() {
        #expect(problems(Self.base + "done_clear_s = 0\n") == [
            #"config device.toml:10: feedback.done_clear_s: 0 is out of range; use 1 to 86400 seconds (how long "done" stays lit)"#
        ])
    }
}
