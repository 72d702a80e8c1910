// `pxos debug IMAGE.png [--commands FILE]`: the pixel debugger.
#include "commands.hpp"
#include "terminal.hpp"

#include "pxos/debugger.hpp"
#include "pxos/file_io.hpp"
#include "pxos/png_io.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace pxos::cli {

int run_debug_command(const DebugCommandOptions& options)
{
    auto machine = boot_image_file(options.image_path, options.input_path, options.caps);
    if (!machine)
        return report_error(machine.error());
    auto source_map = load_source_map(options.source_map_path, options.image_path);
    if (!source_map)
        return report_error(source_map.error());
    Debugger debugger(std::move(*machine), std::move(*source_map).value_or(SourceMap {}), options.caps.get(Cap::StepBudget));

    std::string script;
    if (!options.commands_path.empty()) {
        auto text = read_file_text(options.commands_path, options.caps.get(Cap::InputFile), Cap::InputFile);
        if (!text)
            return report_error(text.error());
        script = std::move(*text);
    }
    bool interactive = options.commands_path.empty() && isatty(STDIN_FILENO);
    std::istringstream script_stream(script);
    std::istream& input = options.commands_path.empty() ? std::cin : script_stream;
    print_report(debugger.execute("where"));
    std::string line;
    while (!debugger.done()) {
        if (interactive) {
            std::fputs("(pxdb) ", stdout);
            std::fflush(stdout);
        }
        if (!std::getline(input, line))
            break;
        if (!line.empty() && line[0] == '#')
            continue;
        if (!interactive)
            print_report("(pxdb) " + line + "\n"); // the transcript
        print_report(debugger.execute(line));
    }
    return 0;
}

} // namespace pxos::cli
