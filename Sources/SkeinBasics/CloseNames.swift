/// Names close to one that was not found, for "did you mean" messages: those within a small
/// edit distance, or containing it, closest first.
public func closeNames(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
    let wanted = Array(name.lowercased().unicodeScalars)
    let allowed = max(2, wanted.count / 3)
    var scored: [(name: String, distance: Int)] = []
    for candidate in candidates {
        let lowered = candidate.lowercased()
        let distance = editDistance(wanted, Array(lowered.unicodeScalars))
        if distance <= allowed || (!wanted.isEmpty && (lowered.contains(name.lowercased()) || name.lowercased().contains(lowered))) {
            scored.append((candidate, distance))
        }
    }
    return scored.sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }.prefix(limit).map(\.name)
}

/// Levenshtein distance (insertions, deletions, substitutions), one row at a time.
func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
