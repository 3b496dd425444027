import Control

/// libFuzzer target: any bytes as one control-socket request line, decoded as the daemon does.
/// Must give a request or a `ControlRequestError`, never trap. Built and run by tools/fuzz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    switch ControlRequest.decode(line) {
    case .success(let request): _ = "\(request)"
    case .failure(let error): precondition(!error.description.isEmpty)
    }
    return 0
}
