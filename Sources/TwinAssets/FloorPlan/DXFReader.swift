import Foundation

/// Reads ASCII DXF files (any AutoCAD version) into a `DXFDrawing`.
///
/// DXF is a flat list of (group code, value) line pairs. We read the HEADER
/// (`$INSUNITS`), TABLES/LAYER (names), BLOCKS and ENTITIES sections, and the entities
/// floor plans are drawn with: LINE, LWPOLYLINE (closed flag, bulges), POLYLINE/VERTEX/SEQEND,
/// CIRCLE, ARC and INSERT. Everything else is counted in `skipped`. We need our own reader
/// because assimp 5.2 ignores LWPOLYLINE, which is what real plans use.
///
/// Every malformed input (binary DXF, a non-numeric group code or coordinate, a missing
/// `EOF`) is an `AssetImportError` naming the file and line.
public enum DXFReader {
    /// Largest DXF file read, in bytes.
    public static let maximumFileSize = 256 << 20

    public static func read(path: String) throws(AssetImportError) -> DXFDrawing {
        try ModelImporter.checkReadableFile(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw .io(path: path, reason: "cannot read file") }
        guard data.count <= maximumFileSize else {
            throw .tooLarge(path: path, reason: "DXF is \(data.count) bytes, limit \(maximumFileSize)")
        }
        return try parse([UInt8](data), path: path)
    }

    struct Pair {
        var code: Int
        var value: Substring
        var line: Int
    }

    /// Parses DXF bytes.
    public static func parse(_ bytes: [UInt8], path: String = "<memory>") throws(AssetImportError) -> DXFDrawing {
        guard !bytes.isEmpty else { throw .emptyFile(path: path) }
        if bytes.starts(with: Array("AutoCAD Binary DXF".utf8)) {
            throw .unsupportedFormat(path: path, format: "binary DXF (save the plan as ASCII DXF)")
        }
        let pairs = try tokenize(bytes, path: path)
        var parser = Parser(pairs: pairs, path: path)
        return try parser.parseDrawing()
    }

    static func tokenize(_ bytes: [UInt8], path: String) throws(AssetImportError) -> [Pair] {
        // Split on LF bytes (a Swift String would treat CR LF as one Character) and drop a
        // trailing CR. Lossy UTF-8: DXF text may be in a code page; names only need to compare equal.
        var lines: [Substring] = []
        lines.reserveCapacity(bytes.count / 8)
        var start = 0
        bytes.withUnsafeBufferPointer { b in
            func emit(_ end: Int) {
                var stop = end
                if stop > start, b[stop - 1] == 0x0D { stop -= 1 }
                lines.append(Substring(String(decoding: UnsafeBufferPointer(rebasing: b[start..<stop]), as: UTF8.self)))
            }
            for i in 0..<b.count where b[i] == 0x0A {
                emit(i)
                start = i + 1
            }
            if start < b.count { emit(b.count) }
        }
        var pairs: [Pair] = []
        pairs.reserveCapacity(lines.count / 2)
        var index = 0
        while index + 1 < lines.count {
            let codeText = lines[index].trimmingCharacters(in: .whitespaces)
            guard let code = Int(codeText) else {
                throw .malformed(path: path, reason: "line \(index + 1): expected a group code, found '\(codeText.prefix(40))'")
            }
            pairs.append(Pair(code: code, value: lines[index + 1], line: index + 1))
            index += 2
        }
        guard !pairs.isEmpty else { throw .malformed(path: path, reason: "not a DXF file (no group codes)") }
        return pairs
    }

    struct Parser {
        let pairs: [Pair]
        let path: String
        var index = 0
        var skipped: [String: Int] = [:]

        init(pairs: [Pair], path: String) {
            self.pairs = pairs
            self.path = path
        }

        func value(_ pair: Pair) -> String { pair.value.trimmingCharacters(in: .whitespaces) }

        func number(_ pair: Pair) throws(AssetImportError) -> Double {
            let text = value(pair)
            guard let v = Double(text), v.isFinite else {
                throw .malformed(path: path, reason: "line \(pair.line + 1): group \(pair.code) expects a number, found '\(text.prefix(40))'")
            }
            return v
        }

        func integer(_ pair: Pair) throws(AssetImportError) -> Int {
            let v = try number(pair)
            guard abs(v) < 1e15 else { throw .malformed(path: path, reason: "line \(pair.line + 1): integer out of range") }
            return Int(v)
        }

