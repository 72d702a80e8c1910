#include "pxos/roadmap/build.hpp"

#include "builtin_steps.hpp"
#include "test_support.hpp"

#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace {

pxos::Roadmap parse(const std::string& text)
{
    auto roadmap = pxos::parse_roadmap(text, "r.yaml", pxos::steps::builtin_registry());
    if (!roadmap.ok())
        FAIL(roadmap.error().message());
    return std::move(roadmap).value();
}

class RecordingBuildObserver final : public pxos::BuildObserver {
public:
    void step_started(std::size_t index, std::size_t count, const pxos::StepCall& call) override
    {
        events.push_back("start " + std::to_string(index) + "/" + std::to_string(count) + " " + call.label);
    }
    pxos::Result<void> step_finished(const pxos::StepReport& report, const pxos::SimulatedVRAM& vram) override
    {
        events.push_back("done " + report.label + " " + std::to_string(vram.count_unique_colors()));
        if (report.label == fail_at)
            return pxos::Error::io("disk", "full");
        return {};
    }
    std::vector<std::string> events;
    std::string fail_at;
};

} // namespace

TEST_CASE("a build reports each step's time, pixels written and context keys", "[build]")
{
    pxos::Roadmap roadmap = parse(R"(
metadata: { name: test, vram_width: 64, vram_height: 240 }
steps:
  - step: init_background
  - step: write_boot_banner
    params: { boot_banner_color: [1, 2, 3] }
  - step: write_opcode_palette
  - step: write_hello_program
)");
    pxos::FakeClock clock(0.5);
    RecordingBuildObserver observer;
    pxos::BuildOptions options = pxos::test::on_disk();
    options.clock = &clock;
    options.observer = &observer;
    auto built = pxos::build_roadmap(roadmap, options);
    REQUIRE(built.ok());
    const pxos::BuildReport& report = built->report;
    CHECK(report.roadmap_name == "test");
    CHECK(report.width == 64);
    CHECK(report.height == 240);
    REQUIRE(report.steps.size() == 4);
    CHECK(report.steps[0].pixels_written == 64 * 240);
    CHECK(report.steps[0].context_keys_set == std::vector<std::string> { "background_initialized" });
    CHECK(report.steps[1].pixels_written == 64 * 4);
    CHECK(report.steps[1].context_keys_set == std::vector<std::string> { "boot_banner_color", "boot_banner_written" });
    CHECK(report.steps[2].pixels_written == 8 * 8 * 16);
    CHECK(report.steps[3].pixels_written == 4 * 4 * 4);
    CHECK(report.steps[0].duration_ms == 0.5);
    CHECK(report.total_ms == 0.5 * 9);
    CHECK(observer.events
        == std::vector<std::string> { "start 0/4 init_background", "done init_background 1", "start 1/4 write_boot_banner",
            "done write_boot_banner 2", "start 2/4 write_opcode_palette", "done write_opcode_palette 10",
            "start 3/4 write_hello_program", "done write_hello_program 10" });

    nlohmann::json json = nlohmann::json::parse(pxos::build_report_to_json(report));
    CHECK(json["roadmap"] == "test");
    CHECK(json["steps"][1]["name"] == "write_boot_banner");
    CHECK(json["steps"][1]["pixels_written"] == 256);
    CHECK(json["steps"][1]["context_keys_set"][0] == "boot_banner_color");
    CHECK(json["steps"][1]["duration_ms"] == 0.5);
}

TEST_CASE("parameters stay in the context for later steps, as in the seed", "[build]")
{
    // The second fill_rect names only a colour: it inherits the first one's
    // rectangle from the context.
    pxos::Roadmap roadmap = parse(R"(
metadata: { vram_width: 8, vram_height: 8 }
steps:
  - step: fill_rect
    params: { rect_x: 2, rect_y: 2, rect_width: 3, rect_height: 3, rect_color: [9, 9, 9] }
  - step: fill_rect
    params: { rect_color: [7, 7, 7] }
)");
    auto built = pxos::build_roadmap(roadmap, pxos::test::on_disk());
    REQUIRE(built.ok());
    CHECK(built->vram.read_pixel(2, 2).value() == pxos::RGBA { 7, 7, 7, 255 });
    CHECK(built->vram.read_pixel(4, 4).value() == pxos::RGBA { 7, 7, 7, 255 });
    CHECK(built->vram.read_pixel(5, 5).value() == pxos::RGBA { 0, 0, 0, 255 });
    CHECK(built->report.steps[1].pixels_written == 9);
    CHECK(std::get<std::int64_t>(*built->context.find("rect_width")) == 3);
    CHECK(std::get<std::int64_t>(*built->context.find("vram_width")) == 8);
}

TEST_CASE("an observer error stops the build and is returned", "[build]")
{
    pxos::Roadmap roadmap = parse("steps: [{step: init_background}, {step: layout_regions}]\n");
    RecordingBuildObserver observer;
    observer.fail_at = "init_background";
    pxos::BuildOptions options = pxos::test::on_disk();
    options.observer = &observer;
    auto built = pxos::build_roadmap(roadmap, options);
    REQUIRE_FALSE(built.ok());
    CHECK(built.error().message() == "disk: error: full");
    CHECK(observer.events.size() == 2);
}

