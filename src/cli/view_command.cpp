// `pxos view IMAGE.png`: the terminal viewer.
#include "commands.hpp"
#include "screen.hpp"
#include "terminal.hpp"
#include "window.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/view/terminal_view.hpp"

#include <cstdio>
#include <unistd.h>
#include <optional>

namespace pxos::cli {

int run_view_command(const ViewCommandOptions& options)
{
    if (!options.screenshot.empty() && !options.window)
        return report_error(Error::usage("--screenshot needs --window: it saves the window's pixels (the terminal view "
                                         "has none; pxos render -o FILE.png draws an image)"));
    auto image = load_png(host_files(), options.image_path, PngLimits::from_caps(options.caps));
    if (!image)
        return report_error(image.error());
    std::optional<Palette> palette;
    if (auto header = read_header(*image, options.image_path))
        if (auto own = Palette::read(*image, header->palette, int(header->palette_cell_width), int(header->opcode_count),
                options.image_path))
            palette = std::move(*own);
    const Palette* decoder = palette ? &*palette : nullptr;
    if (options.window) {
        WindowOptions window;
        window.outlines = options.outlines;
        window.once = options.once || !options.screenshot.empty();
        window.screenshot = options.screenshot;
        return run_window(*image, options.image_path, decoder, window);
    }

    if (options.once || !TerminalScreen::available()) {
        // One frame, for scripts and tests: the terminal's size when stdout is one.
        TerminalSize size = terminal_size(STDOUT_FILENO).value_or(TerminalSize { 80, 24 });
        ViewState state = initial_view(options.columns ? options.columns : size.columns,
            options.rows ? options.rows : size.rows, image->width(), image->height(), use_color(STDOUT_FILENO));
        state.outlines = options.outlines;
        for (const std::string& line : render_view(*image, state, decoder))
            std::printf("%s\n", line.c_str());
        return 0;
    }
    TerminalScreen screen;
    ViewState state = initial_view(screen.columns(), screen.rows(), image->width(), image->height(),
        use_color(STDOUT_FILENO));
    state.outlines = options.outlines;
    while (!state.quit) {
        if (screen.refresh_size()) {
            state.columns = screen.columns();
            state.rows = screen.rows();
        }
        screen.draw(render_view(*image, state, decoder));
        for (ViewKey key : screen.read_keys(200))
            apply_key(state, key, image->width(), image->height());
    }
    return 0;
}

} // namespace pxos::cli
