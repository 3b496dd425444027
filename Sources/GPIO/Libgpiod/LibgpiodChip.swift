import CGPIOD
import GridLinkCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real GPIO chip through libgpiod: the one Swift owner of the CGPIOD adapter's handles.
///
/// Works with libgpiod 1.6 (v1 API, Debian 12 / Raspberry Pi OS bookworm) and 2.x (v2 API,
/// Debian 13 / trixie): the CGPIOD C target detects the API from the `<gpiod.h>` it is compiled
/// against and offers one small C API for both (see Sources/CGPIOD/include/gridlink_gpiod.h).
/// A thin C adapter rather than Swift `#if`s or a package trait: the two APIs differ in every type
/// (line bulks vs request/config objects), a trait would have to be chosen by hand on each board,
/// and the preprocessor already knows which header it sees — so `swift build` is the same command
/// on either release.
///
/// Inputs are requested with both-edge events, bias and active-low; a dedicated thread waits on
/// the request fds with poll() and reports each edge with the kernel's CLOCK_MONOTONIC timestamp
/// and the PHYSICAL level (see `InputLineRequest`). Lost edges (kernel FIFO overflow, seen as a
/// sequence-number gap or two edges the same way) and read errors trigger a resynchronisation:
/// the levels are read again and any difference is reported as an edge stamped "now".
public final class LibgpiodChip: GPIOChip {
    public let label: String
    /// The chip as the profile named it (`gpio.chip`).
    public let spec: String
    private let handles: Mutex<Handles>
    private let watcher = Mutex<EdgeWatcher?>(nil)
    let counterStore = Mutex(LibgpiodCounters())
    let onProblem: @Sendable (String) -> Void

    struct Handles {
        var chip: OpaquePointer?
        var inputs: OpaquePointer?
        var outputs: OpaquePointer?
        var inputLines: [InputLineRequest] = []
        var outputOffsets: Set<Int> = []
        var lineCount: Int
    }

    /// Which libgpiod API this build uses (1 or 2) and the library's version string.
    public static var backend: String {
        "libgpiod \(String(cString: gl_gpio_library_version())) (v\(gl_gpio_api_version()) API)"
    }

    /// Opens the chip by path (`/dev/gpiochip0`), name (`gpiochip0`) or label (`pinctrl-bcm2711`).
    /// - Parameter onProblem: one line per resynchronisation or read error (for the log).
    public init(spec: String, onProblem: @escaping @Sendable (String) -> Void = { _ in }) throws(GPIOError) {
        guard let chip = gl_gpio_chip_open(spec) else {
            let reason = errno == ENOENT || errno == ENODEV
                ? "no such chip (tried it as a path, a /dev name and a label); `gpiodetect` lists the chips"
                : "\(String(cString: strerror(errno))); check the permissions of /dev/gpiochip*"
            throw GPIOError(chip: spec, operation: "open", detail: reason)
        }
        var name = [CChar](repeating: 0, count: 128)
        var chipLabel = [CChar](repeating: 0, count: 128)
        _ = gl_gpio_chip_name(chip, &name, name.count)
        _ = gl_gpio_chip_label(chip, &chipLabel, chipLabel.count)
        self.spec = spec
        self.label = "\(string(from: name)) [\(string(from: chipLabel))]"
        self.onProblem = onProblem
        self.handles = Mutex(Handles(chip: chip, lineCount: Int(gl_gpio_chip_num_lines(chip))))
    }

    deinit { close() }

    /// Edges reported, resynchronisations and read errors since the inputs were requested.
    public var counters: LibgpiodCounters { counterStore.withLock { $0 } }

