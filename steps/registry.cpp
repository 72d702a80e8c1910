// The one table of compiled-in build steps. Adding a step means adding a
// row here (and its function in a theme file); nothing registers itself.
#include "builtin_steps.hpp"

namespace pxos::steps {

namespace {

constexpr std::string_view kSeedModule = "pxos.agent.steps.basic_layout";
constexpr std::int64_t kCoordinateLimit = 65536;

ParamSpec coordinate(std::string_view name, std::int64_t default_value, std::string_view doc)
{
    return ParamSpec { name, ParamType::Integer, default_value, doc, -kCoordinateLimit, kCoordinateLimit };
}

ParamSpec extent(std::string_view name, std::int64_t default_value, std::string_view doc)
{
    return ParamSpec { name, ParamType::Integer, default_value, doc, 0, kCoordinateLimit };
}

// A parameter read only from its own roadmap entry (not inherited).
ParamSpec own(ParamSpec spec)
{
    spec.scope = ParamSpec::Scope::OwnEntry;
    return spec;
}

std::vector<StepDefinition> make_table()
{
    return {
        {
            "init_background",
            { "step_init_background" },
            "pxos.steps.layout",
            kSeedModule,
            "Fill the whole VRAM with the background colour.",
            { { "background_color", ParamType::Color, RGBA { 10, 10, 10, 255 }, "colour of every pixel" } },
            { "background_initialized" },
            init_background,
        },
        {
            "layout_regions",
            { "step_layout_regions" },
            "pxos.steps.layout",
            kSeedModule,
            "Paint each region of the layout table that has a band colour.",
            {},
            { "regions_laid_out" },
            layout_regions,
        },
        {
            "write_boot_banner",
            { "step_write_boot_banner" },
            "pxos.steps.layout",
            kSeedModule,
            "Fill rows 0-3, full width, with the boot banner colour.",
            { { "boot_banner_color", ParamType::Color, RGBA { 0, 255, 0, 255 }, "colour of the banner rows" } },
            { "boot_banner_written" },
            write_boot_banner,
        },
        {
            "write_opcode_palette",
            { "step_write_opcode_palette" },
            "pxos.steps.layout",
            kSeedModule,
            "Paint the opcode colours as vertical stripes (width VRAM width / 8) across the palette region.",
            {},
            { "opcode_palette_written", "opcode_count" },
            write_opcode_palette,
        },
        {
            "write_hello_program",
            { "step_write_hello_program" },
            "pxos.steps.layout",
            kSeedModule,
            "Paint the seed's hello program: 4x4 blocks NOP NOP LOAD HALT, 5 px apart, at y = 232.",
            { coordinate("hello_program_x", 32, "x of the first block") },
            { "hello_program_written" },
            write_hello_program,
        },
        {
            "write_isa_palette",
            {},
            "pxos.steps.kernel",
            "",
            "Paint every opcode of the ISA as an 8-pixel stripe in the palette region (the machine reads it back).",
            { { "palette_fill_color", ParamType::Color, RGBA { 10, 10, 10, 255 }, "colour of the unused palette cells" } },
            { "opcode_palette_written", "opcode_count" },
            write_isa_palette,
        },
        {
            "install_kernel",
            {},
            "pxos.steps.kernel",
            "",
            "Assemble the kernel (pxasm) into the kernel region; fill the syscall table and write the boot header.",
            {
                own(ParamSpec { "kernel_file", ParamType::String, std::string("builtin:kernel.pxasm"),
                    "pxasm file, relative to the roadmap, or builtin:kernel.pxasm (pxos's own kernel)" }),
                own(ParamSpec { "kernel_source", ParamType::String, std::string(), "pxasm text (instead of a file)" }),
                own(ParamSpec { "quantum", ParamType::Integer, std::int64_t(1000),
                    "user instructions per time slice (the symbol QUANTUM)", 1, 1000000 }),
                own(extent("display_x", 0, "display area: left")),
                own(extent("display_y", 384, "display area: top")),
                own(extent("display_width", 512, "display area: width")),
                own(extent("display_height", 128, "display area: height")),
            },
            { "kernel_entry", "kernel_words", "display_top_row", "display_bottom_row" },
            install_kernel,
        },
        {
            "add_process",
            {},
            "pxos.steps.kernel",
            "",
            "Assemble a user program into the next free rows of the program area and list it in the process table.",
            {
                own(ParamSpec { "program_file", ParamType::String, std::string("builtin:hello.pxasm"),
                    "pxasm file, relative to the roadmap, or builtin:hello.pxasm / primes.pxasm / draw.pxasm" }),
                own(ParamSpec { "program_source", ParamType::String, std::string(), "pxasm text (instead of a file)" }),
                own(ParamSpec { "memory_rows", ParamType::Integer, std::int64_t(8),
                    "rows of memory (code, data and stack; 512 words a row)", 1, 128 }),
                own(ParamSpec { "stack_words", ParamType::Integer, std::int64_t(256),
                    "words at the top of its memory kept for the stack (PUSH below them faults)", 4, 65536 }),
                own(ParamSpec { "autostart", ParamType::Boolean, true,
                    "ready at boot; false leaves it dormant for the spawn syscall" }),
            },
            { "process_count", "next_process_row" },
            add_process,
        },
        {
            "format_store",
            {},
            "pxos.steps.store",
            "",
            "Format the image's file store (mkfs): superblock, undo log, block map, inodes, and an empty root "
            "directory. Needs the store region (install_kernel on an image at least 1024 tall).",
            {
                own(ParamSpec { "log_blocks", ParamType::Integer, std::int64_t(8),
                    "blocks of the undo log (STORE_BLOCK_WORDS words each; 2 words an entry)", 1, 64 }),
                own(ParamSpec { "inode_blocks", ParamType::Integer, std::int64_t(4),
                    "blocks of inodes (32 inodes a block; inode 0 is never used)", 1, 64 }),
            },
            { "store_blocks", "store_inodes" },
            format_store,
        },
        {
            "add_file",
            {},
            "pxos.steps.store",
            "",
            "Put a file into the store (after format_store), creating its parent directories; from exactly one of "
            "text, file, program_file or program_source.",
            {
                own(ParamSpec { "path", ParamType::String, std::string(), "absolute path in the store, e.g. /bin/sh" }),
                own(ParamSpec { "text", ParamType::String, std::string(), "the file's text, one character per word" }),
                own(ParamSpec { "file", ParamType::String, std::string(),
                    "a host file, relative to the roadmap: one byte per word" }),
                own(ParamSpec { "program_file", ParamType::String, std::string(),
                    "pxasm file, relative to the roadmap (or builtin:NAME): assembled relocatable at origin 0 "
                    "into a program file (EXE_* header, code, relocations)" }),
                own(ParamSpec { "program_source", ParamType::String, std::string(),
                    "pxasm text (instead of program_file)" }),
            },
            { "store_used_blocks" },
            add_file,
        },
        {
            "fill_rect",
            {},
            "pxos.steps.paint",
            "",
            "Fill a rectangle (clipped to the VRAM) with one colour.",
            {
                coordinate("rect_x", 0, "left edge"),
                coordinate("rect_y", 0, "top edge"),
                extent("rect_width", 1, "width in pixels"),
                extent("rect_height", 1, "height in pixels"),
                { "rect_color", ParamType::Color, RGBA { 255, 255, 255, 255 }, "fill colour" },
            },
            {},
            fill_rect,
        },
        {
            "copy_rect",
            {},
            "pxos.steps.paint",
            "",
            "Copy a rectangle to another place (clipped; overlapping copies are exact).",
            {
                coordinate("source_x", 0, "left edge of the source"),
                coordinate("source_y", 0, "top edge of the source"),
                extent("copy_width", 1, "width in pixels"),
                extent("copy_height", 1, "height in pixels"),
                coordinate("dest_x", 0, "left edge of the destination"),
                coordinate("dest_y", 0, "top edge of the destination"),
            },
            {},
            copy_rect,
        },
    };
}

} // namespace

const StepRegistry& builtin_registry()
{
    static const StepRegistry registry(make_table());
    return registry;
}

} // namespace pxos::steps
