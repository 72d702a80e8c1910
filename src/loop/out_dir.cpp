// The loop's out-dir: created, checked and locked before anything in it is
// read or written.
#include "out_dir.hpp"

#include <filesystem>
#include <system_error>

namespace pxos {

namespace fs = std::filesystem;

// Creates the out-dir and takes its lock (DIR/loop.lock): a second loop on
// the same out-dir, resumed or fresh, stops here naming the first one's pid.
Result<std::unique_ptr<FileLock>> lock_out_dir(FileSystem& files, const std::string& out_dir)
{
    auto created = files.create_folders(out_dir);
    FileKind kind = files.kind_of(out_dir);
    if (kind != FileKind::Directory) {
        if (kind == FileKind::Regular)
            return Error::io(out_dir, "the out-dir is a file, not a directory");
        if (kind == FileKind::Fifo)
            return Error::io(out_dir, "the out-dir is a FIFO, not a directory");
        if (kind != FileKind::Missing)
            return Error::io(out_dir, "the out-dir is not a directory");
        return Error::io(out_dir, "cannot create the out-dir: "
                + (created ? std::error_code().message() : created.error().diagnostics().front().message));
    }
    return files.lock((fs::path(out_dir) / "loop.lock").string(), "the out-dir is in use by another pxos loop");
}

} // namespace pxos
