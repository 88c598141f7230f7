import Foundation
import Sandbox
import Testing
import TestSupport

/// Each test is one thing untrusted consumer code might try; each must be contained.
@Suite(.enabled(if: Bubblewrap.isAvailable(), "needs bubblewrap"))
struct ContainmentTests {
    @Test func writesOutsideItsWorktreeGoNowhere() throws {
        let place = SandboxPlace()
        let target = place.outside("escaped.txt")
        let result = try place.runner().run(command: """
            echo x > '\(target)'; echo x > ../escaped.txt; echo x > /usr/escaped.txt; echo x > /etc/escaped.txt
            echo inside > made-in-worktree.txt
            """)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(!FileManager.default.fileExists(atPath: place.directory.url("escaped.txt")))
        #expect(!FileManager.default.fileExists(atPath: "/usr/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: "/etc/escaped.txt"))
        // The worktree itself is writable: that is where migrations and builds work.
        #expect(FileManager.default.fileExists(atPath: place.worktree + "/made-in-worktree.txt"))
        #expect(result.output.contains("Read-only file system") || result.output.contains("No such file"))
    }

    @Test func writesIntoTheRealHomeGoNowhere() throws {
        let place = SandboxPlace()
        let realHome = NSHomeDirectory()
        let marker = uniqueMarker("skein-home-probe-")
        let result = try place.runner().run(command: """
            echo x > "$HOME/\(marker)"; echo x > '\(realHome)/\(marker)'; mkdir -p "$HOME/.ssh" && echo key > "$HOME/.ssh/\(marker)"
            ls -A "$HOME"
            """)
        #expect(!FileManager.default.fileExists(atPath: realHome + "/" + marker))
        #expect(!FileManager.default.fileExists(atPath: realHome + "/.ssh/" + marker))
        // The sandbox's HOME is fresh: none of the real one's files are there.
        let realEntries = (try? FileManager.default.contentsOfDirectory(atPath: realHome)) ?? []
        let seen = result.output.split(separator: "\n").map(String.init)
        for entry in realEntries where entry != marker && entry != ".ssh" {
            #expect(!seen.contains(entry), "the sandbox saw \(entry) of the real HOME")
        }
    }

