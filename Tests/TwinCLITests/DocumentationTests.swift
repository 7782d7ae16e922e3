import Foundation
import Testing
import TwinTesting

@Suite("The plugin API's DocC reference")
struct DocumentationTests {
    /// Every symbol link in the articles resolves and nothing warns: a renamed API
    /// type breaks this test, not silently the guide.
    @Test("Tools/docs.sh builds the TwinCore archive without warnings")
    func docsBuild() async throws {
        let modules = (TwinProcess.executable as NSString).deletingLastPathComponent + "/Modules"
        let r = try await onOwnThread { try TwinProcess.run(["Tools/docs.sh", "--modules", modules], program: "/bin/sh") }
        #expect(r.status == 0, "\(r.stdout.suffix(2000))\n\(r.stderr.suffix(4000))")
        let index = packageRoot() + "/.build/docs/TwinCore.doccarchive/data/documentation/twincore/writinganentitysystem.json"
        #expect(FileManager.default.fileExists(atPath: index), "the guide is in the archive")
    }
}
