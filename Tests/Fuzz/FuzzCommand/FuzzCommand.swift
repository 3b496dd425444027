import CFuzzer
import GridLinkCore

/// libFuzzer target: any bytes as a command on `…/cmd`. Must give a known command or a
/// `DownlinkError`, never trap; nothing over the size limit is accepted. Built and run by tools/fuzz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommand(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let payload = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    switch DownlinkCommand.parse(payload) {
    case .success(let command):
        precondition(payload.count <= DownlinkCommand.maxPayloadBytes && !command.id.isEmpty && command.id.count <= 64)
        precondition(JSONDuplicateKeys.first(in: payload) == nil)
    case .failure(let error):
        precondition(!error.description.isEmpty)
    }
    return 0
}

/// The executable's entry point (SwiftPM defines `main` as `FuzzCommand_main`): hands over to libFuzzer.
@_cdecl("FuzzCommand_main")
public func fuzzCommandMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzCommand)
}