    @Test func deletingAFileOutsideLeavesIt() throws {
        let place = SandboxPlace()
        let victim = place.outside("victim.txt")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: victim))
        _ = try place.runner().run(command: "rm -rf '\(victim)' ../outside /usr/bin/env 2>&1; rm -rf /* 2>/dev/null; true")
        #expect(FileManager.default.fileExists(atPath: victim))
        #expect(FileManager.default.fileExists(atPath: "/usr/bin/env"))
    }

    @Test func cannotReachALoopbackServerOutside() throws {
        let place = SandboxPlace()
        let server = LoopbackServer()
        let connect = "bash -c 'echo hello > /dev/tcp/127.0.0.1/\(server.port)'"
        let result = try place.runner().run(command: connect)
        #expect(result.status != 0)
        #expect(server.acceptPending() == 0)
        // The same command without the sandbox does connect: the probe itself works.
        let unsandboxed = try place.runner(mode: .none).run(command: connect)
        #expect(unsandboxed.status == 0)
        #expect(server.acceptPending() == 1)
    }

    @Test func backgroundProcessesDoNotOutliveTheRun() throws {
        let place = SandboxPlace()
        let marker = "4\(UInt32.random(in: 100_000...999_999))"
        let start = Date()
        let result = try place.runner().run(command: """
            (sleep \(marker).1 &) ; setsid sleep \(marker).2 > /dev/null 2>&1 & nohup sleep \(marker).3 > /dev/null 2>&1 &
            echo started
            """)
        #expect(result.status == 0)
        #expect(!result.timedOut)
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(processes(containing: "sleep \(marker)").isEmpty)
    }

    @Test func aRunThatNeverEndsIsKilledWithAllItsProcesses() throws {
        let place = SandboxPlace()
        let marker = "5\(UInt32.random(in: 100_000...999_999))"
        let start = Date()
        let result = try place.runner(timeout: 3).run(command: """
            sleep \(marker).1 & setsid sleep \(marker).2 & trap '' TERM; while :; do sleep \(marker).3; done
            """)
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.timedOut)
        #expect(elapsed < 20)
        #expect(processes(containing: "sleep \(marker)").isEmpty)
    }

    @Test func aForkBombIsBoundedAndCleanedUp() throws {
        let place = SandboxPlace()
        let marker = uniqueMarker("forkbomb")
        let result = try place.runner(timeout: 8) { $0.maxProcesses = 64 }.run(command: """
            \(marker)() { \(marker) | \(marker) & }; \(marker); sleep 100
            """)
        #expect(result.timedOut || result.status != 0)
        #expect(processes(containing: marker).isEmpty)
        let notes = result.notes.joined(separator: "\n")
        #expect(!notes.contains("no process-count limit"), "\(notes)")
    }

    @Test func floodedOutputIsCappedInTheLog() throws {
        let place = SandboxPlace()
        let result = try place.runner { $0.logLimit = 1 << 20; $0.logTailBytes = 64 << 10 }.run(command: """
            echo FLOOD-START; yes 'skein flood line' | head -c 60000000; echo; echo FLOOD-END
            """)
        #expect(result.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: result.logPath)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        #expect(size <= (1 << 20) + 512)
        let log = try String(contentsOfFile: result.logPath, encoding: .utf8)
        #expect(log.hasPrefix("FLOOD-START"))
        #expect(log.contains("FLOOD-END"))
        #expect(log.contains("log cut"))
        #expect(result.notes.contains { $0.contains("the log keeps") })
    }

    @Test func remountingTheRootFails() throws {
        let place = SandboxPlace()
        let marker = uniqueMarker("skein-remount-")
        let result = try place.runner().run(command: """
            mount -o remount,rw / && touch /usr/\(marker); mount -o remount,rw /usr && touch /usr/\(marker)
            mount -t tmpfs none /usr && echo mounted; touch /usr/\(marker) 2>/dev/null && echo touched; exit 0
            """)
        #expect(!FileManager.default.fileExists(atPath: "/usr/" + marker))
        #expect(!result.output.contains("mounted"))
        #expect(!result.output.contains("touched"))
    }

    @Test func seesNoneOfTheCallersEnvironment() throws {
        let place = SandboxPlace()
        setenv("SKEIN_SANDBOX_PROBE_SECRET", "leaked-value", 1)
        let result = try place.runner().run(command: "env; echo EXIT")
        #expect(result.output.contains("EXIT"))
        #expect(!result.output.contains("leaked-value"))
        let names = Set(result.output.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names.isSubset(of: ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TERM", "USER", "LOGNAME", "PWD", "SHLVL", "_", "EXIT"]), "\(names)")
        let home = result.output.split(separator: "\n").first { $0.hasPrefix("HOME=") }.map { String($0.dropFirst(5)) }
        #expect(home != nil)
        // The toolchain is the one on the caller's PATH, found at run time.
        let swift = try place.runner().run(command: "command -v swift && swift --version")
        #expect(swift.status == 0, "\(swift.output)")
    }

    @Test func runsAsAnUnprivilegedUserAndSeesOnlyTheNeededPartsOfEtc() throws {
        let place = SandboxPlace()
        let result = try place.runner().run(command: """
            id -u; cat /etc/shadow > shadow-copy 2>/dev/null && echo SHADOW-READ; ls /etc; touch written-by-sandbox
            cat /etc/gitconfig
            """)
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("SHADOW-READ"))
        #expect(!FileManager.default.fileExists(atPath: place.worktree + "/shadow-copy")
            || (try? Data(contentsOf: URL(fileURLWithPath: place.worktree + "/shadow-copy")))?.isEmpty == true)
        let listed = Set(result.output.split(separator: "\n").map(String.init))
        for secret in ["shadow", "gshadow", "sudoers", "ssh", "apt", "ssl"] {
            #expect(!listed.contains(secret), "/etc/\(secret) is visible in the sandbox")
        }
        // The sandbox's git configuration is its own, not the host's.
        if let host = try? String(contentsOfFile: "/etc/gitconfig", encoding: .utf8), let line = host.split(separator: "\n").first {
            #expect(!result.output.contains(String(line)), "\(result.output)")
        }
        #expect(listed.contains("passwd") && listed.contains("ld.so.cache"), "\(result.output)")
        if getuid() == 0 {
            // The worktree stays writable for the unprivileged user the run switched to.
            #expect(result.output.split(separator: "\n").first.map(String.init) != "0", "\(result.output)")
            #expect(FileManager.default.fileExists(atPath: place.worktree + "/written-by-sandbox"))
        }
    }

    @Test func aRunUsesAtMostItsCPUQuota() throws {
        let place = SandboxPlace()
        // Four busy loops for eight seconds: without a quota they take every core they can get
        // (even on a shared, loaded machine, seconds of CPU time).
        let busy = "for i in 1 2 3 4; do timeout 8 sh -c 'while :; do :; done' & done; wait; times"
        let result = try place.runner { $0.cpuCores = 0.1 }.run(command: busy)
        #expect(!result.notes.contains { $0.contains("no CPU quota") }, "\(result.notes)")
        // `times` prints the children's user and system time on its second line: `0m1.23s 0m0.01s`.
        let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let seconds = line.split(separator: " ").map { part -> Double in
            let text = part.replacingOccurrences(of: "s", with: "")
            let pieces = text.split(separator: "m")
            return pieces.count == 2 ? (Double(pieces[0]) ?? 0) * 60 + (Double(pieces[1]) ?? 0) : 0
        }.reduce(0, +)
        // A tenth of a core for about eight seconds of wall time, with room for the scheduler's slack.
        #expect(seconds > 0 && seconds < 1.6, "\(result.output)")
    }

    @Test func aBuildCacheGrownPastItsBoundStopsTheRunAndIsEmptied() throws {
        let place = SandboxPlace()
        let result = try place.runner(timeout: 120) { $0.maxCacheBytes = 8 << 20 }.run(command: """
            for i in $(seq 1 40); do head -c 1048576 /dev/zero > .build/filler-$i; done; sleep 60
            """)
        #expect(!result.timedOut)
        #expect(result.notes.contains { $0.contains("build cache grew past") }, "\(result.notes)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: place.cache)) ?? []
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aFIFOLeftWhereSkeinReadsIsNeverOpened() throws {
        let place = SandboxPlace()
        write(["Package.swift": """
            // swift-tools-version: 5.9
            import PackageDescription
            let package = Package(name: "P", dependencies: [.package(url: "https://skein-test.invalid/x.git", from: "1.0.0")])
            """], into: place.worktree)
        // As consumer code could have left it: the pins file is a FIFO nobody writes.
        #expect(mkfifo(place.worktree + "/Package.resolved", 0o644) == 0)
        // A resolve made before: skein compares the manifest and pins with what it was made for.
        try FileManager.default.createDirectory(atPath: place.cache + "/build/checkouts", withIntermediateDirectories: true)
        try "0".write(toFile: place.cache + "/resolved.stamp", atomically: true, encoding: .utf8)
        let start = Date()
        // skein reads the manifest and pins without opening the FIFO; the resolve itself, in the
        // sandbox, is bounded by the timeout.
        #expect(throws: SandboxError.self) { try place.runner(timeout: 20).resolveDependencies() }
        #expect(Date().timeIntervalSince(start) < 120)
    }
}
