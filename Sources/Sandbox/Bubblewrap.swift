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
        // As root, runs switch to an unprivileged user first: that user must be able to make
        // the namespaces.
        let policy = SandboxPolicy(worktree: "/", buildCache: "/", logFile: "/")
        let account = SandboxAccount.forRun(policy: policy, home: "/")
        guard let switchUser = try? account.switchArguments() else { return false }
        let arguments = [bwrap] + namespaceArguments(account) + ["--die-with-parent"]
            + systemBinds + ["--proc", "/proc", "--dev", "/dev", "--"] + switchUser + ["/bin/true"]
        let launch = ProcessLaunch(
            executable: arguments[0],
            arguments: arguments,
            environment: ["PATH=" + systemPath], directory: "/")
        guard let result = try? launch.run(timeout: 30, log: nil) else { return false }
        return result.status == 0
    }()

    /// The `bwrap` executable, from PATH (the usual places when there is no PATH).
    static let executablePath: String? = Toolchain.find("bwrap", extra: ["/usr/bin", "/usr/local/bin", "/bin"])

    static let systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The parts of `/etc` a build and its tests need. `swift build`, `swift test` and a
    /// dependency resolve from local copies run with the dynamic linker's cache alone (and the
    /// `passwd` and `group` made per run); the rest are what tests commonly ask the C library
    /// for (`localhost` through nsswitch and hosts, the time zone, service and protocol names),
    /// the OS release, and `alternatives` (links to compilers and linkers). None holds a secret.
    /// Not the rest: no `shadow`, no host accounts, no git, ssh or package-manager configuration.
    static let etcEntries = [
        "ld.so.cache", "nsswitch.conf", "hosts", "localtime", "timezone", "os-release", "alternatives", "protocols",
        "services",
    ]

    /// Read-only views of those entries: a link is made again as a link when it points into a
    /// place the sandbox sees anyway (`/usr`, `/proc`), and bound by its target otherwise.
    static let etcBinds: [String] = {
        var arguments: [String] = []
        for name in etcEntries {
            let path = "/etc/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            if (status.st_mode & S_IFMT) == S_IFLNK, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                let absolute = target.hasPrefix("/") ? target : URL(fileURLWithPath: "/etc/" + target).standardized.path
                if isCovered(absolute) || absolute.hasPrefix("/proc/") {
                    arguments += ["--symlink", target, path]
                    continue
                }
            }
            guard stat(path, &status) == 0 else { continue }
            arguments += ["--ro-bind", path, path]
        }
        return arguments
    }()

    /// Read-only views of the system: `/usr`, the needed parts of `/etc`, and the top-level
    /// links or folders of a merged or classic `/usr` layout.
    static let systemBinds: [String] = {
        var arguments = ["--ro-bind", "/usr", "/usr", "--perms", "0755", "--dir", "/etc"] + etcBinds
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
        for policy: SandboxPolicy, command: String, account: SandboxAccount, accountFiles: String,
        buildDirectory: String, infoFD: Int32
    ) -> [String] {
        let home = account.home
        // No `--share-net`, ever: the network namespace is the sandbox's own, with only a
        // loopback device nothing outside listens on.
        var arguments = [policy.bubblewrapPath ?? "bwrap"] + namespaceArguments(account)
        arguments += ["--die-with-parent", "--new-session", "--info-fd", String(infoFD), "--tmpfs", "/"]
        arguments += systemBinds
        arguments += ["--ro-bind", accountFiles + "/passwd", "/etc/passwd", "--ro-bind", accountFiles + "/group", "/etc/group"]
        if let dependencies = policy.dependencies {
            arguments += ["--perms", "0755", "--dir", "/skein"]
            arguments += ["--ro-bind", dependencies.directory, DependencyMirrors.sandboxDirectory]
            arguments += ["--ro-bind", accountFiles + "/mirrors.json", DependencyMirrors.sandboxMirrorsFile]
        }
        if let toolchain = Toolchain.root, !isCovered(toolchain) {
            arguments += openParents(of: toolchain) + ["--ro-bind", toolchain, toolchain]
        }
        arguments += ["--proc", "/proc", "--dev", "/dev"]
        arguments += ["--perms", "01777", "--size", String(policy.tmpBytes), "--tmpfs", "/tmp"]
        if home != "/tmp" && !home.hasPrefix("/tmp/") {
            arguments += openParents(of: home) + ["--perms", "01777", "--size", String(policy.tmpBytes), "--tmpfs", home]
        } else {
            arguments += ["--perms", "01777", "--dir", home]
        }
        // git, as SwiftPM runs it, clones the dependency copies, which another user owns: the
        // sandbox's own system configuration (never the host's) says that is safe.
        arguments += ["--ro-bind", accountFiles + "/gitconfig", "/etc/gitconfig"]
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
        for (key, value) in Toolchain.sandboxEnvironment(home: home, user: account.name) {
            arguments += ["--setenv", key, value]
        }
        if policy.dependencies != nil {
            arguments += ["--setenv", "SWIFTPM_MIRROR_CONFIG", DependencyMirrors.sandboxMirrorsFile]
        }
        arguments += ["--"] + ((try? account.switchArguments()) ?? []) + ["/bin/sh", "-c", command]
        return arguments
    }

    /// Folders above `path` made open to everyone: bubblewrap, as root, makes the folders a
    /// mount point needs for root alone, which would hide the mount from an unprivileged user.
    static func openParents(of path: String) -> [String] {
        var arguments: [String] = []
        var current = ""
        for component in path.split(separator: "/").dropLast() {
            current += "/" + component
            arguments += ["--perms", "0755", "--dir", current]
        }
        return arguments
    }

    /// The namespaces and capabilities of a sandbox. As the caller's own user: every namespace,
    /// a user namespace included, and no capability. As root switching to an unprivileged user:
    /// no user namespace (its uid would still be root on the host; and bubblewrap, as root, can
    /// reach a worktree in a folder only root may enter), and only the capabilities `setpriv`
    /// needs to switch, which it drops with the switch, before any of the consumer's code runs.
    static func namespaceArguments(_ account: SandboxAccount) -> [String] {
        guard account.dropsPrivileges else { return ["--unshare-all", "--cap-drop", "ALL"] }
        return [
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
        ]
    }

    private static func isCovered(_ path: String) -> Bool {
        ["/usr"].contains { path == $0 || path.hasPrefix($0 + "/") }
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
    static func sandboxEnvironment(home: String, user: String = userName) -> [(String, String)] {
        [("PATH", path), ("HOME", home), ("TMPDIR", "/tmp"), ("LANG", "C.UTF-8"), ("LC_ALL", "C.UTF-8"),
         ("TERM", "dumb"), ("USER", user), ("LOGNAME", user)]
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
