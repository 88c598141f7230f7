// swift-tools-version: 6.0
import Foundation
import PackageDescription

// SwiftSyntax comes from one of two places:
//  - the toolchain's own prebuilt, optimized SwiftSyntax/SwiftParser (lib/swift/host beside the
//    toolchain's bin), found from the `swiftc` on PATH. A clean debug build takes seconds instead
//    of minutes, and a debug build parses at release speed (figures in the README);
//  - the swift-syntax package, when SKEIN_SWIFT_SYNTAX=package is set or the toolchain has no
//    host libraries.
func toolchainSyntaxDirectory() -> String? {
    let environment = ProcessInfo.processInfo.environment
    if environment["SKEIN_SWIFT_SYNTAX"] == "package" { return nil }
    for directory in (environment["PATH"] ?? "").split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("swiftc")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else { continue }
        let host = candidate.resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("lib/swift/host")
        let module = host.appendingPathComponent("SwiftParser.swiftmodule").path
        let library = host.appendingPathComponent("libSwiftParser.so").path
        if FileManager.default.fileExists(atPath: module), FileManager.default.fileExists(atPath: library) {
            return host.path
        }
        return nil
    }
    return nil
}

let syntaxHost = toolchainSyntaxDirectory()

// The compiler's index store reader: the toolchain ships `libIndexStore.so` in `usr/lib` and its
// header in `usr/local/include/indexstore` (beside `usr/bin`). Found from the `swiftc` on PATH
// for every build, the release one included (SKEIN_SWIFT_SYNTAX does not concern it). Without
// it, skein builds without the index and its Swift renames use the syntax resolver alone.
func toolchainIndexStore() -> (include: String, library: String)? {
    let environment = ProcessInfo.processInfo.environment
    for directory in (environment["PATH"] ?? "").split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("swiftc")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else { continue }
        let root = candidate.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        let include = root.appendingPathComponent("local/include").path
        let library = root.appendingPathComponent("lib").path
        if FileManager.default.fileExists(atPath: include + "/indexstore/indexstore.h"),
           FileManager.default.fileExists(atPath: library + "/libIndexStore.so") {
            return (include, library)
        }
        return nil
    }
    return nil
}

let indexStore = toolchainIndexStore()
var indexStoreTargets: [Target] = []
var indexStoreDependencies: [Target.Dependency] = ["SkeinBasics"]
var indexStoreSwiftSettings: [SwiftSetting] = []
var indexStoreLinkerSettings: [LinkerSetting] = []
if let indexStore {
    indexStoreTargets = [.systemLibrary(name: "CIndexStore")]
    indexStoreDependencies.append("CIndexStore")
    indexStoreSwiftSettings = [.unsafeFlags(["-Xcc", "-I", "-Xcc", indexStore.include])]
    indexStoreLinkerSettings = [.unsafeFlags(["-L", indexStore.library, "-Xlinker", "-rpath", "-Xlinker", indexStore.library])]
}

var packageDependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
]
var rewriteDependencies: [Target.Dependency] = ["SkeinBasics", .product(name: "Yams", package: "Yams")]
var benchDependencies: [Target.Dependency] = ["Rewrite", "Sandbox", "SkeinBasics"]
var syntaxSwiftSettings: [SwiftSetting] = []
var syntaxLinkerSettings: [LinkerSetting] = []

if let host = syntaxHost {
    syntaxSwiftSettings = [.unsafeFlags(["-I", host])]
    syntaxLinkerSettings = [
        .unsafeFlags(["-L", host, "-Xlinker", "-rpath", "-Xlinker", host]),
        .linkedLibrary("SwiftSyntax"),
        .linkedLibrary("SwiftParser"),
    ]
} else {
    packageDependencies.append(.package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.1"))
    rewriteDependencies += [
        .product(name: "SwiftSyntax", package: "swift-syntax"),
        .product(name: "SwiftParser", package: "swift-syntax"),
    ]
    benchDependencies += [.product(name: "SwiftParser", package: "swift-syntax")]
}

let package = Package(
    name: "skein",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skein", targets: ["skein"]),
    ],
    dependencies: packageDependencies,
    targets: [
        .target(name: "SkeinBasics"),
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "GitKit", dependencies: ["CGit2", "SkeinBasics"]),
        .target(name: "Ledger", dependencies: ["GitKit", "SkeinBasics"]),
        .target(
            name: "Schema",
            dependencies: ["GitKit", "SkeinBasics", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "Rewrite",
            dependencies: rewriteDependencies,
            swiftSettings: syntaxSwiftSettings,
            linkerSettings: syntaxLinkerSettings
        ),
        .target(name: "Sandbox", dependencies: ["SkeinBasics"]),
        // Reads a compiler index store into plain values; the only module that sees its C API.
        .target(
            name: "IndexStore",
            dependencies: indexStoreDependencies,
            swiftSettings: indexStoreSwiftSettings,
            linkerSettings: indexStoreLinkerSettings
        ),
        // The index store is written by consumer code: it is read in this separate process, so a
        // malformed store cannot take skein down with it.
        .executableTarget(name: "skein-index", dependencies: ["IndexStore", "SkeinBasics"]),
        .target(
            name: "Fleet",
            dependencies: ["GitKit", "Ledger", "Schema", "Rewrite", "Sandbox", "SkeinBasics"],
            swiftSettings: syntaxSwiftSettings
        ),
        .target(
            name: "SkeinCommands",
            dependencies: [
                "Fleet", "Schema", "Ledger", "GitKit", "Sandbox", "SkeinBasics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: syntaxSwiftSettings
        ),
        .executableTarget(name: "skein", dependencies: ["SkeinCommands"], swiftSettings: syntaxSwiftSettings),
        // `make bench`'s in-process measurements (rewrite vs parse throughput, warm vs cold tests).
        .executableTarget(
            name: "skein-bench",
            dependencies: benchDependencies,
            path: "bench/Sources",
            swiftSettings: syntaxSwiftSettings,
            linkerSettings: syntaxLinkerSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["SkeinBasics"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "GitKitTests", dependencies: ["GitKit", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "GitKit", "SkeinBasics", "TestSupport"]),
        .testTarget(name: "SchemaTests", dependencies: ["Schema", "GitKit", "TestSupport"]),
        .testTarget(
            name: "RewriteTests",
            dependencies: ["Rewrite", "TestSupport"],
            swiftSettings: syntaxSwiftSettings,
            linkerSettings: syntaxLinkerSettings
        ),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "TestSupport"]),
        .testTarget(
            name: "FleetTests",
            dependencies: ["Fleet", "GitKit", "Ledger", "Rewrite", "Sandbox", "SkeinBasics", "TestSupport"],
            swiftSettings: syntaxSwiftSettings
        ),
        .testTarget(
            name: "SkeinCommandsTests",
            dependencies: ["SkeinCommands", "TestSupport"],
            swiftSettings: syntaxSwiftSettings
        ),
    ] + indexStoreTargets,
    swiftLanguageModes: [.v6]
)
