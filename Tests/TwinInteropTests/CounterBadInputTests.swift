import Testing
import TwinCore
import TwinRuntime
import TwinTesting

/// Bad pedestrian counters (`"pedestrianQueue"` on a machines source): each a load error
/// naming the element and the JSON path, never a crash.
@Suite("interop: pedestrian counter bad input")
struct CounterBadInputTests {
    static let pedestrians = """
        "pedestrians": {
          "levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": [[0, 0], [30, 0], [30, 6], [0, 6]]}]}}],
          "stages": [{"name": "counter", "type": "queue", "slots": [[20, 3], [19.4, 3], [18.8, 3]]RELEASE},
                     {"name": "out", "type": "exit", "area": [[28, 0], [30, 0], [30, 6], [28, 6]]}],
          "journeys": [{"name": "visit", "stages": ["counter", "out"]}]}
        """

    static func issues(_ elements: String, pedestrians: Bool = true, release: String = "") -> [SceneIssue] {
        let ped = pedestrians ? Self.pedestrians.replacingOccurrences(of: "RELEASE", with: release) + "," : ""
        let text = """
        {"world": {"dt": 0.05},
         \(ped)
         "machines": {"elements": [
        \(elements)
         ]}}
        """
        do {
            _ = try SceneLoader(catalog: .standard).load(text: text, file: "c.json")
            return []
        } catch {
            return error.issues
        }
    }

    /// Exactly one issue at `path` whose message contains every fragment.
    static func expectIssue(_ elements: String, path: String, _ fragments: String..., pedestrians: Bool = true, release: String = "",
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let found = issues(elements, pedestrians: pedestrians, release: release)
        #expect(found.count == 1, "issues: \(found.map(\.description))", sourceLocation: sourceLocation)
        guard let i = found.first else { return }
        #expect(i.path.jsonPath == path, "\(i.description)", sourceLocation: sourceLocation)
        for f in fragments { #expect(i.message.contains(f), "\(i.description) lacks \(f)", sourceLocation: sourceLocation) }
        #expect(i.location.line > 0, sourceLocation: sourceLocation)
    }

    static let desk = #"{"name": "desk", "type": "station", "process": 5, "to": "done"}, {"name": "done", "type": "sink"}"#

    static func source(_ members: String) -> String {
        #"{"name": "people", "type": "source", "#  + members + #", "to": "desk"}, "# + desk
    }

    @Test("a valid counter loads")
    func valid() {
        #expect(Self.issues(Self.source(#""pedestrianQueue": "counter""#)).isEmpty)
        #expect(Self.issues(Self.source(#""pedestrianQueue": "counter""#), release: #", "release": "manual""#).isEmpty)
    }

    @Test("an unknown stage name: lists the stages and suggests the closest")
    func unknownStage() {
        Self.expectIssue(Self.source(#""pedestrianQueue": "countre""#), path: "$.machines.elements[0].pedestrianQueue",
                         "element \"people\"", "unknown pedestrians stage \"countre\"", "did you mean \"counter\"")
    }

    @Test("a scene without a pedestrians section")
    func noPedestrians() {
        Self.expectIssue(Self.source(#""pedestrianQueue": "counter""#), path: "$.machines.elements[0].pedestrianQueue",
                         "no pedestrians section", pedestrians: false)
    }

    @Test("a stage that is not a queue")
    func notAQueue() {
        Self.expectIssue(Self.source(#""pedestrianQueue": "out""#), path: "$.machines.elements[0].pedestrianQueue",
                         "\"out\" is of type exit", "queue stage")
    }

    @Test("a queue with its own release timer")
    func timedQueue() {
        Self.expectIssue(Self.source(#""pedestrianQueue": "counter""#), path: "$.machines.elements[0].pedestrianQueue",
                         "own release timer", "\"manual\"", release: #", "release": {"every": 10}"#)
    }

    @Test("not a string, or empty")
    func notAString() {
        for v in ["3", "\"\"", "[\"counter\"]"] {
            Self.expectIssue(Self.source(#""pedestrianQueue": "# + v), path: "$.machines.elements[0].pedestrianQueue",
                             "pedestrianQueue must be the name of a pedestrians queue stage")
        }
    }

    @Test("combined with another arrival mode")
    func twoModes() {
        Self.expectIssue(Self.source(#""pedestrianQueue": "counter", "interarrival": 4"#), path: "$.machines.elements[0]",
                         "exactly one of", "pedestrianQueue")
        Self.expectIssue(Self.source(#""pedestrianQueue": "counter", "live": true"#), path: "$.machines.elements[0]", "exactly one of")
    }

    @Test("start and limit do not apply")
    func startAndLimit() {
        Self.expectIssue(Self.source(#""pedestrianQueue": "counter", "start": 10"#), path: "$.machines.elements[0].start",
                         "does not apply to a pedestrian-queue source")
        Self.expectIssue(Self.source(#""pedestrianQueue": "counter", "limit": 10"#), path: "$.machines.elements[0].limit",
                         "does not apply to a pedestrian-queue source")
    }

    @Test("one queue feeding two sources")
    func queueUsedTwice() {
        Self.expectIssue("""
          {"name": "a", "type": "source", "pedestrianQueue": "counter", "to": "desk"},
          {"name": "b", "type": "source", "pedestrianQueue": "counter", "to": "desk2"},
          {"name": "desk2", "type": "station", "process": 5, "to": "done"}, \(Self.desk)
        """, path: "$.machines.elements[1].pedestrianQueue", "element \"b\"", "already feeds source \"a\"")
    }

    @Test("feeding a sink or an unlimited buffer (everyone would leave the queue at once)")
    func feedsNoCounter() {
        Self.expectIssue("""
          {"name": "people", "type": "source", "pedestrianQueue": "counter", "to": "done"}, {"name": "done", "type": "sink"}
        """, path: "$.machines.elements[0].to", "feeds the counter", "not a sink")
        Self.expectIssue("""
          {"name": "people", "type": "source", "pedestrianQueue": "counter", "to": "hall"},
          {"name": "hall", "type": "buffer", "to": "desk"}, \(Self.desk)
        """, path: "$.machines.elements[0].to", "not an unlimited buffer")
    }

    @Test("pedestrianQueue on an element that is not a source")
    func onStation() {
        Self.expectIssue("""
          {"name": "people", "type": "source", "live": true, "to": "desk"},
          {"name": "desk", "type": "station", "process": 5, "pedestrianQueue": "counter", "to": "done"}, {"name": "done", "type": "sink"}
        """, path: "$.machines.elements[1].pedestrianQueue", "unknown member of a station \"pedestrianQueue\"")
    }
}
