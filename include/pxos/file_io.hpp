// Whole-file reads and crash-safe writes. Every file pxos writes goes to a
// temporary file in the destination's folder and is renamed over the target
// only when complete, so a crash or a full disk never leaves half a file and
// never truncates what was there before.
#pragma once

#include "pxos/diagnostic.hpp"
#include "pxos/limits.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// Reads a whole file; refuses files over max_bytes. With `cap`, the message
// names that cap and the flag that raises it (files users hand to pxos);
// without, it states the byte limit (files pxos wrote itself).
Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap = std::nullopt);
Result<std::string> read_file_text(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap = std::nullopt);

// Writes through a temporary file and rename. Creates missing parent folders.
Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);
Result<void> write_file_atomic(const std::string& path, std::string_view text);
// The same, for data in several pieces (no copy into one buffer).
Result<void> write_file_atomic(const std::string& path, std::span<const std::span<const std::uint8_t>> parts);

// An error when `path` cannot be an output file (it is a directory, or empty).
Result<void> check_output_path(const std::string& path);

} // namespace pxos
