import Foundation
import Hummingbird
import TwinRuntime

/// Operations (`/healthz`, `/metrics`, `/openapi.json`), the web viewer and its
/// three.js, and uploads into the data directory.
extension API {
    /// The only files served from disk: three.js from Debian's libjs-three.
    static let vendorFiles = ["three.min.js": "build/three.min.js"]

    func addFileRoutes(to router: Router<Context>) {
        router.get("/healthz") { _, _ in
            API.json(.object([("status", .string("ok")), ("worlds", .number(Double(self.registry.all.count)))]))
        }
        router.get("/metrics") { _, _ in
            API.bytes(self.metrics.exposition(worlds: self.registry.all), type: "text/plain; version=0.0.4")
        }
        router.get("/openapi.json") { _, _ in API.json(OpenAPI.document) }
        router.get("/") { _, _ in API.bytes(Array(ViewerPage.html.utf8), type: "text/html; charset=utf-8") }
        router.get("/vendor/:file") { _, context in
            let name = context.parameters.get("file") ?? ""
            guard let relative = Self.vendorFiles[name] else { throw APIError(.notFound, "no vendor file \"\(name.prefix(64))\"") }
            let path = self.config.threeJSDirectory + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else {
                throw APIError(.notFound, "\(path) is missing: install Debian's libjs-three (Tools/setup.sh)")
            }
            return API.bytes([UInt8](data), type: "application/javascript")
        }
        router.put("/api/scenes/:name") { request, context in
            try self.authorize(request, .admin)
            let path = try SafeName.path((context.parameters.get("name") ?? "") + ".json", in: self.registry.uploadedScenes, what: "scene name")
            var request = request
            let bytes = try await self.body(&request)
            try UploadCheck.scene(bytes)
            try Self.write(bytes, to: path)
            do { _ = try SceneLoader().load(file: path) } catch let error as SceneError {
                try? FileManager.default.removeItem(atPath: path)
                throw APIError(.unprocessableContent, "the scene does not load: " + error.issues.prefix(5).map(\.description).joined(separator: "; "))
            }
            return API.json(.object([("name", .string(WorldRegistry.stem(path))), ("bytes", .number(Double(bytes.count)))]), status: .created)
        }
        router.put("/api/assets/:name") { request, context in
            try self.authorize(request, .admin)
            let path = try SafeName.path(context.parameters.get("name") ?? "", in: self.registry.uploadedAssets, what: "asset name")
            var request = request
            let bytes = try await self.body(&request)
            try Self.write(bytes, to: path)
            return API.json(.object([("name", .string("assets/" + URL(fileURLWithPath: path).lastPathComponent)),
                                     ("bytes", .number(Double(bytes.count)))]), status: .created)
        }
    }

    static func write(_ bytes: [UInt8], to path: String) throws(APIError) {
        do {
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw APIError(.internalServerError, "could not store the upload: \(error.localizedDescription)")
        }
    }
}

/// What an uploaded scene may name: files only inside the upload directory.
enum UploadCheck {
    /// Parses `bytes` and checks that every file path in it is relative, without
    /// `..`, so it resolves inside the data directory.
    static func scene(_ bytes: [UInt8]) throws(APIError) {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch {
            throw APIError(.badRequest, "malformed JSON at \(error.location): \(error.message)")
        }
        if let bad = escapingPath(root, path: "$") {
            throw APIError(.badRequest, "\(bad.path): \"\(bad.value.prefix(80))\" leaves the data directory; uploaded scenes name uploaded assets as assets/NAME")
        }
    }

    /// The first string that could be a path outside the directory: absolute, home-relative,
    /// with a `..` component or a backslash. (Descriptions are prose and exempt.)
    static func escapingPath(_ v: JSONValue, path: String) -> (path: String, value: String)? {
        switch v.kind {
        case .string(let s):
            let parts = s.split(separator: "/", omittingEmptySubsequences: false)
            if s.hasPrefix("/") || s.hasPrefix("~") || s.contains("\\") || parts.contains("..") { return (path, s) }
            return nil
        case .array(let a):
            for (i, x) in a.enumerated() { if let bad = escapingPath(x, path: "\(path)[\(i)]") { return bad } }
            return nil
        case .object(let m):
            for x in m where x.key != "description" {
                if let bad = escapingPath(x.value, path: "\(path).\(x.key)") { return bad }
            }
            return nil
        default:
            return nil
        }
    }
}
