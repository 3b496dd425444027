#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A joinable POSIX thread running one closure; the MQTT loop blocks in select(), so it gets a
/// thread of its own rather than a slot in Swift's cooperative pool.
struct NativeThread: Sendable {
    private let id: pthread_t

    /// The closure handed through pthread_create's single `void *` argument.
    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread, or returns nil if the system refuses one.
    static func spawn(_ body: @escaping @Sendable () -> Void) -> NativeThread? {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var id = pthread_t()
        let rc = pthread_create(&id, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return nil
        }
        return NativeThread(id: id)
    }

    /// Whether the caller is running on this thread (joining it would deadlock).
    var isCurrent: Bool { pthread_equal(id, pthread_self()) != 0 }

    /// Waits for the thread to finish.
    func join() { pthread_join(id, nil) }

    /// Lets the thread release its resources by itself when it finishes.
    func detach() { pthread_detach(id) }
}

/// Sleeps the calling thread for `milliseconds`.
func sleepMilliseconds(_ milliseconds: Int) {
    var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR {
        request = remaining
    }
}
