import GitKit
import Sandbox
import SkeinBasics

/// How `skein run` goes about a migration.
public struct RunOptions: Sendable {
    public var jobs: Int = 4
    /// Concurrent test runs, separately bounded: they are the heavy part.
    public var testJobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    public var timeout: Double = 900
    public var retries: Int = 2
    public var only: Set<String>? = nil
    public var maxBranches: Int? = nil
    public var shard: Shard? = nil
    /// The registry's staged rollout; a migration's own takes precedence.
    public var rollout: Rollout? = nil
    public var dryRun = false
    public var sandbox: SandboxMode = .bubblewrap
    public var keepWorktrees = false
    public var retryFailed = false
    public var metricsFile: String? = nil
    public var testCommand = "swift test"
    public var signature: Signature = .skein
    /// Base delay of the exponential backoff between retries, in seconds.
    public var backoff: Double = 0.5

    public init() {}

    /// Commits and notes are made as `name <email>` (skein.yaml's `user:`), `skein
    /// <skein@localhost>` where it says nothing.
    public mutating func sign(name: String?, email: String?) {
        signature = Signature(name: name ?? Signature.skein.name, email: email ?? Signature.skein.email)
    }
}

import Foundation
