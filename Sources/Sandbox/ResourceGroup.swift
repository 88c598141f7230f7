import Foundation
import SkeinBasics

/// A cgroup for one run: caps memory, CPU time per period and the number of tasks, and lists
/// every process of the run so that all of them can be killed. Made under the cgroup skein
/// itself runs in (v1 or v2);
/// where the machine allows none, the run goes on without and says so.
final class ResourceGroup: Sendable {
    /// Folders whose `cgroup.procs` the run joins before it starts.
    let directories: [String]
    let limitsMemory: Bool
    let limitsProcesses: Bool
    let limitsCPU: Bool
    private let memoryDirectory: String?
    private let isVersion2: Bool

    private init(
        directories: [String], memoryDirectory: String?, limitsMemory: Bool, limitsProcesses: Bool, limitsCPU: Bool, isVersion2: Bool
    ) {
        self.limitsCPU = limitsCPU
        self.directories = directories
        self.memoryDirectory = memoryDirectory
        self.limitsMemory = limitsMemory
        self.limitsProcesses = limitsProcesses
        self.isVersion2 = isVersion2
    }

    private static let counter = Locked(0)

    /// Makes a group with the given limits, or nil when no cgroup can be made here.
    static func make(memory: UInt64?, processes: Int, cpuCores: Double? = nil) -> ResourceGroup? {
        let name = "skein-run-\(getpid())-\(counter.withLock { $0 += 1; return $0 })"
        let own = ownPaths()
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers"), let path = own["" ] {
            let directory = join("/sys/fs/cgroup", path, name)
            guard mkdir(directory, 0o755) == 0 else { return nil }
            let limitsMemory = memory.map { write(String($0), to: directory + "/memory.max") } ?? false
            if limitsMemory { _ = write("0", to: directory + "/memory.swap.max") }
            let limitsProcesses = write(String(processes), to: directory + "/pids.max")
            let limitsCPU = cpuCores.map { write("\(quota($0)) 100000", to: directory + "/cpu.max") } ?? false
            return ResourceGroup(
                directories: [directory], memoryDirectory: limitsMemory ? directory : nil,
                limitsMemory: limitsMemory, limitsProcesses: limitsProcesses, limitsCPU: limitsCPU, isVersion2: true)
        }
        var directories: [String] = []
        var memoryDirectory: String?
        var limitsMemory = false, limitsProcesses = false
        if let memory, let directory = version1Directory("memory", own: own, name: name) {
            if write(String(memory), to: directory + "/memory.limit_in_bytes") {
                _ = write(String(memory), to: directory + "/memory.memsw.limit_in_bytes")
                limitsMemory = true
                memoryDirectory = directory
                directories.append(directory)
            } else {
                rmdir(directory)
            }
        }
        if let directory = version1Directory("pids", own: own, name: name) {
            if write(String(processes), to: directory + "/pids.max") {
                limitsProcesses = true
                directories.append(directory)
            } else {
                rmdir(directory)
            }
        }
        var limitsCPU = false
        if let cpuCores, let directory = version1Directory("cpu", own: own, name: name) {
            if write("100000", to: directory + "/cpu.cfs_period_us"), write(String(quota(cpuCores)), to: directory + "/cpu.cfs_quota_us") {
                limitsCPU = true
                directories.append(directory)
            } else {
                rmdir(directory)
            }
        }
        guard !directories.isEmpty else { return nil }
        return ResourceGroup(
            directories: directories, memoryDirectory: memoryDirectory,
            limitsMemory: limitsMemory, limitsProcesses: limitsProcesses, limitsCPU: limitsCPU, isVersion2: false)
    }

    /// The CPU quota per 100 ms period (the kernel's default period) of `cores` cores.
    private static func quota(_ cores: Double) -> Int { max(1000, Int(cores * 100_000)) }

    /// Kills every process still in the group.
    func killAll() {
        for pid in processIDs() { kill(pid, SIGKILL) }
    }

    /// The processes in the group now.
    func processIDs() -> [pid_t] {
        var pids: Set<pid_t> = []
        for directory in directories {
            guard let text = FileRead.text(directory + "/cgroup.procs") else { continue }
            for line in text.split(separator: "\n") {
                if let pid = pid_t(line) { pids.insert(pid) }
            }
        }
        return Array(pids)
    }

    /// Whether the memory limit was hit during the run.
    var hitMemoryLimit: Bool {
        guard let directory = memoryDirectory else { return false }
        if isVersion2 {
            let events = FileRead.text(directory + "/memory.events") ?? ""
            return events.split(separator: "\n").contains { $0.hasPrefix("oom_kill ") && !$0.hasSuffix(" 0") }
        }
        let count = FileRead.text(directory + "/memory.failcnt") ?? "0"
        return (Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0
    }

    /// Kills what is left and removes the group's folders.
    func remove() {
        for attempt in 0..<50 {
            killAll()
            let remaining = directories.filter { rmdir($0) != 0 && errno != ENOENT }
            if remaining.isEmpty { return }
            if attempt < 49 { usleep(20_000) }
        }
    }

    /// The cgroup paths of this process, by controller (`""` for the v2 hierarchy).
    static func ownPaths() -> [String: String] {
        guard let text = FileRead.text("/proc/self/cgroup") else { return [:] }
        var paths: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].isEmpty { paths[""] = String(parts[2]) }
            for controller in parts[1].split(separator: ",") { paths[String(controller)] = String(parts[2]) }
        }
        return paths
    }

    private static func version1Directory(_ controller: String, own: [String: String], name: String) -> String? {
        let mount = "/sys/fs/cgroup/" + controller
        guard FileManager.default.fileExists(atPath: mount + "/cgroup.procs") else { return nil }
        var parent = join(mount, own[controller] ?? "/", "")
        if !FileManager.default.fileExists(atPath: parent + "/cgroup.procs") { parent = mount }
        let directory = join(parent, "", name)
        return mkdir(directory, 0o755) == 0 ? directory : nil
    }

    static func join(_ base: String, _ path: String, _ name: String) -> String {
        var result = base
        for part in (path + "/" + name).split(separator: "/") { result += "/" + part }
        return result
    }

    private static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}

