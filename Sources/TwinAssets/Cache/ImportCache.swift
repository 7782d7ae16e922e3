import Foundation

/// A content-addressed cache of converted models on disk.
///
/// The key is SHA-256 over (cache format version, `ModelSerializer.formatVersion`, the
/// import options, the file's absolute path, the file's bytes): a changed file, other options or a new importer
/// version all give a new key, so invalidation needs no bookkeeping. An entry that cannot
/// be decoded (truncated, corrupt, from another version) is ignored and rebuilt.
///
/// The path is in the key because texture references are resolved relative to the file.
/// Textures referenced by path are not hashed: the model stores references, not pixels.
/// Entries are written to a temporary file and renamed, so concurrent writers
/// (two worlds importing the same model) never see half an entry.
///
/// Hashing a large file costs more than decoding its entry, so beside each entry a small
/// index file (`<sha256 of options and path>.twindex`) remembers the file's
/// `FileFingerprint` and content key: while the file's size, inode, modification and
/// status-change times are unchanged, a lookup skips reading and hashing it. Files written
/// less than 2 s before they were indexed are not indexed (their timestamps may be "racy").
public struct ImportCache: Sendable {
    /// Bump when the key derivation changes.
    static let keyVersion = "twinworld-import-cache/1"

    /// Where entries live (one `<sha256>.twmodel` file per entry).
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$TWIN_CACHE_DIR`, else `$XDG_CACHE_HOME/twinworld/imports`, else `~/.cache/twinworld/imports`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["TWIN_CACHE_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("twinworld/imports")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/twinworld/imports")
    }

    /// The cache key of the file at `path` with content `fileBytes`, imported with `options`.
    public static func key(path: String, fileBytes: [UInt8], options: ModelImportOptions) -> String {
        var hash = SHA256()
        hash.update(keyVersion)
        hash.update("|model=\(ModelSerializer.formatVersion)|scale=\(options.scale.bitPattern)|up=\(options.upAxis?.rawValue ?? "file")|")
        hash.update("path=\(path.utf8.count):\(path)|")
        hash.update(fileBytes)
        return hash.finalizeHex()
    }

    /// Path of the entry for `key`.
    public func entryURL(key: String) -> URL {
        directory.appendingPathComponent(key + ".twmodel")
    }

    /// Returns the cached model for `path` and `options`, or imports it with `importer`
    /// (e.g. `ModelImporter.importModel` or an `IsolatedImporter`) and stores the result.
    /// Cache I/O failures never fail the import: the cache is an optimisation.
    public func model(
        at path: String, options: ModelImportOptions = ModelImportOptions(),
        importer: (String, ModelImportOptions) throws(AssetImportError) -> ImportedModel
    ) throws(AssetImportError) -> (model: ImportedModel, hit: Bool) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        try ModelImporter.checkReadableFile(absolute)
        let index = indexURL(path: absolute, options: options)
        let fingerprint = FileFingerprint(path: absolute)
        if let fingerprint, let key = indexedKey(index, fingerprint: fingerprint), let model = cached(key: key, path: absolute) {
            return (model, true)
        }
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw .io(path: absolute, reason: "cannot read file")
        }
        let key = ImportCache.key(path: absolute, fileBytes: [UInt8](data), options: options)
        let entry = entryURL(key: key)
        // Index only settled files whose fingerprint did not change while they were read.
        let indexable = fingerprint.flatMap { f in f.isSettled() && FileFingerprint(path: absolute) == f ? f : nil }
        if let model = cached(key: key, path: absolute) {
            if let indexable { write(Array("\(indexable.text) \(key)\n".utf8), to: index) }
            return (model, true)
        }
        let model = try importer(absolute, options)
        write(ModelSerializer.encode(model), to: entry)
        if let indexable { write(Array("\(indexable.text) \(key)\n".utf8), to: index) }
        return (model, false)
    }

    /// The index file of `path` imported with `options`.
    func indexURL(path: String, options: ModelImportOptions) -> URL {
        var hash = SHA256()
        hash.update(ImportCache.keyVersion)
        hash.update("|index|scale=\(options.scale.bitPattern)|up=\(options.upAxis?.rawValue ?? "file")|path=\(path)")
        return directory.appendingPathComponent(hash.finalizeHex() + ".twindex")
    }

    /// The content key the index recorded, if the file still has the recorded fingerprint.
    private func indexedKey(_ index: URL, fingerprint: FileFingerprint) -> String? {
        guard let data = FileManager.default.contents(atPath: index.path), data.count < 512 else { return nil }
        let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let split = line.lastIndex(of: " "), FileFingerprint(text: line[..<split]) == fingerprint else { return nil }
        let key = String(line[line.index(after: split)...])
        return key.count == 64 && key.allSatisfy(\.isHexDigit) ? key : nil
    }

    /// The decoded entry for `key`, if present, readable and made from `path`.
    private func cached(key: String, path: String) -> ImportedModel? {
        let entry = entryURL(key: key)
        guard let bytes = FileManager.default.contents(atPath: entry.path),
            let model = try? ModelSerializer.decode([UInt8](bytes), path: entry.path), model.sourcePath == path
        else { return nil }
        return model
    }

    /// Writes `bytes` to `entry` atomically; failures are ignored (the cache is an optimisation).
    private func write(_ bytes: [UInt8], to entry: URL) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let temporary = directory.appendingPathComponent(".\(UUID().uuidString).tmp")
            try Data(bytes).write(to: temporary)
            // rename(2) replaces atomically, also when another process wrote the entry meanwhile.
            if rename(temporary.path, entry.path) != 0 {
                try? FileManager.default.removeItem(at: temporary)
            }
        } catch {
            // A read-only or full cache directory only costs speed.
        }
    }
}
