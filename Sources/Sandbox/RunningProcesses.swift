import Foundation
import SkeinBasics

/// Every process tree skein has started and not yet seen end, so that a stopped run can end
/// them all at once: the first SIGINT/SIGTERM gives in-flight steps a grace, then
/// `terminateAll` kills what is left and refuses new launches.
public enum RunningProcesses {
    private static let registry = Locked<Registry>(Registry())

    struct Registry {
        var next = 0
        var trees: [Int: Tree] = [:]
        var terminated = false
    }

    struct Tree {
        var processGroup: pid_t
        var namespaceInit: @Sendable () -> pid_t?
        var group: ResourceGroup?
    }

    /// True once `terminateAll` ran: a step that ended after it was cut short by the stop, and
    /// no new step starts.
    public static var terminated: Bool { registry.withLock { $0.terminated } }

    /// Kills every running process tree (the PID namespace's init, the process group and the
    /// cgroup of each) and refuses launches from now on.
    public static func terminateAll() {
        let trees = registry.withLock { registry -> [Tree] in
            registry.terminated = true
            return Array(registry.trees.values)
        }
        for tree in trees { kill(tree) }
    }

    /// Ends what sandboxes of a killed skein left running (their cgroups outlive it), so that
    /// a run starts with nothing of an earlier one alive. Returns how many groups were swept.
    @discardableResult
    public static func sweepOrphans() -> Int { ResourceGroup.sweepOrphans() }

    static func register(_ tree: Tree) -> Int? {
        registry.withLock { registry -> Int? in
            guard !registry.terminated else { return nil }
            registry.next += 1
            registry.trees[registry.next] = tree
            return registry.next
        }
    }

    static func unregister(_ id: Int) {
        _ = registry.withLock { $0.trees.removeValue(forKey: id) }
    }

    static func kill(_ tree: Tree) {
        if let child = tree.namespaceInit() { Glibc.kill(child, SIGKILL) }
        Glibc.kill(-tree.processGroup, SIGKILL)
        tree.group?.killAll()
    }
}
