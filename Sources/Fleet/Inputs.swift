import Foundation
import GitKit
import SkeinBasics

/// Checks of what a user names on the command line, before anything changes.
public enum Inputs {
    /// The absolute path of the git repository at (or containing) `path`, or bad input naming
    /// the `role` it was given for ("registry", "consumer").
    public static func repository(_ path: String, role: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(path): no such \(role) repository") }
        do {
            _ = try Repository.discover(from: path)
        } catch {
            throw InputError("\(path): not a git repository (\(error.message))")
        }
        return absolute(path)
    }

    /// `path` made absolute and standardized.
    public static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
