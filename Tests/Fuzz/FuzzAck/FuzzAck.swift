import CFuzzer
import GridLinkCore

/// libFuzzer target: any bytes as an ack on `…/ack`. Must give an ack or a `DownlinkError`,
/// never trap; an accepted ack has an id of 1–64 characters. Built and run by tools/fuzz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAck(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let payload = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    switch DownlinkAck.parse(payload) {
    case .success(let ack): precondition(!ack.id.isEmpty && ack.id.count <= 64)
    case .failure(let error): precondition(!error.description.isEmpty && !error.kind.isEmpty)
    }
    return 0
}

/// The executable's entry point (SwiftPM defines `main` as `FuzzAck_main`): hands over to libFuzzer.
@_cdecl("FuzzAck_main")
public func fuzzAckMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzAck)
}
