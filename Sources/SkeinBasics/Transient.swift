/// A fault that may go away on its own (a locked ref, a sandbox that did not start, a resolve
/// that hit a network blip): worth retrying with backoff. Test failures never are.
public protocol TransientFault: Error {
    var isTransient: Bool { get }
}
