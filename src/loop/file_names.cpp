#include "pxos/loop/file_names.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace pxos {

namespace {

namespace fs = std::filesystem;

// The seed prototype's output and the names its loop gave its generations.
constexpr std::string_view kSeedOutput = "vram_os_stage1";
constexpr std::string_view kSeedRoadmapPrefix = "ROADMAP_VRAM_OS";

// The names the out-dir holds besides the generations' (reflect.genNNN.json): a prefix takes none of them.
bool taken(std::string_view prefix)
{
    return prefix.empty() || prefix == "reflect" || prefix == "loop" || prefix == "timings" || prefix == "report"
        || prefix[0] == '.';
}

// PREFIX out of "PREFIX.gen001.EXTENSION", or empty.
std::string prefix_of(const std::string& file, std::string_view extension)
{
    std::string suffix = fmt::format(".gen001.{}", extension);
    if (file.size() <= suffix.size() || file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0
        || file.find('/') != std::string::npos)
        return {};
    return file.substr(0, file.size() - suffix.size());
}

} // namespace

std::string generation_file_name(std::string_view prefix, int generation, std::string_view extension)
{
    return fmt::format("{}.gen{:03}.{}", prefix, generation, extension);
}

std::string LoopFileNames::roadmap(int generation) const
{
    return generation_file_name(roadmap_prefix, generation, "yaml");
}

std::string LoopFileNames::image(int generation) const
{
    return generation_file_name(image_prefix, generation, "png");
}

std::string LoopFileNames::evaluation(int generation) const
{
    return generation_file_name(image_prefix, generation, "json");
}

std::string LoopFileNames::diff(int generation) const
{
    return generation_file_name(image_prefix, generation, "diff.png");
}

LoopFileNames loop_file_names(const std::string& roadmap_path, const std::string& png_path)
{
    std::string roadmap_stem = fs::path(roadmap_path).stem().string();
    std::string image_stem = png_path.empty() ? roadmap_stem : fs::path(png_path).stem().string();
    LoopFileNames names;
    if (image_stem == kSeedOutput) { // the seed's roadmap: the seed's names
        names.roadmap_prefix = kSeedRoadmapPrefix;
        names.image_prefix = kSeedOutput;
        return names;
    }
    names.roadmap_prefix = taken(roadmap_stem) ? "roadmap" : roadmap_stem;
    names.image_prefix = taken(image_stem) ? "image" : image_stem;
    return names;
}

std::optional<LoopFileNames> loop_file_names_of(const std::string& roadmap_file, const std::string& eval_file)
{
    LoopFileNames names;
    names.roadmap_prefix = prefix_of(roadmap_file, "yaml");
    names.image_prefix = prefix_of(eval_file, "json");
    if (names.roadmap_prefix.empty() || names.image_prefix.empty())
        return std::nullopt;
    return names;
}

} // namespace pxos
