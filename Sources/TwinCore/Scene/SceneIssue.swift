/// One problem in a scene file: where (file, line, column, JSON path) and what.
public struct SceneIssue: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var location: SourceLocation
    public var path: [JSONPathComponent]
    public var message: String

    public init(file: String, location: SourceLocation, path: [JSONPathComponent], message: String) {
        self.file = file; self.location = location; self.path = path; self.message = message
    }

    /// `FILE:LINE:COLUMN: JSONPATH: message`
    public var description: String {
        "\(file):\(location.line):\(location.column): \(path.jsonPath): \(message)"
    }
}

/// A scene that cannot be loaded, with every problem found.
public struct SceneError: Error, Sendable, CustomStringConvertible {
    public var issues: [SceneIssue]
    public init(_ issues: [SceneIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