    public func resolve(_ line: LineRef) throws(GPIOError) -> Int {
        try handles.withLock { (handles: inout Handles) throws(GPIOError) -> Int in
            guard let chip = handles.chip else { throw closedError("find \(line)") }
            switch line {
            case .offset(let offset):
                guard (0..<handles.lineCount).contains(offset) else {
                    throw GPIOError(chip: label, operation: "find \(line)", detail: "the chip has lines 0–\(handles.lineCount - 1); `gpioinfo` lists them")
                }
                return offset
            case .name(let name):
                let offset = gl_gpio_chip_find_line(chip, name)
                guard offset >= 0 else {
                    throw GPIOError(chip: label, operation: "find \(line)", detail: "no line has that name; `gpioinfo \(spec)` shows the names")
                }
                return Int(offset)
            }
        }
    }

    public func watchInputs(offsets: [Int], consumer: String, onEdge: @escaping @Sendable (EdgeEvent) -> Void) throws(GPIOError) {
        try watchInputs(offsets.map { InputLineRequest(offset: $0) }, consumer: consumer, onEdge: onEdge)
    }

    public func watchInputs(_ lines: [InputLineRequest], consumer: String, onEdge: @escaping @Sendable (EdgeEvent) -> Void) throws(GPIOError) {
        let fds = try handles.withLock { (handles: inout Handles) throws(GPIOError) -> [Int32] in
            guard let chip = handles.chip else { throw closedError("request inputs") }
            guard handles.inputs == nil else { throw GPIOError(chip: label, operation: "request inputs", detail: "inputs are already requested") }
            let raw = lines.map { gl_gpio_input(offset: UInt32($0.offset), bias: $0.bias.adapterValue, active_low: $0.activeLow) }
            guard let request = raw.withUnsafeBufferPointer({ gl_gpio_request_inputs(chip, consumer, $0.baseAddress, $0.count) }) else {
                throw requestError(errno: errno, chip: chip, offsets: lines.map(\.offset), what: "input")
            }
            handles.inputs = request
            handles.inputLines = lines
            var fds = [Int32](repeating: -1, count: max(lines.count, 1))
            let count = gl_gpio_request_fds(request, &fds, fds.count)
            return Array(fds.prefix(Int(max(count, 0))))
        }
        var levels: [Int: Bool] = [:]
        for line in lines { levels[line.offset] = try readInput(offset: line.offset) }
        let watcher = try EdgeWatcher.start(chip: self, fds: fds, initialLevels: levels, onEdge: onEdge)
        self.watcher.withLock { $0 = watcher }
    }

    public func readInput(offset: Int) throws(GPIOError) -> Bool {
        try handles.withLock { (handles: inout Handles) throws(GPIOError) -> Bool in
            guard let request = handles.inputs, let line = handles.inputLines.first(where: { $0.offset == offset }) else {
                throw GPIOError(chip: label, operation: "read line \(offset)", detail: "not requested as an input")
            }
            let value = gl_gpio_request_get_value(request, UInt32(offset))
            guard value >= 0 else {
                throw GPIOError(chip: label, operation: "read line \(offset)", detail: String(cString: strerror(errno)))
            }
            return (value == 1) != line.activeLow
        }
    }

    public func requestOutputs(offsets: [Int], consumer: String) throws(GPIOError) {
        guard !offsets.isEmpty else { return }
        try handles.withLock { (handles: inout Handles) throws(GPIOError) in
            guard let chip = handles.chip else { throw closedError("request outputs") }
            guard handles.outputs == nil else { throw GPIOError(chip: label, operation: "request outputs", detail: "outputs are already requested") }
            let raw = offsets.map { UInt32($0) }
            guard let request = raw.withUnsafeBufferPointer({ gl_gpio_request_outputs(chip, consumer, $0.baseAddress, $0.count) }) else {
                throw requestError(errno: errno, chip: chip, offsets: offsets, what: "output")
            }
            handles.outputs = request
            handles.outputOffsets = Set(offsets)
        }
    }

