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
let status = await SkeinCommand.run()
// exit() runs the C++ static destructors of the Swift runtime and its libraries while threads
// of the cooperative pool may still be finishing the command's last task; `mirror add` aborted
// in that window ("malloc_consolidate(): invalid chunk size", "double free or corruption",
// one thread in libstdc++'s exit-time destructors, another in free). Output is flushed, then
// the process ends without them.
fflush(nil)
_exit(status)
