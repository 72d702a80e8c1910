// The LLM replies of a loop, kept by prompt: DIR/cache/HASH.txt, HASH the
// prompt's 64-bit hash (fnv1a) in hex. The prompt is the whole key (it holds the
// best roadmap, its evaluation and the errors fed back), so --replay reruns
// a loop from the cache alone, with no LLM command, and gets the same files.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pxos {

// 64-bit FNV-1a (stable across builds and hosts, as a cache key must be)
// from the offset basis 1469598103934665603: the standard one with its last
// digit lost, kept because every cache written so far is keyed by it.
std::uint64_t fnv1a(std::string_view text);

class ReplyCache {
public:
    // `folder`: the out-dir's cache/ (created by the loop).
    ReplyCache(FileSystem& files, std::string folder)
        : m_files(&files)
        , m_folder(std::move(folder))
    {
    }

    // Where the reply to `prompt` is kept.
    std::string file_for(std::string_view prompt) const;
    // The reply cached for `prompt`, std::nullopt when there is none. A
    // cached file that cannot be read gives an empty reply, rejected like
    // any empty one (the run that cached it counted the call too).
    std::optional<std::string> find(std::string_view prompt) const;
    Result<void> store(std::string_view prompt, const std::string& reply) const;

private:
    FileSystem* m_files;
    std::string m_folder;
};

} // namespace pxos