    public func setOutput(offset: Int, high: Bool) throws(GPIOError) {
        try handles.withLock { (handles: inout Handles) throws(GPIOError) in
            guard let request = handles.outputs, handles.outputOffsets.contains(offset) else {
                throw GPIOError(chip: label, operation: "set line \(offset)", detail: "not requested as an output")
            }
            guard gl_gpio_request_set_value(request, UInt32(offset), high ? 1 : 0) == 0 else {
                throw GPIOError(chip: label, operation: "set line \(offset)", detail: String(cString: strerror(errno)))
            }
        }
    }

    /// Stops the edge thread, releases every line and closes the chip. Safe to call twice.
    public func close() {
        let running = watcher.withLock { watcher in
            defer { watcher = nil }
            return watcher
        }
        running?.stop()
        handles.withLock { handles in
            gl_gpio_request_release(handles.inputs)
            gl_gpio_request_release(handles.outputs)
            gl_gpio_chip_close(handles.chip)
            handles.inputs = nil
            handles.outputs = nil
            handles.chip = nil
        }
    }

    // MARK: - Used by the edge thread

    /// Reads what is pending on `fd` (it polled readable); copies every event out at once.
    func readEvents(fd: Int32) -> Result<[(event: gl_gpio_event, activeLow: Bool)], GPIOError> {
        handles.withLock { handles in
            guard let request = handles.inputs else { return .success([]) }
            var buffer = [gl_gpio_event](repeating: gl_gpio_event(), count: 16)
            let count = gl_gpio_request_read_events(request, fd, &buffer, buffer.count)
            guard count >= 0 else {
                return .failure(GPIOError(chip: label, operation: "read events", detail: String(cString: strerror(errno))))
            }
            let activeLow = Dictionary(handles.inputLines.map { ($0.offset, $0.activeLow) }, uniquingKeysWith: { first, _ in first })
            return .success(buffer.prefix(Int(count)).map { ($0, activeLow[Int($0.offset)] ?? false) })
        }
    }

    var watchedOffsets: [Int] { handles.withLock { $0.inputLines.map(\.offset) } }

    // MARK: - Errors

    private func closedError(_ operation: String) -> GPIOError {
        GPIOError(chip: label, operation: operation, detail: "the chip is closed")
    }

    /// Names who holds a busy line ("already used by consumer 'gpiomon'"), else the errno text.
    private func requestError(errno code: Int32, chip: OpaquePointer, offsets: [Int], what: String) -> GPIOError {
        var holders: [String] = []
        for offset in offsets {
            var consumer = [CChar](repeating: 0, count: 64)
            if gl_gpio_line_consumer(chip, UInt32(offset), &consumer, consumer.count) == 1 {
                holders.append("line \(offset) is already used by consumer '\(string(from: consumer))'")
            }
        }
        if !holders.isEmpty {
            return GPIOError(chip: label, operation: "request \(what) lines \(offsets)",
                             detail: holders.joined(separator: ", ") + "; stop that program or free the line (`gpioinfo` shows every consumer)")
        }
        return GPIOError(chip: label, operation: "request \(what) lines \(offsets)", detail: String(cString: strerror(code)))
    }
}

/// What the edge thread has seen since the inputs were requested.
public struct LibgpiodCounters: Sendable, Equatable {
    public var edges = 0
    /// Times the levels were re-read because edges were lost (kernel FIFO overflow) or a read failed.
    public var resyncs = 0
    public var readErrors = 0
}

extension LineBias {
    var adapterValue: Int32 {
        switch self {
        case .asIs: Int32(GL_GPIO_BIAS_AS_IS.rawValue)
        case .pullUp: Int32(GL_GPIO_BIAS_PULL_UP.rawValue)
        case .pullDown: Int32(GL_GPIO_BIAS_PULL_DOWN.rawValue)
        case .disabled: Int32(GL_GPIO_BIAS_DISABLED.rawValue)
        }
    }
}

/// The text in a NUL-terminated buffer the adapter filled.
func string(from buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
