import Foundation

/// The account sandboxed processes run as, and the few files of `/etc` that describe it.
///
/// When skein runs as root, untrusted code must not: bubblewrap alone keeps the caller's uid on
/// the host (a user namespace maps it, it does not change it), so a test could read
/// `/etc/shadow` or any root-only file the sandbox can see. Inside the sandbox, once bubblewrap
/// has made it, `setpriv` switches to an unprivileged uid and gid and drops every capability
/// before the consumer's command starts. The worktree and the build cache are handed to that
/// uid so the build can write them; nothing else of the host's is writable by it.
struct SandboxAccount: Sendable, Equatable {
    var uid: uid_t
    var gid: gid_t
    var name: String
    var home: String
    /// True when the launcher must switch to this account (skein runs as root).
    var dropsPrivileges: Bool

    /// The account for a run: an unprivileged one when skein runs as root (its home a fresh
    /// `/home/skein`), the caller's otherwise (its home `home`).
    static func forRun(policy: SandboxPolicy, home: String) -> SandboxAccount {
        if getuid() == 0, let user = policy.unprivilegedUser {
            return SandboxAccount(uid: user.uid, gid: user.gid, name: "skein", home: "/home/skein", dropsPrivileges: true)
        }
        return SandboxAccount(uid: getuid(), gid: getgid(), name: Toolchain.userName, home: home, dropsPrivileges: false)
    }

    /// `setpriv`, which switches uid and gid and clears the supplementary groups before `exec`.
    static let setprivPath: String? = Toolchain.find("setpriv", extra: ["/usr/bin", "/bin"])

    /// The argv prefix that runs the rest as this account (empty when no switch is needed).
    func switchArguments() throws(SandboxError) -> [String] {
        guard dropsPrivileges else { return [] }
        guard let setpriv = Self.setprivPath else {
            throw SandboxError(.unavailable, "skein runs as root and needs setpriv (util-linux) to run consumer code as an unprivileged user")
        }
        return [setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"]
    }

    /// `passwd` and `group` holding root and this account only: enough for `getpwuid` (SwiftPM
    /// asks it for the home folder) without showing the host's accounts.
    var passwd: String {
        var lines = ["root:x:0:0:root:/root:/bin/sh"]
        if uid != 0 { lines.append("\(name):x:\(uid):\(gid):\(name):\(home):/bin/sh") }
        return lines.joined(separator: "\n") + "\n"
    }

    var group: String {
        var lines = ["root:x:0:"]
        if gid != 0 { lines.append("\(name):x:\(gid):") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `passwd`, `group`, a git configuration and the dependency mirror list into a new
    /// folder (removed by the caller) and returns it.
    func writeAccountFiles(dependencies: DependencyMirrors? = nil) throws(SandboxError) -> String {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("skein-etc-XXXXXX")
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else {
            throw SandboxError(.setupFailed, "cannot make a folder for the sandbox's account files: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        chmod(directory, 0o755)
        do {
            try passwd.write(toFile: directory + "/passwd", atomically: false, encoding: .utf8)
            try group.write(toFile: directory + "/group", atomically: false, encoding: .utf8)
            try "[safe]\n\tdirectory = *\n".write(toFile: directory + "/gitconfig", atomically: false, encoding: .utf8)
            if let dependencies {
                try dependencies.mirrorsJSON(seenAt: DependencyMirrors.sandboxDirectory)
                    .write(toFile: directory + "/mirrors.json", atomically: false, encoding: .utf8)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw SandboxError(.setupFailed, "cannot write the sandbox's account files: \(error)")
        }
        return directory
    }

    /// Makes every entry below `root` owned by this account, links included but never
    /// followed, leaving the top-level entries named in `keeping` as they are. With
    /// `keepingRoot`, the root itself stays with its owner and is made writable for this
    /// account's group instead: libgit2 (like git) refuses a repository whose working directory
    /// another user owns. Only entries not already owned are changed, so a second run over an
    /// unchanged cache touches nothing.
    func own(_ root: String, keepingRoot: Bool = false, keeping: Set<String> = []) throws(SandboxError) {
        guard dropsPrivileges else { return }
        func fail(_ path: String) -> SandboxError {
            SandboxError(.setupFailed, "cannot hand \(path) to the sandbox's user \(uid): \(String(cString: strerror(errno)))")
        }
        var pending = [root]
        while let path = pending.popLast() {
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            let isRoot = path == root
            if isRoot && keepingRoot {
                guard lchown(path, status.st_uid, gid) == 0, chmod(path, (status.st_mode & 0o7777) | 0o070) == 0 else { throw fail(path) }
            } else if status.st_uid != uid || status.st_gid != gid {
                guard lchown(path, uid, gid) == 0 else { throw fail(path) }
            }
            guard (status.st_mode & S_IFMT) == S_IFDIR, let handle = opendir(path) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." || (isRoot && keeping.contains(name)) { continue }
                pending.append(path + "/" + name)
            }
        }
    }
}
