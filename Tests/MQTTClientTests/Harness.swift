import Foundation
import MQTTClient
import Synchronization
import TestSupport

/// Records a connection's events with the time each arrived, and waits for them.
final class EventRecorder: Sendable {
    private let events = Mutex<[(at: ContinuousClock.Instant, event: MQTTEvent)]>([])

    /// Pass this as a connection's `onEvent`.
    var handler: @Sendable (MQTTEvent) -> Void {
        { [self] event in
            let now = ContinuousClock.now
            events.withLock { $0.append((now, event)) }
        }
    }

    var all: [MQTTEvent] { events.withLock { $0.map(\.event) } }

    func count(where match: (MQTTEvent) -> Bool) -> Int {
        all.filter(match).count
    }

    /// The first recorded event `match` accepts, with its arrival time, waiting up to `timeoutMs`.
    func first<T>(
        timeoutMs: Int = 5000, _ match: (MQTTEvent) -> T?
    ) async -> (value: T, at: ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
        while true {
            for entry in events.withLock({ $0 }) {
                if let value = match(entry.event) { return (value, entry.at) }
            }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits until `condition` holds for the whole list of events so far.
    func wait(timeoutMs: Int = 5000, until condition: ([MQTTEvent]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
        while !condition(all) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return true
    }
}

extension MQTTEvent {
    var connectedSessionPresent: Bool? {
        if case .connected(let present) = self { return present }
        return nil
    }
    var publishedMid: Int32? {
        if case .published(let mid) = self { return mid }
        return nil
    }
    var subscribedMid: Int32? {
        if case .subscribed(let mid) = self { return mid }
        return nil
    }
    var message: MQTTMessage? {
        if case .message(let message) = self { return message }
        return nil
    }
    var refusal: MQTTError? {
        if case .connectRefused(let error) = self { return error }
        return nil
    }
    var disconnection: MQTTError?? {
        if case .disconnected(let error) = self { return .some(error) }
        return nil
    }
}

/// Runs `connection.runLoop()` on a thread of its own and keeps what it returned.
final class LoopThread: Sendable {
    private enum Outcome { case running, ended(MQTTError?, ContinuousClock.Instant) }
    private let outcome = Mutex(Outcome.running)

    init(_ connection: MQTTConnection) {
        Thread.detachNewThread { [self] in
            let result = connection.runLoop()
            let now = ContinuousClock.now
            outcome.withLock { $0 = .ended(result, now) }
        }
    }

    /// What runLoop returned and when, or nil if it is still running after `timeoutMs`.
    func result(timeoutMs: Int = 5000) async -> (error: MQTTError?, at: ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
        while true {
            if case .ended(let error, let at) = outcome.withLock({ $0 }) { return (error, at) }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

/// A connection to 127.0.0.1:`port` whose loop runs and whose CONNACK was accepted.
struct LiveClient {
    let connection: MQTTConnection
    let events: EventRecorder
    let loop: LoopThread
    let sessionPresent: Bool

    static func connect(
        port: UInt16, clientId: String, configure: (inout MQTTOptions) -> Void = { _ in }
    ) async throws -> LiveClient {
        var options = MQTTOptions(host: "127.0.0.1", port: Int(port), clientId: clientId)
        configure(&options)
        let events = EventRecorder()
        let connection = try MQTTConnection(options: options, onEvent: events.handler)
        try connection.connect()
        let loop = LoopThread(connection)
        guard let connack = await events.first({ $0.connectedSessionPresent }) else {
            throw HarnessError(description: "\(clientId): no CONNACK; events \(events.all)")
        }
        return LiveClient(connection: connection, events: events, loop: loop, sessionPresent: connack.value)
    }

    /// Subscribes and waits for the SUBACK.
    func subscribe(_ topic: String, qos: Int = 1) async throws {
        let mid = try connection.subscribe(topic, qos: qos)
        guard await events.first({ $0.subscribedMid == mid ? mid : nil }) != nil else {
            throw HarnessError(description: "no SUBACK for \(topic)")
        }
    }

    /// Publishes and waits for `.published` with the returned mid.
    func publish(_ message: MQTTMessage) async throws {
        let mid = try connection.publish(message)
        guard await events.first({ $0.publishedMid == mid ? mid : nil }) != nil else {
            throw HarnessError(description: "no PUBACK for mid \(mid)")
        }
    }

    /// Disconnects cleanly and waits for the loop to return.
    func disconnect() async throws {
        connection.disconnect()
        guard let ended = await loop.result() else { throw HarnessError(description: "runLoop did not return") }
        if let error = ended.error { throw error }
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Milliseconds from `start` to `end`.
func milliseconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Double {
    let duration = start.duration(to: end)
    return Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

