// `pxos render` (images for people) and `pxos diff` (what changed).
#include "commands.hpp"
#include "std_streams.hpp"
#include "terminal.hpp"

#include "pxos/host/posix/file_system.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/view/render.hpp"

#include <cstdio>
#include <optional>

namespace pxos::cli {

namespace {

// Writes the picture unless `path` is one of `inputs` (the images compared or rendered).
Result<void> write_picture(const std::string& path, const SimulatedVRAM& picture, std::vector<std::string> inputs)
{
    StagedOutputs outputs(host_files(), std::move(inputs));
    ThreadExecutor executor;
    PXOS_TRY(stage_png(outputs, path, picture, executor));
    return outputs.commit();
}

// A file that can be written and is not one of the inputs, or stdout (-)
// when it is not a terminal: before any work is done.
Result<void> check_picture_path(const std::string& path, std::span<const std::string> inputs)
{
    return check_output_target(path, inputs, OutputKind::Binary);
}

} // namespace

int run_render_command(const RenderCommandOptions& options)
{
    if (auto checked = check_picture_path(options.output_path, std::span(&options.image_path, 1)); !checked)
        return report_error(checked.error());
    auto image = load_png(host_files(), options.image_path, PngLimits::from_caps(options.caps));
    if (!image)
        return report_error(image.error());
    RenderOptions render;
    render.scale = options.scale;
    render.labels = options.labels;
    render.grid = options.grid;
    render.limits = VRAMLimits::from_caps(options.caps);
    auto picture = render_image(*image, render);
    if (!picture)
        return report_error(picture.error());
    if (auto saved = write_picture(options.output_path, *picture, { options.image_path }); !saved)
        return report_error(saved.error());
    print_written_path(options.output_path);
    return 0;
}

int run_diff_command(const DiffCommandOptions& options)
{
    // As cmp: 0 equal, 1 different, 2 trouble.
    const std::string inputs[] = { options.a_path, options.b_path };
    if (!options.output_path.empty())
        if (auto checked = check_picture_path(options.output_path, inputs); !checked) {
            report_error(checked.error());
            return 2;
        }
    auto a = load_png(host_files(), options.a_path, PngLimits::from_caps(options.caps));
    if (!a) {
        report_error(a.error());
        return 2;
    }
    auto b = load_png(host_files(), options.b_path, PngLimits::from_caps(options.caps));
    if (!b) {
        report_error(b.error());
        return 2;
    }
    ImageDifference difference = compare_images(*a, *b);
    // With the picture on stdout (-o -) the report goes to stderr.
    std::FILE* report = is_std_stream(options.output_path) ? stderr : stdout;
    std::optional<SimulatedVRAM> picture;
    if (!options.output_path.empty()) {
        DifferencePictureOptions drawing;
        drawing.scale = options.scale;
        drawing.limits = VRAMLimits::from_caps(options.caps);
        auto drawn = difference_picture_for_people(*a, *b, difference, drawing);
        if (!drawn) {
            report_error(drawn.error());
            return 2;
        }
        picture = std::move(*drawn);
    }
    if (options.json)
        std::fputs(difference_to_json(difference).c_str(), report);
    else if (report == stdout)
        print_report(difference_to_text(difference, options.a_path, options.b_path));
    else
        std::fputs(escape_for_terminal(difference_to_text(difference, options.a_path, options.b_path),
                       TerminalLayout::KeepLines)
                       .c_str(),
            stderr);
    if (picture)
        if (auto saved = write_picture(options.output_path, *picture, { options.a_path, options.b_path }); !saved) {
            report_error(saved.error());
            return 2;
        }
    return difference.equal() ? 0 : 1;
}

} // namespace pxos::cli
