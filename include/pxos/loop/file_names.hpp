// The names of a loop's generation files, from the roadmap's: its file stem
// for the roadmaps (ROADMAP_MINIMAL.gen002.yaml) and its output PNG's stem
// for the images and evaluations (vram_os.gen002.png, .json, .diff.png).
// The seed prototype's roadmap (the one whose output is the seed's
// artifacts/vram_os_stage1.png) keeps the seed's names exactly:
// ROADMAP_VRAM_OS.genNNN.yaml and vram_os_stage1.genNNN.png (docs/SEED.md).
// A resumed loop keeps the names its history already has.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pxos {

struct LoopFileNames {
    std::string roadmap_prefix = "ROADMAP_VRAM_OS"; // PREFIX.genNNN.yaml
    std::string image_prefix = "vram_os_stage1";    // PREFIX.genNNN.png, .json, .diff.png

    std::string roadmap(int generation) const;
    std::string image(int generation) const;
    std::string evaluation(int generation) const;
    std::string diff(int generation) const;
};

// "PREFIX.genNNN.EXTENSION" (three digits and up).
std::string generation_file_name(std::string_view prefix, int generation, std::string_view extension);

// From the roadmap's path and its output.png_path (empty: the roadmap's
// stem, as pxos build's artifacts/<stem>.png).
LoopFileNames loop_file_names(const std::string& roadmap_path, const std::string& png_path);

// From a history's first generation's files (PREFIX.gen001.yaml and
// PREFIX.gen001.json, the evaluation, which is written even when the image
// is not): the names a resumed loop goes on with; nullopt when they are not
// of that form.
std::optional<LoopFileNames> loop_file_names_of(const std::string& roadmap_file, const std::string& eval_file);

} // namespace pxos