        func isMarker(_ pair: Pair, _ text: String) -> Bool { pair.code == 0 && value(pair) == text }

        mutating func parseDrawing() throws(AssetImportError) -> DXFDrawing {
            var units: Int?
            var layers: [String] = []
            var blocks: [String: DXFBlock] = [:]
            var entities: [DXFEntity] = []
            var sawSection = false
            var sawEOF = false
            while index < pairs.count {
                let pair = pairs[index]
                if isMarker(pair, "EOF") {
                    sawEOF = true
                    break
                }
                guard isMarker(pair, "SECTION") else {
                    throw .malformed(path: path, reason: "line \(pair.line): expected SECTION, found \(pair.code) '\(value(pair).prefix(40))'")
                }
                sawSection = true
                index += 1
                guard index < pairs.count, pairs[index].code == 2 else {
                    throw .malformed(path: path, reason: "truncated: SECTION without a name")
                }
                let name = value(pairs[index])
                index += 1
                let end = try sectionEnd()
                switch name {
                case "HEADER": units = try parseHeader(end: end)
                case "TABLES": layers = parseLayers(end: end)
                case "BLOCKS": blocks = try parseBlocks(end: end)
                case "ENTITIES": entities = try parseEntities(end: end)
                default: break
                }
                index = end + 1
            }
            guard sawSection else { throw .malformed(path: path, reason: "not a DXF file (no SECTION)") }
            guard sawEOF else { throw .malformed(path: path, reason: "truncated: no EOF marker") }
            return DXFDrawing(insertionUnits: units, layers: layers, blocks: blocks, entities: entities, skipped: skipped)
        }

        /// Index of the ENDSEC closing the current section.
        func sectionEnd() throws(AssetImportError) -> Int {
            var i = index
            while i < pairs.count {
                if isMarker(pairs[i], "ENDSEC") { return i }
                i += 1
            }
            throw .malformed(path: path, reason: "truncated: section without ENDSEC")
        }

        func parseHeader(end: Int) throws(AssetImportError) -> Int? {
            var i = index
            while i + 1 < end {
                if pairs[i].code == 9, value(pairs[i]) == "$INSUNITS", pairs[i + 1].code == 70 {
                    return try integer(pairs[i + 1])
                }
                i += 1
            }
            return nil
        }

        func parseLayers(end: Int) -> [String] {
            var names: [String] = []
            var i = index
            var inLayer = false
            while i < end {
                let pair = pairs[i]
                if pair.code == 0 { inLayer = value(pair) == "LAYER" }
                else if inLayer, pair.code == 2 { names.append(value(pair)) }
                i += 1
            }
            return names
        }

        mutating func parseBlocks(end: Int) throws(AssetImportError) -> [String: DXFBlock] {
            var blocks: [String: DXFBlock] = [:]
            while index < end {
                guard isMarker(pairs[index], "BLOCK") else {
                    index += 1
                    continue
                }
                var name = ""
                var base = SIMD2<Double>(0, 0)
                index += 1
                while index < end, pairs[index].code != 0 {
                    let pair = pairs[index]
                    switch pair.code {
                    case 2: name = value(pair)
                    case 10: base.x = try number(pair)
                    case 20: base.y = try number(pair)
                    default: break
                    }
                    index += 1
                }
                var blockEnd = index
                while blockEnd < end, !isMarker(pairs[blockEnd], "ENDBLK") { blockEnd += 1 }
                let entities = try parseEntities(end: blockEnd)
                blocks[name] = DXFBlock(name: name, basePoint: base, entities: entities)
                index = blockEnd + 1
            }
            return blocks
        }

