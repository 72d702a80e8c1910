// A FileSystem held in memory: files, folders and FIFOs (the one special
// file a test needs to see refused) in a map by absolute path, no symbolic
// links. It keeps the rules of the real one (file_system.hpp): the same
// caps, the same refusals with the same words, outputs staged as
// temporaries beside their targets and renamed on commit, folders created
// for an output removed again when it is discarded, permission bits kept.
// For tests, and for builds without a host (-DPXOS_HOST=none, the browser).
// Safe to use from several threads (the loop evaluates proposals at once).
#pragma once

#include "pxos/base/file_system.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

class MemoryFileSystem final : public FileSystem {
public:
    // Relative paths resolve against `working_folder` (absolute), which exists.
    explicit MemoryFileSystem(std::string working_folder = "/work");

    // Setting up: a file (its folders created), a folder, a FIFO.
    void add_file(const std::string& path, std::string_view contents, unsigned mode = 0644);
    void add_folder(const std::string& path);
    void add_fifo(const std::string& path);
    // What a test looks at: a file's contents (nullopt when no regular file
    // is there), its permission bits, every path held (folders too), sorted.
    std::optional<std::string> contents(const std::string& path) const;
    std::optional<unsigned> mode(const std::string& path) const;
    std::vector<std::string> paths() const;

    Result<std::string> check_readable_path(const std::string& path, const ReadConfinement& confinement = {})
        override;
    Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
        std::optional<Cap> cap = std::nullopt, const ReadConfinement& confinement = {}) override;
    FileKind kind_of(const std::string& path) override;
    std::string absolute_path(const std::string& path) override;
    bool is_path_inside(const std::string& path, const std::string& folder) override;
    Result<void> create_folders(const std::string& path) override;
    Result<void> check_output_path(const std::string& path) override;
    Result<void> check_output_not_input(const std::string& output, std::span<const std::string> inputs) override;
    // The file must not outlive the file system.
    Result<std::unique_ptr<OutputFile>> create_output(const std::string& path) override;
    Result<void> sync_folder(const std::string& folder, const std::string& path) override;
    // Held by this process once at a time (there is no other process); must not outlive the file system.
    Result<std::unique_ptr<FileLock>> lock(const std::string& path, std::string_view busy) override;

private:
    friend class MemoryOutputFile;
    friend class MemoryLock;
    struct Node {
        FileKind kind = FileKind::Regular;
        std::vector<std::uint8_t> bytes;
        unsigned mode = 0644;
    };
    // Everything below expects m_mutex held.
    std::string normal(const std::string& path) const;
    const Node* find(const std::string& absolute) const;
    Result<void> check_output(const std::string& path, const std::string& absolute) const;
    // The folders above `absolute` that are missing, deepest first; an error when a file is in the way.
    Result<std::vector<std::string>> make_parents(const std::string& absolute, const std::string& path);
    void remove_empty_folders(const std::vector<std::string>& folders);

    mutable std::mutex m_mutex;
    std::string m_working_folder;
    std::map<std::string, Node> m_nodes; // absolute normal path -> node; "/" is a folder
    std::set<std::string> m_locks;
};

} // namespace pxos
