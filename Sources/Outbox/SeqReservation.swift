#if canImport(Glibc)
import Glibc
#endif

/// Seqs reserved in blocks, recorded outside the database: `<outbox>.seq` holds the highest seq any
/// event may have been given ("reserved_through N"). It is rewritten (temp file, fsync, rename, fsync
/// of the directory) once per `blockSize` seqs, so a press costs no second fsync.
///
/// After the outbox loses its tail (a torn WAL) or is quarantined, the next seq starts past the
/// reserved block: a seq that was ever reported stored is never given to another event.
struct SeqReservation {
    /// Seqs per block: one extra fsync per this many stored events; also the widest gap a skip leaves.
    static let blockSize: UInt64 = 1000

    let path: String
    /// The highest reserved seq; 0 when the file does not exist yet.
    private(set) var reservedThrough: UInt64

    init(outboxPath: String) {
        path = outboxPath + ".seq"
        reservedThrough = Self.read(path) ?? 0
    }

    /// Whether the file existed (a fresh outbox next to an existing file means the old one was lost).
    var exists: Bool { reservedThrough > 0 }

    /// Makes sure `seq` is reserved, writing a new block when it is not. Throws the errno as an outbox error.
    mutating func ensure(through seq: UInt64, outboxPath: String) throws(OutboxError) {
        guard seq > reservedThrough else { return }
        let target = seq + Self.blockSize
        try write(target, outboxPath: outboxPath)
        reservedThrough = target
    }

    private func write(_ value: UInt64, outboxPath: String) throws(OutboxError) {
        let temp = path + ".tmp"
        let text = Array("reserved_through \(value)\n".utf8)
        func failure(_ step: String) -> OutboxError {
            let code = errno
            let kind: OutboxError.Kind = switch code {
            case ENOSPC, EDQUOT: .diskFull
            case EROFS, EACCES, EPERM: .readOnly
            default: .ioError
            }
            return OutboxError(kind: kind, path: outboxPath, operation: "reserve seqs",
                               detail: "\(step) \(temp): \(String(cString: strerror(code)))")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw failure("open") }
        let written = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == text.count else { let error = failure("write"); close(fd); unlink(temp); throw error }
        guard fsync(fd) == 0 else { let error = failure("fsync"); close(fd); unlink(temp); throw error }
        close(fd)
        guard rename(temp, path) == 0 else { let error = failure("rename"); unlink(temp); throw error }
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let dirFd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFd >= 0 {
            _ = fsync(dirFd)
            close(dirFd)
        }
    }

    static func read(_ path: String) -> UInt64? {
        guard let bytes = readSmallFile(path, limit: 256) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let value = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).dropFirst().first else { return nil }
        return UInt64(value)
    }
}

/// At most `limit` bytes of a file, or nil when it cannot be read.
func readSmallFile(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: limit)
    let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, limit) }
    guard count >= 0 else { return nil }
    return Array(buffer.prefix(count))
}

/// Checks a WAL file's length before SQLite opens it: a WAL is a 32-byte header followed by whole
/// frames (24-byte frame header + one page). A length that is not a whole number of frames means the
/// tail was torn (a cut write); SQLite silently ignores the torn frame and whatever commit it ended.
enum WALTail {
    /// True when the WAL next to `outboxPath` exists and ends in the middle of a frame.
    static func isTorn(outboxPath: String) -> Bool {
        let walPath = outboxPath + "-wal"
        var info = stat()
        guard stat(walPath, &info) == 0, info.st_size > 32, let header = readSmallFile(walPath, limit: 32), header.count == 32 else {
            return false
        }
        // WAL header: magic (4), format version (4), page size (4, big-endian), ….
        let pageSize = header[8..<12].reduce(0) { $0 << 8 | Int($1) }
        guard pageSize >= 512, pageSize <= 65_536 else { return true }
        return (Int(info.st_size) - 32) % (24 + pageSize) != 0
    }
}

/// The whole file, or nil when it cannot be read.
func readWholeFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return count == 0 ? result : nil }
        result.append(contentsOf: buffer.prefix(count))
    }
}
