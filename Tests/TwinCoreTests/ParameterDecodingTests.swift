import Testing
import TwinCore

struct Knobs: SystemParameters, Hashable {
    var speed: Float = 1.2
    var mode: String = "fast"
    var nested: Inner = Inner()
    var optional: Double?
    struct Inner: Codable, Hashable { var a: Int = 1; var b: Int = 2 }
    func validate() throws(ParameterError) {
        if speed < 0 { throw ParameterError("speed", "speed must be ≥ 0") }
    }
}

@Suite("System parameters: defaults, strictness, validation")
struct ParameterDecodingTests {
    func decode(_ text: String) throws -> Knobs {
        try ParameterDecoding.decode(Knobs.self, from: try JSONParser.parse(text), path: [.key("params")])
    }

    @Test("missing members take their defaults; nested objects merge member by member")
    func defaults() throws {
        #expect(try decode("{}") == Knobs())
        let k = try decode("{\"speed\": 2, \"nested\": {\"b\": 5}, \"optional\": 0.5}")
        #expect(k.speed == 2 && k.mode == "fast" && k.nested == .init(a: 1, b: 5) && k.optional == 0.5)
    }

    @Test("unknown members are errors naming the path and the known members")
    func unknown() {
        #expect {
            try decode("{\"sped\": 2}")
        } throws: { e in
            let e = e as? JSONDecodingError
            return e?.path.jsonPath == "$.params.sped" && (e?.message.contains("did you mean \"speed\"") ?? false)
                && (e?.message.contains("optional") ?? false)
        }
        #expect(throws: JSONDecodingError.self) { try decode("{\"nested\": {\"c\": 1}}") }
    }

    @Test("range validation points at the member")
    func validation() {
        #expect {
            try decode("{\"speed\": -1}")
        } throws: { e in
            (e as? JSONDecodingError)?.path.jsonPath == "$.params.speed"
        }
    }

    @Test("a non-object params value is a type error")
    func notObject() {
        #expect(throws: JSONDecodingError.self) { try decode("[1]") }
    }
}

@Suite("Schema from examples")
struct JSONSchemaBuilderTests {
    @Test("objects forbid unknown members; short number arrays have fixed length")
    func shapes() throws {
        let example = try JSONParser.parse("{\"v\": [0, 0, 0], \"n\": 1, \"s\": \"x\"}")
        let s = JSONSchemaBuilder.schema(forExample: example, units: ["v": "m"])
        #expect(s["additionalProperties"]?.boolValue == false)
        #expect(s["properties"]?["v"]?["minItems"]?.doubleValue == 3)
        #expect(s["properties"]?["v"]?["description"]?.stringValue == "[m]")
        #expect(s["properties"]?["s"]?["type"]?.stringValue == "string")
    }
}
