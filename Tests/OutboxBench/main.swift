// outbox-bench [DIR]
//
// Measures Outbox.append on a fresh database in DIR (default /tmp): 2000 single-event appends, then 2000
// events in batches of 64, each in its own file. Prints p50/p99 latency per append call and events/s,
// plus the cost of the PASSIVE checkpoint and of draining with pending/remove. Build with -c release.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GridLinkCore
import Outbox

let directory = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp"
let clock = ContinuousClock()

func event(_ index: Int, _ ids: inout UUIDv7Generator) -> NewEvent {
    var random = SystemRandomNumberGenerator()
    return NewEvent(
        id: ids.next(unixMillis: 1_790_000_000_000 + UInt64(index), random: &random).description,
        kind: .requestRepair, source: "repair",
        time: EventTime(
            wall: "2026-11-23T08:15:02.113Z", synced: true, boot: "6f1c2d3e-bench-boot", monoNs: UInt64(index) * 1000),
        data: ["press": "short"])
}

func micros(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
}

func fresh(_ name: String) throws -> Outbox {
    let path = "\(directory)/outbox-bench-\(getpid())-\(name).sqlite"
    for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    return try Outbox(path: path, site: "bench-site", device: "bench-device")
}

func run(_ name: String, total: Int, batch: Int) throws {
    let outbox = try fresh(name)
    var ids = UUIDv7Generator()
    var latencies: [Double] = []
    let start = clock.now
    var index = 0
    while index < total {
        let events = (index..<min(total, index + batch)).map { event($0, &ids) }
        let began = clock.now
        _ = try outbox.append(events, storedWallMs: 1_790_000_000_000, storedMonoNs: UInt64(index))
        latencies.append(micros(clock.now - began))
        index += events.count
    }
    let elapsed = micros(clock.now - start)
    latencies.sort()
    print("\(name): \(total) events in \(latencies.count) appends of \(batch): p50 \(Int(percentile(latencies, 0.5))) µs, "
        + "p99 \(Int(percentile(latencies, 0.99))) µs, max \(Int(latencies.last ?? 0)) µs per append; "
        + "\(Int(Double(total) / elapsed * 1e6)) events/s")

    let checkpointStart = clock.now
    try outbox.checkpoint()
    print("  checkpoint(PASSIVE) after them: \(Int(micros(clock.now - checkpointStart))) µs")

    var drainLatencies: [Double] = []
    let drainStart = clock.now
    while true {
        let began = clock.now
        let window = try outbox.pending(limit: 64, excluding: [])
        if window.isEmpty { break }
        try outbox.remove(seqs: window.map(\.seq))
        drainLatencies.append(micros(clock.now - began))
    }
    drainLatencies.sort()
    print("  drain pending(64)+remove: p50 \(Int(percentile(drainLatencies, 0.5))) µs, "
        + "p99 \(Int(percentile(drainLatencies, 0.99))) µs; \(Int(Double(total) / micros(clock.now - drainStart) * 1e6)) events/s")
    let path = outbox.path
    outbox.close()
    for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
}

/// The share of append that is JSON encoding (Foundation's JSONEncoder), not SQLite.
func encodeOnly(total: Int) throws {
    var ids = UUIDv7Generator()
    let events = (0..<total).map { index in
        let new = event(index, &ids)
        return Event(id: new.id, seq: UInt64(index + 1), site: "bench-site", device: "bench-device", kind: new.kind,
                     source: new.source, time: new.time, data: new.data)
    }
    let start = clock.now
    var bytes = 0
    for event in events { bytes += try event.jsonBytes().count }
    print("encode only: \(total) Event.jsonBytes() of \(bytes / total) B: "
        + "\(Int(micros(clock.now - start) / Double(total))) µs per event")
}

do {
    try encodeOnly(total: 2000)
    try run("single", total: 2000, batch: 1)
    try run("batch64", total: 2000, batch: 64)
} catch {
    print("error: \(error)")
    exit(1)
}
