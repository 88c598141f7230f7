// The toolchain's index store reader (libIndexStore, beside the toolchain's `bin`). The include
// and library folders are found from the `swiftc` on PATH in Package.swift.
#include <indexstore/indexstore.h>
