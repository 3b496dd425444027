import CFuzzer
import Control

/// libFuzzer target: any bytes as one control-socket request line, decoded as the daemon does.
/// Must give a request or a `ControlRequestError`, never trap. Built and run by tools/fuzz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    switch ControlRequest.decode(line) {
    case .success(let request): _ = "\(request)"
    case .failure(let error): precondition(!error.description.isEmpty)
    }
    return 0
}

/// The executable's entry point (SwiftPM defines `main` as `FuzzControl_main`): hands over to libFuzzer.
@_cdecl("FuzzControl_main")
public func fuzzControlMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzControl)
}
