import Foundation

/// A file's identity as the file system reports it (`stat`): size, inode, device, and the
/// modification and status-change times in nanoseconds. The import cache uses it to skip
/// re-hashing a file that has not changed, as make, ninja and git's index do.
///
/// Writing a file's content always updates its status-change time (`ctime`), which no
/// user tool can set back (`touch -r` sets only the modification time), so an equal
/// fingerprint means an unchanged file — except for a write in the same clock tick as the
/// fingerprint was taken ("racy" timestamps), which `isSettled` excludes.
struct FileFingerprint: Hashable, Sendable {
    var size: Int64
    var inode: UInt64
    var device: UInt64
    var modified: Int64
    var changed: Int64

    /// The fingerprint of the file at `path`; nil when it cannot be read.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        size = Int64(info.st_size)
        inode = UInt64(info.st_ino)
        device = UInt64(info.st_dev)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    init(size: Int64, inode: UInt64, device: UInt64, modified: Int64, changed: Int64) {
        self.size = size; self.inode = inode; self.device = device; self.modified = modified; self.changed = changed
    }

    /// True when the file was last written at least `margin` seconds before `now`, so a
    /// later write cannot share its timestamps.
    func isSettled(now: Date = Date(), margin: Double = 2) -> Bool {
        let limit = Int64((now.timeIntervalSince1970 - margin) * 1e9)
        return modified < limit && changed < limit
    }

    /// `size inode device modified changed`, one line of text.
    var text: String { "\(size) \(inode) \(device) \(modified) \(changed)" }

    init?(text: Substring) {
        let parts = text.split(separator: " ")
        guard parts.count == 5, let s = Int64(parts[0]), let i = UInt64(parts[1]), let d = UInt64(parts[2]),
            let m = Int64(parts[3]), let c = Int64(parts[4])
        else { return nil }
        self.init(size: s, inode: i, device: d, modified: m, changed: c)
    }
}
