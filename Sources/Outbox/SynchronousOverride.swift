#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// TEST-ONLY escape hatch for the power-cut test's negative control (tools/vm/power-cut.sh).
///
/// The outbox always runs with `PRAGMA synchronous = FULL`, which is what makes "stored" survive a
/// power cut. The power-cut test must prove it can see that guarantee break, so it starts a second
/// daemon with `GRIDLINK_DEBUG_UNSAFE_SYNCHRONOUS=NORMAL` and expects that one to lose presses.
/// Only the exact value `NORMAL` is honoured, and it is announced on stderr at every open. No
/// profile key, no command-line flag and no packaged unit sets it: NEVER set it on a device.
enum SynchronousOverride {
    static let environmentVariable = "GRIDLINK_DEBUG_UNSAFE_SYNCHRONOUS"

    /// The value for `PRAGMA synchronous`: "FULL", or "NORMAL" under the test-only override.
    static var pragmaValue: String {
        guard let raw = getenv(environmentVariable) else { return "FULL" }
        let value = String(cString: raw)
        guard value == "NORMAL" else {
            warn("gridlink: ignoring \(environmentVariable)=\(value) (only NORMAL is recognised); the outbox stays synchronous=FULL\n")
            return "FULL"
        }
        warn("gridlink: WARNING: \(environmentVariable)=NORMAL: the outbox runs with synchronous=NORMAL, so presses reported stored CAN BE LOST in a power cut. This is the power-cut test's negative control; never set it on a device.\n")
        return "NORMAL"
    }

    private static func warn(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
