import Central
import Foundation
import GridLinkCore
import Synchronization

/// The central side of the end-to-end tests: a real MQTT subscriber (CentralConsumer) whose
/// deliveries are recorded in arrival order for the assertions.
final class CentralRecorder: Sendable {
    private let deliveries = Deliveries()
    private let consumer: Mutex<CentralConsumer?> = Mutex(nil)

    init(port: UInt16, answer: Bool, clientId: String = "test-central") {
        var options = CentralConsumer.Options(host: "127.0.0.1", port: Int(port))
        options.clientId = clientId
        options.answer = answer
        options.acceptDelayMs = 50
        options.doneDelayMs = 150
        let deliveries = deliveries
        let consumer = CentralConsumer(options: options) { delivery in
            deliveries.list.withLock { list in
                list.append(delivery)
                deliveries.arrivals.withLock { $0.append(Date()) }
            }
        }
        self.consumer.withLock { $0 = consumer }
    }

    func start() throws {
        let consumer = consumer.withLock { $0 }!
        consumer.start()
        guard consumer.waitUntilConnected(timeoutMs: 5000) else { throw HarnessError("central could not connect") }
    }

    func stop() { consumer.withLock { $0 }?.stop() }

    var all: [CentralDelivery] { deliveries.list.withLock { $0 } }
    /// First deliveries only, in arrival order.
    var distinct: [Event] { all.filter { !$0.duplicate }.map(\.event) }

    /// First deliveries with their arrival time, in arrival order.
    var timedDistinct: [(event: Event, receivedAt: Date)] {
        deliveries.list.withLock { list in
            let times = deliveries.arrivals.withLock { $0 }
            return zip(list, times).filter { !$0.0.duplicate }.map { ($0.0.event, $0.1) }
        }
    }

    func waitForDistinct(_ count: Int, seconds: Double) -> Bool {
        waitFor(seconds: seconds) { distinct.count >= count }
    }
}

/// The recorded deliveries, shared between the MQTT callback and the test.
final class Deliveries: Sendable {
    let list = Mutex<[CentralDelivery]>([])
    /// When each entry of `list` arrived (same index).
    let arrivals = Mutex<[Date]>([])
}
