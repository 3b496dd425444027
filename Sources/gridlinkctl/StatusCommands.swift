import ArgumentParser
import Control
import GridLinkCore

/// `gridlinkctl status`: connected?, outbox depth per class, oldest age, last PUBACK, LEDs.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show whether the device is connected, what is waiting and what the LEDs show.")
    @OptionGroup var device: DeviceOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let response = try device.send(.status)
        guard case .status(let status) = response else { try fail(response) }
        if json { return printJSON(status) }
        print("device     \(status.site)/\(status.device) (profile \(status.profile), gridlinkd \(status.version), up \(format(seconds: status.uptimeS)))")
        print("broker     \(status.broker) — \(status.connected ? "connected" : "NOT connected (events are kept in the outbox)")"
            + (status.brokerSilentS.map { ", broker last answered \(format(seconds: $0)) ago" } ?? ""))
        print("outbox     \(describe(status.outbox))")
        if let storage = status.storage {
            for line in describe(storage) { print(line) }
        }
        if let bound = status.outboxBound { print("bound      \(bound.summary)") }
        print("last ack   \(status.lastPubackAgeS.map { format(seconds: $0) + " ago" } ?? "none since start")")
        print("feedback   \(status.feedback.rawValue); LEDs " + status.leds.keys.sorted().map { name in
            "\(name)=\(status.ledPatterns[name] ?? (status.leds[name]! ? "on" : "off"))"
        }.joined(separator: " "))
        print("counters   " + status.counters.keys.sorted().map { "\($0)=\(status.counters[$0]!)" }.joined(separator: " "))
    }
}

/// `gridlinkctl outbox`: what is stored and not yet acknowledged, in drain order.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbox", abstract: "List events stored and not yet acknowledged by the broker, in send order.")
    @OptionGroup var device: DeviceOptions
    @Option(help: "Show at most this many rows, from the front (next to be sent).") var limit = 20
    @Option(help: "Show the last N rows instead (stored most recently, sent last).") var tail: Int?
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let response = try device.send(tail.map { .outboxTail(limit: $0) } ?? .outbox(limit: limit))
        guard case .outbox(let report) = response else { try fail(response) }
        if json { return printJSON(report) }
        print(describe(report.summary))
        for row in report.rows {
            print("  seq \(row.seq)  \(row.eventClass.padding(7))  \(row.kind.padding(16))  \(row.id)  stored \(format(seconds: row.ageS)) ago")
        }
        if report.summary.total > report.rows.count {
            print("  … \(report.summary.total - report.rows.count) more \(tail == nil ? "after these" : "before these")")
        }
    }
}

func describe(_ outbox: OutboxSummary) -> String {
    let classes = EventClass.allCases.map { "\($0.rawValue) \(outbox.byClass[$0.rawValue] ?? 0)" }.joined(separator: ", ")
    let oldest = outbox.oldestAgeS.map { ", oldest \(format(seconds: $0))" } ?? ""
    return "\(outbox.total) waiting (\(classes))\(oldest), \(outbox.inflight) in flight, next seq \(outbox.nextSeq)"
}

/// `storage    ok` / `storage    FULL since 13:05:01 UTC (42 s): …`, then one line per quarantine.
func describe(_ storage: StorageReport) -> [String] {
    var lines: [String] = []
    if storage.condition == .ok {
        lines.append("storage    ok")
    } else {
        let since = storage.sinceWallMs.map { ms -> String in
            let seconds = Double(max(0, Int64(Date().timeIntervalSince1970 * 1000) - ms)) / 1000
            return " for \(format(seconds: seconds))"
        } ?? ""
        lines.append("storage    \(storage.condition.rawValue.uppercased().replacingOccurrences(of: "_", with: "-"))\(since) — presses are refused ('cannot store') and retried: \(storage.error ?? "")")
    }
    for record in storage.quarantines {
        let files = record.files.isEmpty ? "" : "; kept: \(record.files.joined(separator: " "))"
        lines.append("quarantine \(record.reason): \(record.rowsSalvaged) rows salvaged, at most \(record.rowsLost) lost, seqs \(record.seqSkippedFrom)–\(record.seqSkippedTo) skipped (\(record.methods))\(files); clear with: gridlinkctl store clear-quarantine")
    }
    return lines
}

func format(seconds: Double) -> String {
    if seconds < 1 { return "\(Int(seconds * 1000)) ms" }
    if seconds < 120 { return "\(Int(seconds)) s" }
    if seconds < 7200 { return "\(Int(seconds / 60)) min" }
    return "\(Int(seconds / 3600)) h"
}

/// Prints the daemon's refusal and exits 1.
func fail(_ response: ControlResponse) throws -> Never {
    if case .failed(let message) = response { printError(message) } else { printError("unexpected answer from gridlinkd: \(response)") }
    throw Exit.failed
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
