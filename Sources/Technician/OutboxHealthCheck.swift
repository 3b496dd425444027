import Control
import GridLinkCore
import GridLinkDaemon

/// Outbox: the running daemon's storage health (full, read-only, I/O error, corrupt) and any
/// quarantine a technician has not cleared yet.
public enum OutboxHealthCheck {
    /// Asks the daemon (if it answers on `controlSocket`) and reads the quarantine record next to the outbox.
    public static func check(outboxPath: String, controlSocket: String) -> CheckItem {
        var storage: StorageReport?
        if case .status(let status)? = try? ControlClient.send(.status, to: controlSocket, timeoutSeconds: 5) {
            storage = status.storage
        }
        return check(storage: storage, quarantines: storage?.quarantines ?? QuarantineLog.read(outboxPath: outboxPath))
    }

    /// The verdict from readings (pure).
    public static func check(storage: StorageReport?, quarantines: [QuarantineRecord]) -> CheckItem {
        if let storage, storage.condition != .ok {
            return CheckItem("outbox", .fail, "storage is \(storage.condition.rawValue.replacingOccurrences(of: "_", with: "-")): presses are refused ('cannot store'): \(storage.error ?? "")",
                             fix: fix(for: storage.condition))
        }
        if let last = quarantines.last {
            let files = last.files.isEmpty ? "no files moved" : "kept as \(last.files.joined(separator: ", "))"
            return CheckItem("outbox", .warn, "\(quarantines.count) outbox quarantine(s) not cleared; last: \(last.reason), \(last.rowsSalvaged) rows salvaged, at most \(last.rowsLost) lost, seqs \(last.seqSkippedFrom)–\(last.seqSkippedTo) skipped, \(files)",
                             fix: "copy the kept files for analysis if wanted, then: gridlinkctl store clear-quarantine (and delete the files)")
        }
        return CheckItem("outbox", .ok, storage == nil ? "no quarantine recorded (gridlinkd not reachable for its storage health)" : "storage healthy, no quarantine recorded")
    }

    static func fix(for condition: StorageCondition) -> String {
        switch condition {
        case .full: "free space on the state directory's file system; gridlinkd resumes storing by itself"
        case .readOnly: "remount read-write (mount -o remount,rw …); if it turned read-only by itself, the SD card is failing: replace it"
        case .ioError: "check dmesg for I/O errors; the SD card or disk may be failing"
        case .corrupt: "gridlinkd is quarantining the damaged outbox; if this persists, check the card"
        case .ok: ""
        }
    }
}
