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
// exit() runs the exit handlers of every loaded library while other threads may still run:
// `mirror add` and `mirror sync` aborted there ("malloc_consolidate(): invalid chunk size",
// "double free or corruption"), libcrypto's OPENSSL_cleanup (loaded with libgit2) freeing the
// per-thread state a pool thread's exit destructor was freeing too. The work pool now joins its
// threads; still no exit handler runs: output is flushed, then the process ends without them.
fflush(nil)
_exit(status)