TEST_CASE("a write observer given to the build sees every step's writes", "[build]")
{
    struct Counter final : pxos::WriteObserver {
        void did_write(const pxos::SimulatedVRAM&, const pxos::Rect& rect) override { pixels += rect.area(); }
        std::int64_t pixels = 0;
    } counter;
    pxos::Roadmap roadmap = parse("metadata: {vram_width: 16, vram_height: 16}\nsteps: [{step: init_background}]\n");
    pxos::BuildOptions options = pxos::test::on_disk();
    options.write_observer = &counter;
    REQUIRE(pxos::build_roadmap(roadmap, options).ok());
    CHECK(counter.pixels == 256);
}

TEST_CASE("the registry's parameters sharing a name share a type", "[build][registry]")
{
    // StepContext relies on this when a parameter is inherited from the context.
    const auto& registry = pxos::steps::builtin_registry();
    for (const auto& a : registry.steps())
        for (const auto& b : registry.steps())
            for (const auto& pa : a.params)
                if (const pxos::ParamSpec* pb = b.find_param(pa.name)) {
                    INFO(a.name << "." << pa.name << " vs " << b.name);
                    CHECK(pa.type == pb->type);
                }
    for (const auto& step : registry.steps()) {
        CHECK(step.function != nullptr);
        for (const auto& param : step.params)
            CHECK(pxos::param_type_of(param.default_value) == param.type);
        for (auto alias : step.aliases)
            CHECK(registry.find(alias) == &step);
    }
}

TEST_CASE("the registry lists itself as JSON for the LLM", "[build][registry]")
{
    nlohmann::json json = nlohmann::json::parse(pxos::steps::builtin_registry().to_json());
    REQUIRE(json["steps"].is_array());
    CHECK(json["steps"][0]["name"] == "init_background");
    CHECK(json["steps"][0]["aliases"][0] == "step_init_background");
    CHECK(json["steps"][0]["seed_module"] == "pxos.agent.steps.basic_layout");
    CHECK(json["steps"][0]["params"][0]["name"] == "background_color");
    CHECK(json["steps"][0]["params"][0]["type"] == "colour");
    CHECK(json["steps"][0]["params"][0]["default"] == nlohmann::json::array({ 10, 10, 10, 255 }));
    CHECK(json["steps"][4]["params"][0]["minimum"] == -65536);
}

TEST_CASE("test names work with ctest (no semicolon, no leading dash)", "[meta]")
{
    // catch_discover_tests splits names at ';' and the parts match no test,
    // so such a test would silently never run under ctest.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(pxos::test::source_path("tests"))) {
        if (entry.path().extension() != ".cpp")
            continue;
        std::string text = pxos::test::read_text(entry.path().string());
        for (std::size_t at = text.find("TEST_CASE(\""); at != std::string::npos; at = text.find("TEST_CASE(\"", at + 1)) {
            std::size_t end = text.find('"', at + 11);
            std::string name = text.substr(at + 11, end - at - 11);
            INFO(entry.path().filename().string() << ": " << name);
            CHECK(name.find(';') == std::string::npos);
            CHECK(name.front() != '-');
        }
    }
}

TEST_CASE("the build work cap refuses the write that would cross it, before it is done", "[build][malformed]")
{
    pxos::Roadmap roadmap = parse("metadata: {vram_width: 64, vram_height: 64}\nsteps:\n"
                                  "  - step: init_background\n"
                                  "  - {step: fill_rect, params: {rect_width: 8, rect_height: 8, rect_color: [9, 9, 9]}}\n"
                                  "  - {step: fill_rect, params: {rect_x: 8, rect_width: 64, rect_height: 64}}\n");
    struct Counter final : pxos::WriteObserver {
        void will_write(const pxos::SimulatedVRAM&, const pxos::Rect& rect) override { pixels += rect.area(); }
        std::int64_t pixels = 0;
    } counter;
    pxos::BuildOptions options = pxos::test::on_disk();
    options.limits.max_build_pixels = 4096 + 64 + 100;
    options.write_observer = &counter;
    auto built = pxos::build_roadmap(roadmap, options);
    REQUIRE_FALSE(built.ok());
    CHECK(built.error().message()
        == "r.yaml:5:5: error: step 3 'fill_rect': writing 56x64 pixels at (8,0) would take the build to 7744 pixels "
           "written, over the build work cap of 4260 pixels (raise it with --max-build-pixels, up to 274877906944 pixels)");
    CHECK(counter.pixels == 4096 + 64); // the refused fill never reached the VRAM
    options.limits.max_build_pixels = 4096 + 64 + 56 * 64;
    auto exact = pxos::build_roadmap(roadmap, options);
    REQUIRE(exact.ok());
    CHECK(exact->vram.write_pixel(0, 0, pxos::RGBA {}).ok()); // the image has no budget once built
}

TEST_CASE("a step's error is placed at its roadmap entry, line and column as fields", "[build][diagnostics]")
{
    // A step's error that names no place (the VRAM is too small), and one
    // that names the step's own (step.where()).
    const std::pair<const char*, int> cases[] = {
        { "metadata: { vram_width: 8, vram_height: 8 }\nsteps:\n  - step: write_isa_palette\n  - step: install_kernel\n", 4 },
        { "steps:\n  - step: write_isa_palette\n  - step: add_process\n", 3 },
    };
    for (const auto& [text, line] : cases) {
        auto built = pxos::build_roadmap(parse(text));
        REQUIRE_FALSE(built.ok());
        const pxos::Diagnostic& diagnostic = built.error().diagnostics().front();
        INFO(diagnostic.format());
        CHECK(diagnostic.where == "r.yaml:" + std::to_string(line) + ":5");
        CHECK(diagnostic.location.file == "r.yaml");
        CHECK(diagnostic.location.line == line);
        CHECK(diagnostic.location.column == 5);
    }
}