extension ResourceGroup {
    /// Kills what is left in the groups of skein processes that are gone (a skein killed with
    /// SIGKILL before its sandboxes died with it) and removes those groups. Groups of live
    /// processes, another run's included, are not touched. Returns how many were swept.
    @discardableResult
    static func sweepOrphans() -> Int {
        var swept = 0
        for parent in groupParents() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix("skein-run-") {
                // skein-run-<pid>-<n>: the group of skein process <pid>.
                guard let owner = name.split(separator: "-").dropFirst(2).first.flatMap({ pid_t($0) }),
                      kill(owner, 0) != 0, errno == ESRCH
                else { continue }
                let group = ResourceGroup(
                    directories: [parent + "/" + name], memoryDirectory: nil, limitsMemory: false, limitsProcesses: false,
                    limitsCPU: false, isVersion2: false)
                group.remove()
                swept += 1
            }
        }
        return swept
    }

    /// The folders run groups are made in: skein's own cgroup (v2), or its folder in each
    /// controller that runs use (v1).
    static func groupParents() -> [String] {
        let own = ownPaths()
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers"), let path = own[""] {
            return [join("/sys/fs/cgroup", path, "")]
        }
        var parents: [String] = []
        for controller in ["memory", "pids", "cpu"] {
            let mount = "/sys/fs/cgroup/" + controller
            guard FileManager.default.fileExists(atPath: mount + "/cgroup.procs") else { continue }
            let parent = join(mount, own[controller] ?? "/", "")
            let chosen = FileManager.default.fileExists(atPath: parent + "/cgroup.procs") ? parent : mount
            if !parents.contains(chosen) { parents.append(chosen) }
        }
        return parents
    }
}
