// The pxasm sources shipped in roadmaps/ (the kernel and the demo
// programs), compiled into the binary. Build steps accept them as
// "builtin:NAME" wherever they take a file, and default to them, so a
// roadmap (or a proposal from the improvement loop) needs no files to
// build a working OS.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace pxos {

inline constexpr std::string_view kBuiltinPrefix = "builtin:";

// The text of a shipped source by file name ("kernel.pxasm", "hello.pxasm").
std::optional<std::string_view> builtin_source(std::string_view name);
std::vector<std::string_view> builtin_source_names();

} // namespace pxos
