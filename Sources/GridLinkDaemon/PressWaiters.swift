import Control
import GridLinkCore

/// Who is waiting for the next recorded press of a button: `gridlinkctl sim press` gets its
/// answer only once the press it caused is committed (or fails).
struct PressWaiters {
    typealias Waiter = @Sendable (ControlResponse) -> Void
    private var waiting: [String: [(token: Int, reply: Waiter)]] = [:]
    private var nextToken = 0

    mutating func add(button: String, _ reply: @escaping Waiter) -> Int {
        nextToken += 1
        waiting[button, default: []].append((nextToken, reply))
        return nextToken
    }

    /// The oldest waiter for `button`, removed.
    mutating func take(button: String) -> Waiter? {
        guard var list = waiting[button], !list.isEmpty else { return nil }
        let first = list.removeFirst()
        waiting[button] = list
        return first.reply
    }

    /// Removes a waiter that timed out; returns it if it was still waiting.
    mutating func remove(button: String, token: Int) -> Waiter? {
        guard let index = waiting[button]?.firstIndex(where: { $0.token == token }) else { return nil }
        return waiting[button]?.remove(at: index).reply
    }
}
