import Foundation

/// One of skein's own helper programs run on consumer bytes (`skein-index` reading an index
/// store the consumer's build wrote): not sandboxed like consumer code, since it is skein's, but
/// in a process of its own with CPU, memory, file-size and time limits, so bytes that crash or
/// exhaust it cannot take skein down.
public struct HelperProcess: Sendable {
    public var executable: String
    public var arguments: [String]
    public var timeout: Double
    /// Address space of the helper (RLIMIT_AS).
    public var memoryBytes: UInt64 = 4 << 30
    /// Largest file it may write (RLIMIT_FSIZE).
    public var maxFileSize: UInt64 = 256 << 20

    public init(executable: String, arguments: [String], timeout: Double) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
    }

    /// Runs the helper to its end (or the timeout). The result's `output` is the end of what it
    /// printed; `status` is 128+N when a signal N ended it.
    public func run() throws(SandboxError) -> CommandResult {
        var argv = [executable] + arguments
        if let prlimit = TestRunner.prlimitPath {
            argv = [prlimit, "--as=\(memoryBytes)", "--cpu=\(max(1, Int(timeout.rounded(.up))))",
                    "--fsize=\(maxFileSize)", "--core=0", "--"] + argv
        }
        let launch = ProcessLaunch(
            executable: argv[0], arguments: argv, environment: ["PATH=" + Bubblewrap.systemPath, "LANG=C.UTF-8"],
            directory: "/")
        let result = try launch.run(timeout: timeout, log: nil)
        return CommandResult(status: result.status, timedOut: result.timedOut,
                             logPath: "", duration: result.duration, output: result.tail)
    }

    /// A helper program installed beside the running executable (or built beside it), else on PATH.
    public static func find(_ name: String) -> String? {
        if let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let candidate = ((running as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return Toolchain.find(name, extra: [])
    }
}
