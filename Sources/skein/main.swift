#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Foundation
import SkeinCommands

// Line-buffered even into a pipe or a log file, so `skein run | tee` and the hook's log show
// each consumer's line when it ends (stdio would otherwise hold it until exit), in order with
// what goes to stderr.
setvbuf(stdout, nil, _IOLBF, 0)
exit(await SkeinCommand.run())
