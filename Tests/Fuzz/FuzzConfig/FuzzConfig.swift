import ConfigFile
import CFuzzer
import GridLinkCore

/// libFuzzer target: any bytes as a profile, through the TOML parser, the reader and validation.
/// Every input must give a config or a `ConfigError` whose problems carry a line where one exists;
/// a trap, an overflow or a hang is a bug. Built and run by tools/fuzz (-sanitize=fuzzer).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }  // ConfigLoader.load refuses non-UTF-8 first
    do {
        let config = try ConfigLoader.parse(text: text, file: "fuzz.toml")
        precondition(config.validate().isEmpty, "a config that parsed must validate")
    } catch {
        precondition(!error.problems.isEmpty, "a ConfigError must name a problem")
        for problem in error.problems { precondition(!problem.description.isEmpty) }
    }
    _ = try? TOMLTable(string: text)
    return 0
}

/// The executable's entry point (SwiftPM defines `main` as `FuzzConfig_main`): hands over to libFuzzer.
@_cdecl("FuzzConfig_main")
public func fuzzConfigMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzConfig)
}
