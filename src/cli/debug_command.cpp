// `pxos debug IMAGE.png [--commands FILE]`: the pixel debugger.
#include "commands.hpp"
#include "line_editor.hpp"
#include "terminal.hpp"

#include "pxos/vm/debugger.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/image/png_io.hpp"

#include <cstdio>
#include <fmt/format.h>
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
    auto source_map = load_source_map(host_files(), options.source_map_path, options.image_path);
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
    int line_number = 0, refused = 0;
    // At a terminal: line editing and history, and Enter repeats the last
    // step/next/continue (gdb's way); a script or a pipe is read as it is.
    LineEditor editor;
    std::string last_stepping;
    while (!debugger.done()) {
        if (interactive) {
            auto typed = read_terminal_line(editor, "(pxdb) ");
            if (!typed)
                break;
            line = line_to_run(*typed, last_stepping);
        } else if (!std::getline(input, line)) {
            break;
        }
        ++line_number;
        if (!line.empty() && line[0] == '#')
            continue;
        if (!interactive)
            print_report("(pxdb) " + line + "\n"); // the transcript
        std::string output = debugger.execute(line);
        print_report(output);
        // A script's refused command is bad input: its line on stderr, exit 65 at the end.
        if (debugger.failed() && !options.commands_path.empty()) {
            ++refused;
            std::string first_line = output.substr(0, output.find('\n'));
            report_diagnostics({ Diagnostic { Severity::Error, fmt::format("{}:{}", options.commands_path, line_number),
                first_line } });
        }
    }
    return refused ? 65 : 0;
}

} // namespace pxos::cli
