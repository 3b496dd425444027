import Foundation  // String.replacingOccurrences (gridlinkctl only; the daemon does not link Technician)
import GridLinkCore

#if canImport(Glibc)
import Glibc
#endif

/// Storage: the outbox must survive a power cut, so its directory must be on a persistent, writable
/// file system with room to spare.
public enum StorageCheck {
    /// Below this the outbox may soon refuse events.
    public static let minimumFreeBytes: UInt64 = 64 * 1024 * 1024

    /// File systems that live in RAM: an outbox there is lost at every reboot.
    static let volatileTypes: Set<String> = ["tmpfs", "ramfs", "devtmpfs"]

    public static func check(stateDir: String, mountInfo: String? = nil) -> CheckItem {
        var info = statvfs()
        guard statvfs(stateDir, &info) == 0 else {
            return CheckItem("storage", .fail, "the state directory \(stateDir) cannot be examined: \(String(cString: strerror(errno)))",
                             fix: "create it (install -d -o gridlink -g gridlink -m 0750 \(stateDir)) or fix [paths] state_dir")
        }
        let mounts = mountInfo ?? ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
        let mount = Mount.containing(stateDir, in: mounts)
        let fsType = mount?.fsType ?? "unknown"
        if info.f_flag & UInt(ST_RDONLY) != 0 || mount?.readOnly == true {
            return CheckItem("storage", .fail, "the state directory \(stateDir) is on a read-only file system (\(mount?.mountPoint ?? "?"), \(fsType)); events cannot be stored",
                             fix: "remount it read-write (mount -o remount,rw \(mount?.mountPoint ?? "/")); if it keeps turning read-only, the SD card is failing: replace it")
        }
        if volatileTypes.contains(fsType) {
            return CheckItem("storage", .fail, "the state directory \(stateDir) is on \(fsType) (\(mount?.mountPoint ?? "?")): the outbox would be lost at every reboot",
                             fix: "set [paths] state_dir to a directory on the SD card or disk, e.g. /var/lib/gridlink")
        }
        if let problem = probeWrite(stateDir) {
            return CheckItem("storage", .fail, "cannot write in \(stateDir): \(problem)",
                             fix: "give the gridlink user the directory: chown gridlink:gridlink \(stateDir); if the file system is full or failing, free space or replace the card")
        }
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        let freeText = "\(free / (1024 * 1024)) MB free"
        if free < minimumFreeBytes {
            return CheckItem("storage", .warn, "\(stateDir) (\(fsType)) has only \(freeText)",
                             fix: "free space on \(mount?.mountPoint ?? "that file system") (journalctl --vacuum-size=50M, apt-get clean)")
        }
        return CheckItem("storage", .ok, "\(stateDir) is writable on persistent storage (\(fsType), \(freeText))")
    }

    /// Creates, writes, fsyncs and removes a probe file; nil when that worked.
    static func probeWrite(_ directory: String) -> String? {
        let path = directory + "/.gridlinkctl-check-\(getpid())"
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd); unlink(path) }
        let ok = "ok".withCString { write(fd, $0, 2) } == 2 && fsync(fd) == 0
        return ok ? nil : String(cString: strerror(errno))
    }
}

/// One line of /proc/self/mountinfo.
struct Mount: Equatable {
    var mountPoint: String
    var fsType: String
    var readOnly: Bool

    /// The mount whose mount point is the longest prefix of `path` (the one the path lives on).
    static func containing(_ path: String, in mountInfo: String) -> Mount? {
        var best: Mount?
        for line in mountInfo.split(separator: "\n") {
            // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 6, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            let mountPoint = fields[4].replacingOctalEscapes()
            let inside = path == mountPoint || mountPoint == "/" || path.hasPrefix(mountPoint + "/")
            guard inside, mountPoint.count >= (best?.mountPoint.count ?? -1) else { continue }
            best = Mount(mountPoint: mountPoint, fsType: fields[dash + 1], readOnly: fields[5].split(separator: ",").contains("ro"))
        }
        return best
    }
}

extension String {
    /// mountinfo writes a space as `\040`.
    func replacingOctalEscapes() -> String {
        replacingOccurrences(of: "\\040", with: " ")
    }
}
