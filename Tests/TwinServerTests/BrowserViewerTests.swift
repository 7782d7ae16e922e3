import Foundation
import Testing
import TwinRuntime
@testable import TwinServer

/// Drives Chromium (Debian `chromium`, headless, WebGL2 through SwiftShader) over the
/// DevTools protocol against the web viewer: load the page, see the world, press
/// play, see it move (screenshots compared), click an entity, see its state.
@Suite(.timeLimit(.minutes(3)))
struct BrowserViewerTests {
    /// A DevTools session on one page.
    final class DevTools: @unchecked Sendable {
        let ws: WebSocketClient
        var nextID = 0
        init(ws: WebSocketClient) { self.ws = ws }

        func call(_ method: String, _ params: String = "{}") async throws -> JSONValue {
            nextID += 1
            let id = nextID
            try await ws.send(text: #"{"id": \#(id), "method": "\#(method)", "params": \#(params)}"#)
            while let m = try await ws.receive() {
                guard case .text(let t) = m, let v = try? JSONParser.parse(t), v["id"]?.int == id else { continue }
                if let e = v["error"] { throw LoopbackClient.Failure(description: "\(method): \(JSONWriter.string(e))") }
                return v["result"] ?? .null
            }
            throw LoopbackClient.Failure(description: "DevTools closed")
        }

        func evaluate(_ js: String) async throws -> JSONValue {
            let r = try await call("Runtime.evaluate", JSONWriter.string(.object([
                ("expression", .string(js)), ("returnByValue", .bool(true)), ("awaitPromise", .bool(true)),
            ])))
            return r["result"]?["value"] ?? .null
        }

        /// Polls `js` until it is true, for at most `seconds`.
        func waitFor(_ js: String, seconds: Double = 30) async throws -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                if try await evaluate(js).boolValue == true { return true }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            return false
        }

        func screenshot() async throws -> [UInt8] {
            let r = try await call("Page.captureScreenshot", #"{"format": "png"}"#)
            return [UInt8](Data(base64Encoded: r["data"]?.stringValue ?? "") ?? Data())
        }
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func viewerShowsTheWorldPlaysAndInspects() async throws {
        guard let chromium = Self.chromium else {
            Issue.record("chromium is not installed (Tools/setup.sh installs it)")
            return
        }
        try await withServer { s in
            let profile = s.directory + "/chromium"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: chromium)
            p.arguments = ["--headless", "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--no-sandbox",
                           "--disable-gpu-sandbox", "--no-first-run", "--remote-debugging-port=0", "--user-data-dir=\(profile)",
                           "--window-size=1280,720", "about:blank"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            defer { p.terminate(); p.waitUntilExit() }
            var devPort = 0
            for _ in 0..<300 where devPort == 0 {
                try await Task.sleep(nanoseconds: 100_000_000)
                let text = (try? String(contentsOfFile: profile + "/DevToolsActivePort", encoding: .utf8)) ?? ""
                devPort = Int(text.split(separator: "\n").first ?? "") ?? 0
            }
            #expect(devPort > 0, "chromium started")
            let targets = try JSONParser.parse(try await LoopbackClient.request(port: devPort, "GET", "/json/list").body)
            let page = targets.elements?.first { $0["type"]?.stringValue == "page" }?["webSocketDebuggerUrl"]?.stringValue ?? ""
            let path = "/" + page.split(separator: "/", maxSplits: 3).dropFirst(2).joined(separator: "/")
            let dt = DevTools(ws: try await WebSocketClient.connect(port: devPort, path: path))
            defer { dt.ws.close() }
            _ = try await dt.call("Page.enable")
            _ = try await dt.call("Page.navigate", #"{"url": "http://127.0.0.1:\#(s.port)/?token=\#(ServerFixture.controller)"}"#)

            // The page follows the world: three entities arrive over the stream and WebGL draws them.
            let shown = try await dt.waitFor("window.twin && twin.entities === 3 && twin.frames > 0")
            let state = try await dt.evaluate("JSON.stringify(window.twin)")
            #expect(shown, "\(state)")
            #expect(try await dt.evaluate("twin.webgl").boolValue == true, "WebGL via SwiftShader")
            let before = try await dt.screenshot()
            try before.write(to: s.directory + "/viewer-before.png")

            // Play at 8× for a moment: the step advances and the picture changes.
            _ = try await dt.evaluate("document.getElementById('speed').value = 8; document.getElementById('play').click(); true")
            #expect(try await dt.waitFor("twin.step > 64"))
            _ = try await dt.evaluate("document.getElementById('pause').click(); true")
            try await Task.sleep(nanoseconds: 300_000_000)
            let after = try await dt.screenshot()
            try after.write(to: s.directory + "/viewer-after.png")
            #expect(before != after, "the world moved on screen")
            if let keep = ProcessInfo.processInfo.environment["TWIN_KEEP_SCREENSHOTS"] {
                try before.write(to: keep + "/viewer-before.png")
                try after.write(to: keep + "/viewer-after.png")
            }

            // Click on the pillar where the page's camera projects it; its state appears.
            let xy = try await dt.evaluate("""
                (() => { const r = renderer.domElement.getBoundingClientRect();
                  for (const [id, e] of entities) if (e.kind === 'static') {
                    const v = new THREE.Vector3(e.t[0], e.t[1] + e.t[8] / 2, e.t[2]).project(camera);
                    return [r.left + (v.x + 1) / 2 * r.width, r.top + (1 - v.y) / 2 * r.height]; } })()
                """)
            let x = xy.elements?.first?.doubleValue ?? 0, y = xy.elements?.last?.doubleValue ?? 0
            for type in ["mousePressed", "mouseReleased"] {
                _ = try await dt.call("Input.dispatchMouseEvent", #"{"type": "\#(type)", "x": \#(x), "y": \#(y), "button": "left", "clickCount": 1}"#)
            }
            let picked = try await dt.waitFor("twin.selected !== null", seconds: 10)
            let debug = try await dt.evaluate("JSON.stringify([twin, [...entities.values()].map(e => [e.kind, e.t])])")
            #expect(picked, "clicked at \(x), \(y): \(debug)")
            let selected = try await dt.evaluate("twin.selected.components.Name")
            #expect(selected.stringValue == "pillar")
            #expect(try await dt.evaluate("document.getElementById('entity').textContent.includes('pillar')").boolValue == true)

            // Without WebGL the page shows the PNG snapshot instead.
            _ = try await dt.call("Page.navigate", #"{"url": "http://127.0.0.1:\#(s.port)/?png&token=\#(ServerFixture.reader)"}"#)
            #expect(try await dt.waitFor("window.twin && twin.frames > 0 && document.querySelector('#view img').naturalWidth === 960"))
        }
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}
