// outbox-crash-helper DB_PATH [BATCH]
//
// Appends BATCH events (default 1) per `append` to the outbox at DB_PATH, forever, and after each `append`
// returns writes every committed seq as one line to stdout. The crash test SIGKILLs it mid-stream and then checks that every
// printed seq is in the reopened outbox. Kinds cycle through the three classes.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GridLinkCore
import Outbox

/// Nanoseconds of the given POSIX clock.
func now(_ clock: clockid_t) -> UInt64 {
    var spec = timespec()
    clock_gettime(clock, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Writes the whole line with write(2): no stdio buffer, so a printed seq is in the pipe before the next append.
func emit(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if written <= 0 { exit(3) }  // the reader is gone
        offset += written
    }
}

let arguments = CommandLine.arguments
guard (2...3).contains(arguments.count), let batch = arguments.count == 3 ? Int(arguments[2]) : 1, batch > 0 else {
    emit("usage: outbox-crash-helper DB_PATH [BATCH]")
    exit(2)
}

let kinds: [EventKind] = [.gateEntry, .requestProxy, .gateForcedOpen]
do {
    let outbox = try Outbox(path: arguments[1], site: "crash-site", device: "crash-device")
    var ids = UUIDv7Generator()
    var random = SystemRandomNumberGenerator()
    for first in stride(from: 0, to: Int.max, by: batch) {
        let wallMs = Int64(now(CLOCK_REALTIME) / 1_000_000)
        let monoNs = now(CLOCK_MONOTONIC)
        let events = (first..<first + batch).map { index in NewEvent(
            id: ids.next(unixMillis: UInt64(wallMs), random: &random).description, kind: kinds[index % kinds.count],
            source: "line\(index % 4)",
            time: EventTime(wall: WallClockFormat.rfc3339(unixMillis: wallMs), synced: true, boot: "crash-boot", monoNs: monoNs),
            data: ["n": .int(Int64(index))]) }
        let stored = try outbox.append(events, storedWallMs: wallMs, storedMonoNs: monoNs)
        emit(stored.map { String($0.seq) }.joined(separator: "\n"))
    }
} catch {
    emit("error: \(error)")
    exit(1)
}
