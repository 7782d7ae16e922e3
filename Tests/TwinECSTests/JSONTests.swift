import Testing
import TwinECS

@Suite("JSON parsing and strict decoding")
struct JSONTests {
    @Test("values carry their line and column")
    func locations() throws {
        let v = try JSONParser.parse("{\n  \"a\": [1, 2],\n  \"b\": {\"c\": true}\n}")
        #expect(v["a"]?.location == SourceLocation(line: 2, column: 8))
        #expect(v["b"]?["c"]?.location == SourceLocation(line: 3, column: 14))
    }

    @Test("malformed JSON names what was expected, and where", arguments: [
        ("{\"a\": 1,}", 1, 9, "expected a member name"),
        ("[1 2]", 1, 4, "expected ',' or ']'"),
        ("{\"a\": tru}", 1, 7, "expected 'true'"),
        ("{\n\"a\": \"x\n}", 2, 8, "line break inside a string"),
        ("", 1, 1, "expected a value"),
        ("{\"a\": 1} x", 1, 10, "after the end"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate member"),
        ("[01]", 1, 2, "leading zeros"),
    ])
    func syntaxErrors(text: String, line: Int, column: Int, message: String) {
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            guard let e = error as? JSONSyntaxError else { return false }
            return e.location == SourceLocation(line: line, column: column) && e.message.contains(message)
        }
    }

    @Test("deep nesting is an error, not a stack overflow")
    func depth() {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test("round trip through text keeps values; floats print as written")
    func roundTrip() throws {
        let p = Pos(x: 0.1, y: -2.5)
        let v = try JSONValueEncoder().encode(p)
        #expect(JSONWriter.string(v) == "{\"x\":0.1,\"y\":-2.5}")
        let back = try JSONValueDecoder().decode(Pos.self, from: try JSONParser.parse(JSONWriter.string(v)))
        #expect(back == p)
    }

    @Test("unknown members are errors with a did-you-mean and the known list")
    func unknownMember() throws {
        let v = try JSONParser.parse("{\"x\": 1, \"yy\": 2, \"y\": 3}")
        #expect {
            try JSONValueDecoder().decode(Pos.self, from: v)
        } throws: { error in
            let e = error as? JSONDecodingError
            return e?.path == [.key("yy")] && e?.location == SourceLocation(line: 1, column: 10)
                && (e?.message.contains("did you mean \"y\"") ?? false) && (e?.message.contains("known: x, y") ?? false)
        }
    }

    @Test("type mismatches and missing members name the path")
    func mismatch() throws {
        let v = try JSONParser.parse("{\"x\": \"fast\", \"y\": 1}")
        #expect {
            try JSONValueDecoder(basePath: [.key("components"), .key("Pos")]).decode(Pos.self, from: v)
        } throws: { error in
            let e = error as? JSONDecodingError
            return e?.path.jsonPath == "$.components.Pos.x" && e?.message == "expected a number, found a string"
        }
        let missing = try JSONParser.parse("{\"x\": 1}")
        #expect {
            try JSONValueDecoder().decode(Pos.self, from: missing)
        } throws: { error in
            (error as? JSONDecodingError)?.message == "missing required member \"y\""
        }
    }

    @Test("integers must be whole and in range")
    func integers() throws {
        #expect(throws: JSONDecodingError.self) { try JSONValueDecoder().decode(Health.self, from: try JSONParser.parse("{\"hp\": 1.5}")) }
        #expect(throws: JSONDecodingError.self) { try JSONValueDecoder().decode(Health.self, from: try JSONParser.parse("{\"hp\": 1e300}")) }
        #expect(try JSONValueDecoder().decode(Health.self, from: try JSONParser.parse("{\"hp\": 7}")) == Health(hp: 7))
    }
}
