#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"

#include <memory>
#include <string>

namespace pxos {

// Creates the out-dir and takes its lock (DIR/loop.lock): a second loop on
// the same out-dir, resumed or fresh, stops there naming the first one's pid.
Result<std::unique_ptr<FileLock>> lock_out_dir(FileSystem& files, const std::string& out_dir);

} // namespace pxos
