// The pxasm sources a roadmap's steps use: each kernel and program source
// (inline text or a file, builtin: or beside the roadmap) and every file
// they .include, in step order. The loop's prompt shows them with line
// numbers; SEARCH/REPLACE patches in replies name them.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pxos {

struct RoadmapSource {
    std::string name;   // how a patch names it: the file as the step names it ("kernel.pxasm",
                        // "builtin:hello.pxasm", "user/sh.pxasm"), an include as its
                        // .include names it resolved from its includer's folder
                        // ("kernel/fs.pxasm"), inline text as "step N: PARAM"
    int step = 0;       // the step that uses it (1-based); for an include, its includer's
    std::string param;  // "kernel_file", "kernel_source", "program_file", "program_source"
    std::string included_by; // the source whose .include brought it in; empty for a step's own
    std::string text;
};

// The source parameters of a step that assembles pxasm (install_kernel,
// add_process, add_file): a file, or inline text; nullptr for other steps.
struct SourceParams {
    std::string_view step;
    std::string_view file;   // "kernel_file", "program_file"
    std::string_view source; // "kernel_source", "program_source"
};
const SourceParams* source_params(std::string_view step_name);

// Every source of `roadmap`, files read through `files` relative to the
// roadmap's folder (roadmap.path), builtin: ones from the binary. A file
// that cannot be read is an error naming it and the step.
Result<std::vector<RoadmapSource>> roadmap_sources(const Roadmap& roadmap, FileSystem& files);

// The region a step belongs to, for an agent per region: install_kernel is
// "kernel"; add_process and add_file with a program are "programs"; every
// other step is "layout".
std::string step_region(const std::string& step_name);

} // namespace pxos
