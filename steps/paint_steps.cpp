// General painting primitives a roadmap (or the LLM) can use anywhere.
#include "builtin_steps.hpp"

namespace pxos::steps {

Result<void> fill_rect(StepContext& step)
{
    Rect rect { int(step.integer("rect_x")), int(step.integer("rect_y")), int(step.integer("rect_width")),
        int(step.integer("rect_height")) };
    step.vram().fill_rect(rect, step.color("rect_color"));
    return {};
}

Result<void> copy_rect(StepContext& step)
{
    Rect source { int(step.integer("source_x")), int(step.integer("source_y")), int(step.integer("copy_width")),
        int(step.integer("copy_height")) };
    step.vram().copy_rect(source, int(step.integer("dest_x")), int(step.integer("dest_y")));
    return {};
}

} // namespace pxos::steps