        /// Reads entity records from `index` up to `end`.
        mutating func parseEntities(end: Int) throws(AssetImportError) -> [DXFEntity] {
            var entities: [DXFEntity] = []
            while index < end {
                let start = pairs[index]
                guard start.code == 0 else {
                    index += 1
                    continue
                }
                let type = value(start)
                let fields = recordFields(end: end)
                switch type {
                case "LINE":
                    var a = SIMD2<Double>(0, 0), b = SIMD2<Double>(0, 0)
                    for f in fields {
                        switch f.code {
                        case 10: a.x = try number(f)
                        case 20: a.y = try number(f)
                        case 11: b.x = try number(f)
                        case 21: b.y = try number(f)
                        default: break
                        }
                    }
                    entities.append(DXFEntity(layer: layer(fields), shape: .line(a, b), mirrored: false, line: start.line))
                case "LWPOLYLINE":
                    var vertices: [DXFVertex] = []
                    var flags = 0
                    for f in fields {
                        switch f.code {
                        case 70: flags = try integer(f)
                        case 10: vertices.append(DXFVertex(point: SIMD2(try number(f), 0), bulge: 0))
                        case 20: if !vertices.isEmpty { vertices[vertices.count - 1].point.y = try number(f) }
                        case 42: if !vertices.isEmpty { vertices[vertices.count - 1].bulge = try number(f) }
                        default: break
                        }
                    }
                    entities.append(DXFEntity(
                        layer: layer(fields), shape: .polyline(vertices, closed: flags & 1 != 0),
                        mirrored: try mirrored(fields), line: start.line))
                case "POLYLINE":
                    var flags = 0
                    for f in fields where f.code == 70 { flags = try integer(f) }
                    var vertices: [DXFVertex] = []
                    while index < end, pairs[index].code == 0, value(pairs[index]) == "VERTEX" {
                        let vertexFields = recordFields(end: end)
                        var vertex = DXFVertex(point: SIMD2(0, 0), bulge: 0)
                        var vertexFlags = 0
                        for f in vertexFields {
                            switch f.code {
                            case 10: vertex.point.x = try number(f)
                            case 20: vertex.point.y = try number(f)
                            case 42: vertex.bulge = try number(f)
                            case 70: vertexFlags = try integer(f)
                            default: break
                            }
                        }
                        // Flag 128 without 64: a polyface face record, not a position.
                        if vertexFlags & 128 == 0 || vertexFlags & 64 != 0 { vertices.append(vertex) }
                    }
                    if index < end, isMarker(pairs[index], "SEQEND") { _ = recordFields(end: end) }
                    if flags & (16 | 64) != 0 {
                        skipped["POLYLINE (3D mesh/polyface)", default: 0] += 1
                    } else {
                        entities.append(DXFEntity(
                            layer: layer(fields), shape: .polyline(vertices, closed: flags & 1 != 0),
                            mirrored: try mirrored(fields), line: start.line))
                    }
                case "CIRCLE", "ARC":
                    var center = SIMD2<Double>(0, 0)
                    var radius = 0.0, startAngle = 0.0, endAngle = 360.0
                    for f in fields {
                        switch f.code {
                        case 10: center.x = try number(f)
                        case 20: center.y = try number(f)
                        case 40: radius = try number(f)
                        case 50: startAngle = try number(f)
                        case 51: endAngle = try number(f)
                        default: break
                        }
                    }
                    let shape: DXFEntity.Shape = type == "CIRCLE"
                        ? .circle(center: center, radius: radius)
                        : .arc(center: center, radius: radius, startDegrees: startAngle, endDegrees: endAngle)
                    entities.append(DXFEntity(layer: layer(fields), shape: shape, mirrored: try mirrored(fields), line: start.line))
                case "INSERT":
                    var name = ""
                    var position = SIMD2<Double>(0, 0), scale = SIMD2<Double>(1, 1)
                    var rotation = 0.0
                    var columns = 1, rows = 1
                    for f in fields {
                        switch f.code {
                        case 2: name = value(f)
                        case 10: position.x = try number(f)
                        case 20: position.y = try number(f)
                        case 41: scale.x = try number(f)
                        case 42: scale.y = try number(f)
                        case 50: rotation = try number(f)
                        case 70: columns = try integer(f)
                        case 71: rows = try integer(f)
                        default: break
                        }
                    }
                    if columns > 1 || rows > 1 { skipped["MINSERT array (first copy only)", default: 0] += 1 }
                    entities.append(DXFEntity(
                        layer: layer(fields), shape: .insert(block: name, position: position, scale: scale, rotationDegrees: rotation),
                        mirrored: try mirrored(fields), line: start.line))
                default:
                    skipped[type, default: 0] += 1
                }
            }
            return entities
        }

        /// The fields of the record starting at `index` (a code-0 pair); advances past them.
        mutating func recordFields(end: Int) -> ArraySlice<Pair> {
            index += 1
            let first = index
            while index < end, pairs[index].code != 0 { index += 1 }
            return pairs[first..<index]
        }

        func layer(_ fields: ArraySlice<Pair>) -> String {
            fields.first(where: { $0.code == 8 }).map(value) ?? "0"
        }

        func mirrored(_ fields: ArraySlice<Pair>) throws(AssetImportError) -> Bool {
            for f in fields where f.code == 230 { return try number(f) < 0 }
            return false
        }
    }
}
