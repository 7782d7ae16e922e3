// swift-tools-version: 6.2
// A TwinWorld plugin as its own package: a component, a system, a scene that uses them,
// a test, and a `twin` of its own (`twin-energy`) with the plugin added to the built-ins.
// Copy this folder anywhere and point the dependency at your TwinWorld checkout:
//   .package(name: "TwinWorld", path: "/path/to/TwinWorld")
import PackageDescription

let package = Package(
    name: "EnergyPlugin",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "TwinWorld", path: "../.."),
    ],
    targets: [
        .target(name: "EnergyPlugin", dependencies: [.product(name: "TwinWorld", package: "TwinWorld")]),
        .executableTarget(
            name: "twin-energy",
            dependencies: ["EnergyPlugin", .product(name: "TwinCommandLine", package: "TwinWorld")]),
        .testTarget(
            name: "EnergyPluginTests",
            dependencies: ["EnergyPlugin", .product(name: "TwinWorld", package: "TwinWorld")]),
    ]
)
