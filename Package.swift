// swift-tools-version: 6.2
import PackageDescription

// Module map and dependency direction: see README.md ("Modules").
// Dependencies point downward only; sibling plugins never import each other.

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// Engine targets with hot loops. (`-enforce-exclusivity=unchecked` was tried for
/// release: it miscompiled parameter-pack spawns in Swift 6.3.1 — a segfault in
/// `World.spawn` — so hot paths avoid class-property access instead; see TwinECS.)
let engineSettings: [SwiftSetting] = swiftSettings

/// Model plugins are optimised in debug builds too: their validation tests simulate
/// millions of agent-steps, which unoptimised generic ECS code would make minutes long.
let modelSettings: [SwiftSetting] = engineSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "TwinWorld",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TwinWorld", targets: ["TwinMath", "TwinECS", "TwinCore", "TwinRuntime", "TwinTesting"]),
        // The `twin` command line as a library: a package with its own plugins builds its
        // own `twin` with `TwinCommandLine.main(plugins:)` (Tools/plugin-template).
        .library(name: "TwinCommandLine", targets: ["TwinCommandLine"]),
        .executable(name: "twin", targets: ["twin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftwasm/WasmKit", from: "0.4.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Default traits off: ConfigurationSupport would pull swift-configuration for nothing.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C boundaries: module maps only, never API.
        .systemLibrary(
            name: "CAssimp", pkgConfig: "assimp",
            providers: [.apt(["libassimp-dev"])]),
        .systemLibrary(
            name: "CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .target(
            name: "CRaster",
            cxxSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))],
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("png16"), .linkedLibrary("z")]),

        // Engine.
        .target(name: "TwinMath", swiftSettings: swiftSettings, linkerSettings: [.linkedLibrary("m")]),
        .systemLibrary(name: "CMalloc"),
        .target(name: "TwinECS", dependencies: ["CMalloc"], swiftSettings: engineSettings),
        .target(name: "TwinCore", dependencies: ["TwinMath", "TwinECS"], swiftSettings: engineSettings),
        .target(
            name: "TwinAssets", dependencies: ["TwinCore", "TwinMath", "CAssimp", "CPNG"],
            swiftSettings: swiftSettings),
        .target(
            name: "TwinRender", dependencies: ["TwinMath", "TwinCore", "TwinAssets", "CPNG", "CRaster"],
            swiftSettings: swiftSettings),
        .target(name: "TwinCorePlugin", dependencies: ["TwinCore"], swiftSettings: engineSettings),
        .target(name: "TwinPedestrians", dependencies: ["TwinCore"], swiftSettings: modelSettings),
        .target(name: "TwinMachines", dependencies: ["TwinCore"], swiftSettings: modelSettings),
        .target(name: "TwinVehicles", dependencies: ["TwinCore"], swiftSettings: modelSettings, linkerSettings: [.linkedLibrary("m")]),
        .target(name: "TwinPhysics", dependencies: ["TwinCore"], swiftSettings: modelSettings, linkerSettings: [.linkedLibrary("m")]),
        .target(
            name: "TwinWasm", dependencies: ["TwinCore", .product(name: "WasmKit", package: "WasmKit")],
            swiftSettings: engineSettings),
        .target(name: "TwinRuntime", dependencies: ["TwinCore", "TwinCorePlugin", "TwinPedestrians", "TwinMachines", "TwinVehicles", "TwinPhysics", "TwinWasm", "TwinAssets", "TwinRender"], swiftSettings: engineSettings),
        .target(
            name: "TwinIngest",
            dependencies: ["TwinRuntime", "CMosquitto", "CLibPQ", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        .target(name: "TwinTesting", dependencies: ["TwinRuntime"], swiftSettings: swiftSettings),
        .target(name: "TwinBench", dependencies: ["TwinRuntime", "TwinIngest", "CMosquitto", "TwinAssets", "TwinRender", "TwinVehicles", "TwinPhysics", "TwinWasm", "TwinBatch", "TwinServer"], swiftSettings: engineSettings),
        .target(
            name: "TwinBatch",
            dependencies: ["TwinRuntime", "TwinRender", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        .target(
            name: "TwinServer",
            dependencies: [
                "TwinRuntime", "TwinRender", "TwinAssets", "TwinIngest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "TwinCommandLine",
            dependencies: [
                "TwinRuntime", "TwinIngest", "TwinBench", "TwinAssets", "TwinRender", "TwinBatch", "TwinServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "twin", dependencies: ["TwinCommandLine"], swiftSettings: swiftSettings),

        // Tests (Swift Testing).
        .testTarget(name: "TwinMathTests", dependencies: ["TwinMath"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinECSTests", dependencies: ["TwinECS"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinCoreTests", dependencies: ["TwinCore"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinRuntimeTests", dependencies: ["TwinRuntime", "TwinTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinAssetsTests", dependencies: ["TwinAssets", "TwinRuntime", "TwinTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TwinRenderTests", dependencies: ["TwinRender", "TwinAssets", "TwinRuntime", "TwinTesting"], exclude: ["Goldens"],
            swiftSettings: swiftSettings),
        .testTarget(name: "TwinPedestriansTests", dependencies: ["TwinPedestrians", "TwinRuntime", "TwinTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinMachinesTests", dependencies: ["TwinMachines", "TwinRuntime", "TwinTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinVehiclesTests", dependencies: ["TwinVehicles", "TwinRuntime", "TwinTesting"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinPhysicsTests", dependencies: ["TwinPhysics", "TwinRuntime", "TwinTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinInteropTests", dependencies: ["TwinMachines", "TwinPedestrians", "TwinRuntime", "TwinTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TwinWasmTests",
            dependencies: ["TwinWasm", "TwinRuntime", "TwinTesting", .product(name: "WAT", package: "WasmKit")],
            swiftSettings: swiftSettings),
        .testTarget(name: "TwinBatchTests", dependencies: ["TwinBatch", "TwinAssets", "twin", "TwinTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinIngestTests", dependencies: ["TwinIngest", "TwinRuntime", "TwinTesting", "twin", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: swiftSettings),
        .testTarget(name: "TwinServerTests", dependencies: ["TwinServer", "TwinRuntime", "TwinTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TwinCLITests", dependencies: ["twin", "TwinTesting", "TwinServer"], swiftSettings: swiftSettings),
    ],
    cxxLanguageStandard: .cxx17
)
