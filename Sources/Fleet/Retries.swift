import Sandbox
import SkeinBasics

// Sandbox faults that may pass (a sandbox that did not start, a failed resolve) are retried.
extension SandboxError: TransientFault {}
