import Foundation

/// Bubblewrap (`bwrap`): finding it, and turning a policy into its command line.
///
/// Measured with bubblewrap 0.8 as root: `--cap-drop ALL` is what stops the sandboxed process
/// from remounting `/` read-write; `--proc` and `--dev` are needed by swift; with a read-only
/// root no new mount point can be made, so the new root is a tmpfs made read-only at the end.
public enum Bubblewrap {
    /// Where the consumer's worktree appears inside the sandbox. Fixed, so that the compiler
    /// sees the same paths on every run and a later run builds incrementally.
    public static let packagePath = "/package"

    /// How to get bubblewrap, for the message of a refused run.
    public static let installHint = """
        bubblewrap (bwrap) is needed to run consumers' builds and tests in a sandbox; install it \
        with `apt-get install bubblewrap` (Debian, Ubuntu), `dnf install bubblewrap` (Fedora) or \
        `apk add bubblewrap` (Alpine), or pass `--sandbox none` to run them unsandboxed
        """

    /// Whether bubblewrap is installed and can make the namespaces a run needs on this machine.
    public static func isAvailable() -> Bool { probe }

    /// Why sandboxed runs cannot happen on this machine, or nil when they can.
    public static func unavailableReason() -> String? {
        guard !probe else { return nil }
        guard let executablePath else {
            return "bubblewrap (bwrap) is not installed, so consumer tests cannot run sandboxed. \(installHint)."
        }
        return "bubblewrap (\(executablePath)) is installed but cannot make the namespaces a sandbox needs here "
            + "(user namespaces disabled, or a container without the privilege), so consumer tests cannot run "
            + "sandboxed. Allow them, or pass `--sandbox none` to run the tests unsandboxed."
    }

    private static let probe: Bool = {
        guard let bwrap = executablePath else { return false }
        let launch = ProcessLaunch(
            executable: bwrap,
            arguments: [bwrap, "--unshare-all", "--die-with-parent", "--cap-drop", "ALL"]
                + systemBinds + ["--proc", "/proc", "--dev", "/dev", "--", "/bin/true"],
            environment: ["PATH=" + systemPath], directory: "/")
        guard let result = try? launch.run(timeout: 30, log: nil) else { return false }
        return result.status == 0
    }()

    /// The `bwrap` executable, from PATH (the usual places when there is no PATH).
    static let executablePath: String? = Toolchain.find("bwrap", extra: ["/usr/bin", "/usr/local/bin", "/bin"])

    static let systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Read-only views of the system: `/usr`, `/etc`, and the top-level links or folders of a
    /// merged or classic `/usr` layout.
    static let systemBinds: [String] = {
        var arguments = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top) {
                arguments += ["--symlink", target, top]
            } else if FileManager.default.fileExists(atPath: top) {
                arguments += ["--ro-bind", top, top]
            }
        }
        return arguments
    }()

    /// The full `bwrap` argument list (program name first) that runs `command` with `/bin/sh`
    /// for `policy`.
    static func arguments(
        for policy: SandboxPolicy, command: String, network: Bool, home: String, buildDirectory: String, infoFD: Int32
    ) -> [String] {
        var arguments = [policy.bubblewrapPath ?? "bwrap", "--unshare-all"]
        if network { arguments.append("--share-net") }
        arguments += [
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--info-fd", String(infoFD),
            "--tmpfs", "/",
        ]
        arguments += systemBinds
        if network, let resolver = resolverDirectory { arguments += ["--ro-bind", resolver, resolver] }
        if let toolchain = Toolchain.root, !isCovered(toolchain) {
            arguments += ["--ro-bind", toolchain, toolchain]
        }
        arguments += ["--proc", "/proc", "--dev", "/dev"]
        arguments += ["--size", String(policy.tmpBytes), "--tmpfs", "/tmp"]
        if home != "/tmp" && !home.hasPrefix("/tmp/") {
            arguments += ["--size", String(policy.tmpBytes), "--tmpfs", home]
        } else {
            arguments += ["--dir", home]
        }
        arguments += ["--bind", policy.worktree, packagePath]
        // Build products live in the per-consumer cache, seen at the usual `.build`, so any
        // command (`swift test`, a script) builds into it without knowing about it.
        arguments += ["--bind", buildDirectory, packagePath + "/.build"]
        // A writable `.git` would let the consumer plant hooks that run later outside.
        let dotGit = (policy.worktree as NSString).appendingPathComponent(".git")
        if FileManager.default.fileExists(atPath: dotGit) {
            arguments += ["--ro-bind", dotGit, packagePath + "/.git"]
        }
        arguments += ["--remount-ro", "/", "--chdir", packagePath, "--clearenv"]
        for (key, value) in Toolchain.sandboxEnvironment(home: home) {
            arguments += ["--setenv", key, value]
        }
        arguments += ["--", "/bin/sh", "-c", command]
        return arguments
    }

    /// The folder holding the resolver configuration when `/etc/resolv.conf` links out of `/etc`.
    static var resolverDirectory: String? {
        let link = URL(fileURLWithPath: "/etc/resolv.conf").resolvingSymlinksInPath().path
        guard link != "/etc/resolv.conf", !isCovered(link) else { return nil }
        let directory = (link as NSString).deletingLastPathComponent
        return FileManager.default.fileExists(atPath: directory) ? directory : nil
    }

    private static func isCovered(_ path: String) -> Bool {
        ["/usr", "/etc"].contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}

/// The Swift toolchain the runs use: the `swift` on PATH at run time, never a fixed place.
enum Toolchain {
    /// The folder holding `swift` (symlinks resolved), e.g. `<prefix>/usr/bin`.
    static let binDirectory: String? = {
        guard let swift = find("swift", extra: []) else { return nil }
        return URL(fileURLWithPath: swift).resolvingSymlinksInPath().deletingLastPathComponent().path
    }()

    /// The toolchain's prefix (the parent of its `bin`), bound read-only into the sandbox.
    static let root: String? = binDirectory.map { ($0 as NSString).deletingLastPathComponent }

    static var path: String {
        [binDirectory].compactMap { $0 }.joined(separator: ":") + (binDirectory == nil ? "" : ":") + Bubblewrap.systemPath
    }

    /// The whole environment of a sandboxed command: nothing of the caller's.
    static func sandboxEnvironment(home: String) -> [(String, String)] {
        [("PATH", path), ("HOME", home), ("TMPDIR", "/tmp"), ("LANG", "C.UTF-8"), ("LC_ALL", "C.UTF-8"),
         ("TERM", "dumb"), ("USER", userName), ("LOGNAME", userName)]
    }

    /// The name and home directory the account running skein has in the password database;
    /// SwiftPM looks there (not at `HOME`) for its user-level folders.
    static let userName: String = {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "user" }
        return String(cString: name)
    }()
    static let accountHome: String? = {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        let home = String(cString: directory)
        return home.hasPrefix("/") && home != "/" ? home : nil
    }()

    /// Finds an executable on the caller's PATH; the `extra` folders stand in for a PATH that
    /// is not set, as they do for `execvp`. A PATH that is set is the caller's choice of tools.
    static func find(_ name: String, extra: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.isEmpty ? extra : path.split(separator: ":").map(String.init)
        for directory in directories where !directory.isEmpty {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
