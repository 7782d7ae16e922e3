import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

@Suite("bindings section: strict decoding with JSON paths")
struct BindingDecodingTests {
    /// The scene with its `bindings` replaced.
    func scene(bindings: String) -> String {
        let start = LiveScene.text.range(of: "\"bindings\": [")!.lowerBound
        return String(LiveScene.text[..<start]) + "\"bindings\": " + bindings + "\n}"
    }

    func issues(_ bindings: String) -> [String] {
        do {
            _ = try SceneLoader.live.load(text: scene(bindings: bindings), file: "s.json")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test("the example scene's bindings load: five rules, in order")
    func loads() throws {
        let sim = try LiveScene.load()
        let list = try #require(sim.world.resource(LiveBindings.self)).list
        #expect(list.map(\.name) == ["status", "door-count", "track", "vehicles", "alarms"])
        #expect(list[3].late == .reorder && list[3].window == 2 && list[3].create == "vehicle")
        #expect(list[1].semantics == .count && list[1].total)
    }

    @Test("every mistake is reported with its JSON path and what was expected")
    func errors() {
        let base = #"{"name": "b", "topic": "t/+", "id": "id", "fields": [{"from": "v", "to": "MachineControl.release"}]}"#
        let cases: [(String, String)] = [
            (#"[{"name": "b", "topic": "t", "id": "id", "fields": [], "colour": 1}]"#, "$.bindings[0].colour: unknown member \"colour\""),
            (#"[{"name": "b", "topic": "a/#/b", "id": "id", "fields": [{"from": "v", "to": "Kind"}]}]"#, "$.bindings[0].topic: malformed filter"),
            (#"[{"name": "b", "topic": "t", "id": "id", "fields": [{"from": "v", "to": "Temperature"}]}]"#, "$.bindings[0].fields[0].to: unknown component \"Temperature\""),
            (#"[{"name": "b", "topic": "t", "id": "id", "fields": [{"from": "v", "to": "MachineControl.speed"}]}]"#, "$.bindings[0].fields[0].to: unknown member of MachineControl \"speed\""),
            (#"[{"name": "b", "topic": "t", "id": "id", "fields": [{"from": "v", "to": "Kind", "unit": "furlong"}]}]"#, "$.bindings[0].fields[0].unit: unknown unit \"furlong\""),
            (#"[{"name": "b", "topic": "t", "id": "id", "semantics": "event", "fields": []}]"#, "$.bindings[0].semantics: \"event\" needs \"prefab\""),
            (#"[{"name": "b", "topic": "t", "id": "id", "entity": {"create": "ghost"}, "fields": [{"from": "v", "to": "Kind"}]}]"#, "$.bindings[0].entity.create: unknown prefab \"ghost\""),
            (#"[{"name": "b", "topic": "t", "id": "a..b", "fields": [{"from": "v", "to": "Kind"}]}]"#, "$.bindings[0].id: expected a member path"),
            (#"[{"name": "b", "topic": "t", "id": "id", "late": "later", "fields": [{"from": "v", "to": "Kind"}]}]"#, "$.bindings[0].late: unknown late \"later\""),
            (#"[{"name": "b", "topic": "t", "id": "id", "fields": [{"position": {"frame": "gps", "lat": "a", "lon": "b"}, "to": "Position"}]}]"#, "$.bindings[0].fields[0].position: a gps position needs \"reference\""),
            ("[" + base + ", " + base + "]", "$.bindings[1].name: binding name \"b\" is used twice"),
            (#"{"name": "b"}"#, "$.bindings: bindings is an array"),
        ]
        for (text, expected) in cases {
            let found = issues(text)
            #expect(found.count == 1 && found[0].contains(expected), "\(text)\n→ \(found)")
            #expect(found.first?.hasPrefix("s.json:") == true)
        }
    }

    @Test("topic filters: + is one level, a final # any number (also none)")
    func topics() throws {
        let p = try #require(TopicPattern("plant/+/status"))
        #expect(p.matches("plant/P1/status") && !p.matches("plant/P1/x/status") && !p.matches("plant/status"))
        let h = try #require(TopicPattern("plant/#"))
        #expect(h.matches("plant") && h.matches("plant/a") && h.matches("plant/a/b") && !h.matches("plan/a"))
        #expect(TopicPattern("public.orders")?.matches("public.orders") == true)
        #expect(TopicPattern("a/#/b") == nil && TopicPattern("a/b+") == nil && TopicPattern("") == nil)
    }
}
