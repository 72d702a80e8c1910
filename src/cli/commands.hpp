// The subcommands' entry points. main.cpp (the only file that includes
// CLI11) parses the command line into these option structs; each command
// file turns them into calls on the core library and owns the I/O.
#pragma once

#include "pxos/vram.hpp"

#include <cstdint>
#include <string>

namespace pxos::cli {

enum class Verbosity { Quiet, Normal, Verbose };

struct BuildCommandOptions {
    std::string roadmap_path;
    std::string output_path; // -o; empty: the roadmap's output.png_path or artifacts/<stem>.png
    std::string report_path; // --report; empty: none
    std::uint64_t max_vram_mib = VRAMLimits::kDefaultMaxBytes >> 20;
    Verbosity verbosity = Verbosity::Normal;
};
int run_build_command(const BuildCommandOptions& options);

struct StepsCommandOptions {
    bool json = false;
};
int run_steps_command(const StepsCommandOptions& options);

} // namespace pxos::cli
