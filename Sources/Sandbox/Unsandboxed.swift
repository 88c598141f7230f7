import Foundation

/// `--sandbox none` gives no isolation, but test processes still must never outlive skein: the
/// command runs as the init of its own PID namespace (`unshare --pid --fork --kill-child`), and
/// `unshare` itself dies with skein (`setpriv --pdeathsig`), which takes down every process in
/// the namespace, daemons included, even when skein is killed with SIGKILL.
enum Unsandboxed {
    /// The prefix that ties a command's processes to skein's life; empty when this machine
    /// allows no PID namespace (then `note` says so).
    static let guardPrefix: [String] = {
        guard let setpriv = Toolchain.find("setpriv", extra: ["/usr/bin", "/bin"]),
              let unshare = Toolchain.find("unshare", extra: ["/usr/bin", "/bin"])
        else { return [] }
        // Without root, a user namespace makes the PID namespace possible.
        let user = getuid() == 0 ? [] : ["--user", "--map-root-user"]
        let prefix = [setpriv, "--pdeathsig", "KILL", "--", unshare] + user
            + ["--pid", "--fork", "--kill-child=SIGKILL", "--mount-proc", "--"]
        let probe = ProcessLaunch(
            executable: setpriv, arguments: prefix + ["/bin/true"], environment: ["PATH=/usr/bin:/bin"], directory: "/")
        guard let result = try? probe.run(timeout: 30, log: nil), result.status == 0 else { return [] }
        return prefix
    }()

    static let note = "test processes are not tied to skein's life here (no PID namespace); a killed skein may leave them running"
}
