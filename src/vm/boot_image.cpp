// What both interpreters read from an image before its first instruction:
// the boot header (checked) and the opcode palette.
#include "pxos/vm/machine.hpp"

#include <fmt/format.h>

namespace pxos {

Result<BootImage> read_boot_image(const SimulatedVRAM& image, const std::string& image_name)
{
    auto header = read_header(image, image_name);
    if (!header)
        return std::move(header).error();
    if (auto overlap = display_overlap(*header, image.width(), image.height(), image.words()))
        return Error::bad_input(fmt::format("{}@({},{})", image_name, int(isa::HeaderField::DisplayX), isa::kHeaderRow),
            fmt::format("not bootable: {}", *overlap));
    auto palette = Palette::read(image, header->palette, int(header->palette_cell_width), int(header->opcode_count),
        image_name);
    if (!palette)
        return std::move(palette).error();
    return BootImage { *header, std::move(*palette) };
}

} // namespace pxos
