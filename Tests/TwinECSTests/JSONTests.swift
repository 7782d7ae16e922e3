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

    /// Reads its object through two containers, each asking for one member.
    struct TwoReads: Decodable, Equatable {
        enum A: String, CodingKey { case a }
        enum B: String, CodingKey { case b }
        var a: Double, b: Double
        init(a: Double, b: Double) { self.a = a; self.b = b }
        init(from decoder: any Decoder) throws {
            a = try decoder.container(keyedBy: A.self).decode(Double.self, forKey: .a)
            b = try decoder.container(keyedBy: B.self).decode(Double.self, forKey: .b)
        }
    }

    /// Reads the members k0…k69 one by one.
    struct SeventyKeys: Decodable {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        var sum = 0
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            for i in 0..<70 { sum += try c.decode(Int.self, forKey: Key(stringValue: "k\(i)")) }
        }
    }

    struct Wide: Decodable { var fields: [String: Int] }
    struct Nested: Decodable { var pos: Pos; var tags: [String: Pos] }

    @Test("strictness counts every container of an object, nested objects and objects of more than 64 members")
    func strictEdges() throws {
        #expect(try JSONValueDecoder().decode(TwoReads.self, from: try JSONParser.parse(#"{"a": 1, "b": 2}"#)) == TwoReads(a: 1, b: 2))
        #expect {
            try JSONValueDecoder().decode(TwoReads.self, from: try JSONParser.parse(#"{"a": 1, "c": 3, "b": 2}"#))
        } throws: { error in
            let e = error as? JSONDecodingError
            return e?.path == [.key("c")] && (e?.message.contains("known: a, b") ?? false)
        }
        // The first unknown member in document order is the one reported, however deep.
        let nested = try JSONParser.parse(#"{"pos": {"x": 1, "y": 2, "q": 0}, "tags": {"t": {"x": 1, "y": 2, "r": 0}}}"#)
        #expect {
            try JSONValueDecoder().decode(Nested.self, from: nested)
        } throws: { error in
            (error as? JSONDecodingError)?.path == [.key("pos"), .key("q")]
        }
        let deepOnly = try JSONParser.parse(#"{"pos": {"x": 1, "y": 2}, "tags": {"t": {"x": 1, "y": 2, "r": 0}}}"#)
        #expect {
            try JSONValueDecoder().decode(Nested.self, from: deepOnly)
        } throws: { error in
            (error as? JSONDecodingError)?.path == [.key("tags"), .key("t"), .key("r")]
        }
        // A dictionary reads all of its 100 members; a struct with 70 members one of
        // them unknown (past the 64th) is caught.
        let many = (0..<100).map { #""k\#($0)": \#($0)"# }.joined(separator: ", ")
        #expect(try JSONValueDecoder().decode(Wide.self, from: try JSONParser.parse("{\"fields\": {\(many)}}")).fields.count == 100)
        let seventy = (0..<70).map { #""k\#($0)": \#($0)"# }.joined(separator: ", ")
        let wide = (0..<69).map { #""k\#($0)": \#($0)"# }.joined(separator: ", ")
        #expect {
            try JSONValueDecoder().decode(Wide.self, from: try JSONParser.parse("{\"fields\": {}, \(wide)}"))
        } throws: { error in
            (error as? JSONDecodingError)?.path == [.key("k0")]
        }
        #expect(try JSONValueDecoder().decode(SeventyKeys.self, from: try JSONParser.parse("{\(seventy)}")).sum == 2415)
        #expect {
            try JSONValueDecoder().decode(SeventyKeys.self, from: try JSONParser.parse("{\(seventy), \"zz\": 1}"))
        } throws: { error in
            (error as? JSONDecodingError)?.path == [.key("zz")]
        }
    }

    @Test("scalars read directly still fail with the path and what was found")
    func scalarErrors() throws {
        #expect {
            try JSONValueDecoder().decode(Health.self, from: try JSONParser.parse(#"{"hp": true}"#))
        } throws: { error in
            let e = error as? JSONDecodingError
            return e?.path == [.key("hp")] && e?.message == "expected a number, found a boolean"
        }
        #expect {
            try JSONValueDecoder().decode(Health.self, from: try JSONParser.parse(#"{"hp": 2.5}"#))
        } throws: { error in
            (error as? JSONDecodingError)?.message == "expected an integer, found 2.5"
        }
    }
}
