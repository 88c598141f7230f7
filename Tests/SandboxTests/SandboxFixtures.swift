import Foundation
import Sandbox
import TestSupport

/// A worktree, a build cache and a log folder for one test.
final class SandboxPlace: Sendable {
    let directory: TemporaryDirectory
    let worktree: String
    let cache: String
    let logFile: String

    init(_ label: String = "skein-sandbox") {
        directory = TemporaryDirectory(label)
        worktree = directory.url("worktree")
        cache = directory.url("cache")
        logFile = directory.url("logs/test.log")
        try! FileManager.default.createDirectory(atPath: worktree, withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(atPath: directory.url("outside"), withIntermediateDirectories: true)
    }

    func runner(timeout: Double = 120, mode: SandboxMode = .bubblewrap, configure: (inout SandboxPolicy) -> Void = { _ in }) -> TestRunner {
        var policy = SandboxPolicy(worktree: worktree, buildCache: cache, logFile: logFile, timeout: timeout, mode: mode)
        configure(&policy)
        return TestRunner(policy: policy)
    }

    /// A path beside the worktree, outside it.
    func outside(_ name: String) -> String { directory.url("outside/" + name) }
}

/// A unique token for markers in command lines and file names.
func uniqueMarker(_ label: String) -> String {
    "\(label)\(UInt32.random(in: 100_000...999_999))"
}

/// A TCP server on 127.0.0.1 that counts the connections it accepts.
final class LoopbackServer: @unchecked Sendable {
    let port: UInt16
    private let socketFD: Int32

    init() {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = socketFD
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        _ = listen(fd, 16)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(socketFD) }

    /// Connections waiting to be accepted now (each is accepted and closed).
    func acceptPending() -> Int {
        var count = 0
        while true {
            let client = accept(socketFD, nil, nil)
            if client < 0 { return count }
            count += 1
            close(client)
        }
    }
}

/// Files of a small Swift package with a library `Lib` and one test target `LibTests`.
func packageFiles(library: String, tests: String) -> [String: String] {
    [
        "Package.swift": """
        // swift-tools-version: 6.0
        import PackageDescription
        let package = Package(
            name: "Tiny",
            targets: [.target(name: "Lib"), .testTarget(name: "LibTests", dependencies: ["Lib"])]
        )
        """,
        "Sources/Lib/Lib.swift": library,
        "Tests/LibTests/LibTests.swift": tests,
    ]
}

/// Writes files as an editor would. A file that exists is written once the clock has left the
/// whole second of its last change: the Swift driver takes a change within that second for no
/// change (skein's own rewrites move the time instead, see `Workspace.write`).
func write(_ files: [String: String], into root: String) {
    for (relative, text) in files {
        let path = (root as NSString).appendingPathComponent(relative)
        try! FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var status = stat()
        if stat(path, &status) == 0 {
            while time(nil) <= status.st_mtim.tv_sec { usleep(20_000) }
        }
        try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
