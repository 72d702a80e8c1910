#include "pxos/roadmap/roadmap.hpp"

#include "builtin_steps.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

namespace {

pxos::Result<pxos::Roadmap> parse(const std::string& text, const pxos::RoadmapLimits& limits = {})
{
    return pxos::parse_roadmap(text, "r.yaml", pxos::steps::builtin_registry(), limits, &pxos::test::files());
}

// Every diagnostic of a failed parse, formatted, one per entry.
std::vector<std::string> errors_of(const std::string& text)
{
    auto roadmap = parse(text);
    REQUIRE_FALSE(roadmap.ok());
    CHECK(roadmap.error().kind() == pxos::ErrorKind::BadInput);
    std::vector<std::string> lines;
    for (const auto& diagnostic : roadmap.error().diagnostics())
        if (diagnostic.severity == pxos::Severity::Error)
            lines.push_back(diagnostic.format());
    return lines;
}

std::string only_error(const std::string& text)
{
    auto lines = errors_of(text);
    REQUIRE(lines.size() == 1);
    return lines.front();
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("the shipped seed-form roadmap loads as the seed's five steps", "[roadmap]")
{
    auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path("roadmaps/seed_stage1.yaml"),
        pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    CHECK(roadmap->metadata.name == "pxOS Stage 1");
    CHECK(roadmap->metadata.version == "2.0");
    CHECK(roadmap->metadata.vram_width == 512);
    CHECK(roadmap->output.png_path == "artifacts/vram_os_stage1.png");
    CHECK_FALSE(roadmap->output.save_intermediate);
    REQUIRE(roadmap->steps.size() == 5);
    const char* expected[] = { "init_background", "layout_regions", "write_boot_banner", "write_opcode_palette",
        "write_hello_program" };
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(roadmap->steps[i].definition->name == expected[i]);
        CHECK(roadmap->steps[i].form == pxos::StepForm::Seed);
        CHECK(roadmap->steps[i].module == "pxos.agent.steps.basic_layout");
    }
    CHECK(roadmap->steps[0].location.to_string().ends_with("seed_stage1.yaml:12:5"));
    REQUIRE(roadmap->steps[4].params.size() == 1);
    CHECK(roadmap->steps[4].params[0].first == "hello_program_x");
    CHECK(std::get<std::int64_t>(roadmap->steps[4].params[0].second) == 32);
    CHECK(roadmap->warnings.empty());
}

TEST_CASE("the default roadmap loads in pxos's short form", "[roadmap]")
{
    auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"),
        pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    REQUIRE(roadmap->steps.size() == 22);
    CHECK(roadmap->steps[0].form == pxos::StepForm::Native);
    CHECK(std::get<pxos::RGBA>(roadmap->steps[2].params[0].second) == pxos::RGBA { 0, 255, 0, 255 });
    CHECK(roadmap->steps[5].definition->name == "install_kernel");
    CHECK(roadmap->steps[6].definition->name == "format_store");
    CHECK(roadmap->steps[8].definition->name == "add_file"); // /bin/sh and the 9 programs
    CHECK(std::get<std::string>(roadmap->steps[8].params[0].second) == "/bin/sh");
    CHECK(roadmap->steps[18].label == "hello");
    CHECK(roadmap->steps[18].params[0].first == "program_file");
    CHECK(roadmap->steps[21].label == "init"); // after the demo processes
    CHECK(roadmap->steps[21].definition->name == "add_process");
}

TEST_CASE("step forms, labels, colours and defaults", "[roadmap]")
{
    auto roadmap = parse(R"(
steps:
  - step: init_background
    name: "paint it"
    params: { background_color: "#102030" }
  - function: step_layout_regions
  - step: fill_rect
    params: { rect_x: -5, rect_y: 0x10, rect_color: [1, 2, 3], rect_width: 4 }
  - step: write_boot_banner
    params:
)");
    REQUIRE(roadmap.ok());
    CHECK(roadmap->metadata.vram_width == 512);
    CHECK(roadmap->metadata.name == "pxOS");
    CHECK(roadmap->output.png_path.empty());
    CHECK(roadmap->steps[0].label == "paint it");
    CHECK(std::get<pxos::RGBA>(roadmap->steps[0].params[0].second) == pxos::RGBA { 0x10, 0x20, 0x30, 255 });
    CHECK(roadmap->steps[1].label == "layout_regions");
    CHECK(roadmap->steps[1].form == pxos::StepForm::Seed);
    CHECK(std::get<std::int64_t>(roadmap->steps[2].params[0].second) == -5);
    CHECK(std::get<std::int64_t>(roadmap->steps[2].params[1].second) == 16);
    CHECK(std::get<pxos::RGBA>(roadmap->steps[2].params[2].second) == pxos::RGBA { 1, 2, 3, 255 });
    CHECK(roadmap->steps[3].params.empty());
}

TEST_CASE("YAML syntax errors carry file:line:col", "[roadmap][malformed]")
{
    CHECK(only_error("steps:\n  - step: init_background\n   bad: [1, 2\n")
        == "r.yaml:3:4: error: YAML syntax: end of sequence not found");
    CHECK(only_error("steps: [\n") == "r.yaml:2:1: error: YAML syntax: end of sequence flow not found");
    CHECK(only_error("a: b: c\n") == "r.yaml:1:5: error: YAML syntax: illegal map value");
}

TEST_CASE("the roadmap's shape is checked with the place of each problem", "[roadmap][malformed]")
{
    CHECK(only_error("") == "r.yaml: error: roadmap is empty; expected a map with 'steps:'");
    CHECK(only_error("- 1\n- 2\n") == "r.yaml:1:1: error: roadmap must be a map with 'steps:', found a list of 2 items");
    CHECK(only_error("metadata: {}\n") == "r.yaml:1:1: error: roadmap has no 'steps:' list");
    CHECK(only_error("steps: {step: init_background}\n")
        == "r.yaml:1:8: error: 'steps' must be a list of steps, found a map");
    CHECK(only_error("stepz: []\nsteps: []\n")
        == "r.yaml:1:1: error: unknown key 'stepz' in the roadmap; did you mean 'steps'?");
    CHECK(only_error("steps:\n  - layout_regions\n")
        == "r.yaml:2:5: error: step 1 must be a map (e.g. '- step: layout_regions'), found 'layout_regions'");
    CHECK(only_error("steps:\n  - name: layout_regions\n")
        == "r.yaml:2:5: error: step entry needs 'step: NAME' (or the seed's 'module:' and 'function:')");
    CHECK(only_error("steps:\n  - step: layout_regions\n    function: step_layout_regions\n")
        == "r.yaml:2:11: error: a step entry takes either 'step:' (pxos form) or 'function:' (seed form), not both");
    CHECK(only_error("steps:\n  - step: layout_regions\n    parms: {}\n")
        == "r.yaml:3:5: error: unknown key 'parms' in step 1; did you mean 'params'?");
    CHECK(only_error("steps:\n  - step: layout_regions\n    step: init_background\n")
        == "r.yaml:3:5: error: duplicate key 'step' in step 1");
    CHECK(only_error("steps:\n  - step: [a]\n") == "r.yaml:2:11: error: 'step' must be a string, found a list of 1 items");
    CHECK(only_error("steps:\n  - step: init_background\n    params: [1]\n")
        == "r.yaml:3:13: error: 'params' of step 'init_background' must be a map of name: value, found a list of 1 "
           "items");
}

TEST_CASE("unknown steps and modules get a suggestion", "[roadmap][malformed]")
{
    CHECK(only_error("steps:\n  - step: layout_region\n")
        == "r.yaml:2:11: error: unknown step 'layout_region'; did you mean 'layout_regions'?");
    CHECK(only_error("steps:\n  - function: step_init_backgrund\n")
        == "r.yaml:2:15: error: unknown step 'step_init_backgrund'; did you mean 'step_init_background'?");
    CHECK(only_error("steps:\n  - step: paint_everything_purple\n")
        == "r.yaml:2:11: error: unknown step 'paint_everything_purple'");
    CHECK(only_error("steps:\n  - module: pxos.agent.steps.basic_layot\n    function: step_init_background\n")
        == "r.yaml:2:13: error: unknown module 'pxos.agent.steps.basic_layot'; did you mean "
           "'pxos.agent.steps.basic_layout'?");
    CHECK(only_error("steps:\n  - module: pxos.steps.paint\n    function: step_init_background\n")
        == "r.yaml:2:13: error: step 'init_background' is not in module 'pxos.steps.paint'; it is in "
           "'pxos.agent.steps.basic_layout'");
    CHECK(only_error("steps:\n  - module: pxos.agent.steps.basic_layout\n")
        == "r.yaml:2:5: error: seed-form step entry has 'module:' but no 'function:'");
}

TEST_CASE("parameters are checked against the step's schema", "[roadmap][malformed]")
{
    CHECK(only_error("steps:\n  - step: init_background\n    params: { backgrund_color: [1, 2, 3] }\n")
        == "r.yaml:3:15: error: unknown parameter 'backgrund_color' for step 'init_background'; did you mean "
           "'background_color'?");
    CHECK(only_error("steps:\n  - step: init_background\n    params: { size: 3 }\n")
        == "r.yaml:3:15: error: unknown parameter 'size' for step 'init_background' (it takes: background_color)");
    CHECK(only_error("steps:\n  - step: layout_regions\n    params: { size: 3 }\n")
        == "r.yaml:3:15: error: unknown parameter 'size' for step 'layout_regions' (it takes no parameters)");
    CHECK(only_error("steps:\n  - step: write_hello_program\n    params: { hello_program_x: left }\n")
        == "r.yaml:3:32: error: parameter 'hello_program_x' of step 'write_hello_program' must be an integer, "
           "found 'left'");
    CHECK(only_error("steps:\n  - step: write_hello_program\n    params: { hello_program_x: 100000 }\n")
        == "r.yaml:3:32: error: parameter 'hello_program_x' of step 'write_hello_program' is 100000, out of range "
           "-65536..65536");
    CHECK(only_error("steps:\n  - step: fill_rect\n    params: { rect_width: -1 }\n")
        == "r.yaml:3:27: error: parameter 'rect_width' of step 'fill_rect' is -1, out of range 0..65536");
    CHECK(only_error("steps:\n  - step: fill_rect\n    params: { rect_x: 1, rect_x: 2 }\n")
        == "r.yaml:3:26: error: duplicate parameter 'rect_x' for step 'fill_rect'");
}

TEST_CASE("colours must be 3 or 4 integers 0-255", "[roadmap][malformed]")
{
    std::string prefix = "steps:\n  - step: init_background\n    params:\n      background_color: ";
    CHECK(only_error(prefix + "[1, 2]\n")
        == "r.yaml:4:25: error: parameter 'background_color' of step 'init_background' must be a colour: a list of 3 "
           "or 4 integers 0-255 (or \"#rrggbb[aa]\"), found a list of 2 items");
    CHECK(only_error(prefix + "[1, 2, 3, 4, 5]\n")
        == "r.yaml:4:25: error: parameter 'background_color' of step 'init_background' must be a colour: a list of 3 "
           "or 4 integers 0-255 (or \"#rrggbb[aa]\"), found a list of 5 items");
    CHECK(only_error(prefix + "red\n")
        == "r.yaml:4:25: error: parameter 'background_color' of step 'init_background' must be a colour: a list of 3 "
           "or 4 integers 0-255 (or \"#rrggbb[aa]\"), found 'red'");
    CHECK(errors_of(prefix + "[300, -1, 2.5]\n")
        == Lines { "r.yaml:4:26: error: parameter 'background_color' of step 'init_background' component 1 must be an "
                   "integer 0-255, found '300'",
            "r.yaml:4:31: error: parameter 'background_color' of step 'init_background' component 2 must be an "
            "integer 0-255, found '-1'",
            "r.yaml:4:35: error: parameter 'background_color' of step 'init_background' component 3 must be an "
            "integer 0-255, found '2.5'" });
}

TEST_CASE("metadata and output are checked, sizes against the limits", "[roadmap][malformed]")
{
    CHECK(only_error("metadata:\n  vram_width: 0\nsteps: []\n")
        == "r.yaml:2:15: error: metadata.vram_width is 0, out of range 1..16384");
    CHECK(only_error("metadata:\n  vram_height: 20000\nsteps: []\n")
        == "r.yaml:2:16: error: metadata.vram_height is 20000, out of range 1..16384");
    CHECK(only_error("metadata:\n  vram_width: wide\nsteps: []\n")
        == "r.yaml:2:15: error: metadata.vram_width must be an integer, found 'wide'");
    CHECK(only_error("metadata:\n  vram_width: 16384\n  vram_height: 16384\nsteps: []\n")
        == "r.yaml:2:15: error: VRAM size 16384x16384 needs 1024 MiB, over the VRAM memory cap of 256 MiB (raise it with "
            "--max-vram-mib, up to 1024 MiB)");
    CHECK(only_error("metadata: 5\nsteps: []\n") == "r.yaml:1:11: error: 'metadata' must be a map, found '5'");
    CHECK(only_error("steps: []\noutput:\n  save_intermediate: maybe\n")
        == "r.yaml:3:22: error: output.save_intermediate must be true or false, found 'maybe'");
    CHECK(only_error("steps: []\noutput:\n  png_pth: x.png\n")
        == "r.yaml:3:3: error: unknown key 'png_pth' in output; did you mean 'png_path'?");

    pxos::test::ScratchDirectory scratch;
    CHECK(only_error("steps: []\noutput:\n  png_path: " + scratch.path().string() + "\n")
        == "r.yaml:3:13: error: output.png_path '" + scratch.path().string()
            + "' is a directory, expected a file name");
    CHECK(only_error("steps: []\noutput:\n  png_path: out/\n")
        == "r.yaml:3:13: error: output.png_path 'out/' is a directory, expected a file name");

    pxos::RoadmapLimits raised;
    raised.vram.max_bytes = pxos::VRAMLimits::kHardMaxBytes;
    CHECK(parse("metadata:\n  vram_width: 16384\n  vram_height: 16384\nsteps: []\n", raised).ok());
}

TEST_CASE("every error of a file is reported at once, in file order", "[roadmap][malformed]")
{
    CHECK(errors_of(R"(metadata:
  vram_width: -4
steps:
  - step: init_backgruond
  - step: write_boot_banner
    params: { boot_banner_color: [0, 256, 0] }
  - step: write_hello_program
    params: { hello_x: 3 }
output:
  save_intermediate: 2
)") == Lines {
              "r.yaml:2:15: error: metadata.vram_width is -4, out of range 1..16384",
              "r.yaml:4:11: error: unknown step 'init_backgruond'; did you mean 'init_background'?",
              "r.yaml:6:38: error: parameter 'boot_banner_color' of step 'write_boot_banner' component 2 must be an "
              "integer 0-255, found '256'",
              "r.yaml:8:15: error: unknown parameter 'hello_x' for step 'write_hello_program' (it takes: "
              "hello_program_x)",
              "r.yaml:10:22: error: output.save_intermediate must be true or false, found '2'",
          });
}

TEST_CASE("unknown metadata keys are warnings, not errors", "[roadmap]")
{
    auto roadmap = parse("metadata:\n  author: me\n  nmae: x\nsteps: []\n");
    REQUIRE(roadmap.ok());
    REQUIRE(roadmap->warnings.size() == 3);
    CHECK(roadmap->warnings[0].format() == "r.yaml:2:3: warning: unknown key 'author' in metadata (ignored)");
    CHECK(roadmap->warnings[1].format() == "r.yaml:3:3: warning: unknown key 'nmae' in metadata; did you mean 'name'? (ignored)");
    CHECK(roadmap->warnings[2].format() == "r.yaml:4:8: warning: roadmap has no steps; the image will be the blank VRAM");
}

TEST_CASE("roadmap size limits name the cap", "[roadmap][malformed]")
{
    pxos::RoadmapLimits limits;
    limits.max_file_bytes = 10;
    CHECK(parse("steps: []\n# padding\n", limits).error().message()
        == "r.yaml: error: roadmap is 20 bytes, over the roadmap file cap of 10 bytes (raise it with "
           "--max-roadmap-mib, up to 64 MiB)");
    limits = {};
    limits.max_steps = 2;
    CHECK(parse("steps: [{step: layout_regions}, {step: layout_regions}, {step: layout_regions}]\n", limits)
              .error()
              .message()
        == "r.yaml:1:8: error: roadmap has 3 steps, over the roadmap steps cap of 2 steps (raise it with "
           "--max-roadmap-steps, up to 1000000 steps)");
}

TEST_CASE("roadmaps written back are canonical and load to the same roadmap", "[roadmap]")
{
    for (const char* path : { "roadmaps/seed_stage1.yaml", "roadmaps/ROADMAP_VRAM_OS.yaml", "roadmaps/ROADMAP_MINIMAL.yaml" }) {
        INFO(path);
        auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path(path), pxos::steps::builtin_registry());
        REQUIRE(roadmap.ok());
        std::string text = pxos::roadmap_to_yaml(*roadmap);
        auto again = parse("# written\n" + text);
        if (!again.ok())
            FAIL(again.error().message() + "\n" + text);
        CHECK(pxos::roadmap_to_yaml(*again) == text);
        REQUIRE(again->steps.size() == roadmap->steps.size());
        for (std::size_t i = 0; i < again->steps.size(); ++i) {
            CHECK(again->steps[i].definition == roadmap->steps[i].definition);
            CHECK(again->steps[i].params == roadmap->steps[i].params);
        }
    }
    auto tricky = parse("steps:\n  - step: add_process\n    name: \"a \\\"quoted\\\" label\"\n    params:\n"
                        "      program_source: \"main:\\n    LI r1, 0\\n\\tSYSCALL SYS_EXIT\\n\"\n");
    REQUIRE(tricky.ok());
    auto round = parse(pxos::roadmap_to_yaml(*tricky));
    REQUIRE(round.ok());
    CHECK(round->steps[0].label == "a \"quoted\" label");
    CHECK(std::get<std::string>(round->steps[0].params[0].second) == "main:\n    LI r1, 0\n\tSYSCALL SYS_EXIT\n");
}

namespace {

// `levels` anchors, each a list of ten aliases of the one before: ten to
// the `levels` scalars from a few hundred bytes.
std::string alias_bomb(int levels)
{
    std::string text = "metadata:\n  name: bomb\n  description:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int level = 1; level < levels; ++level) {
        std::string alias = "*a" + std::to_string(level - 1);
        text += "    a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + alias;
        for (int i = 1; i < 10; ++i)
            text += ", " + alias;
        text += "]\n";
    }
    return text + "steps:\n  - step: init_background\n";
}

} // namespace

TEST_CASE("an alias bomb is refused at the alias that crosses the expanded node cap", "[roadmap][malformed]")
{
    // a0 is 11 nodes, a1 10*11+1, ...: the eighth alias of a4 (111111 nodes)
    // in a5 crosses the cap.
    CHECK(only_error(alias_bomb(7))
        == "r.yaml:9:49: error: alias '*a4' expands the document to 1012357 nodes, over the YAML nodes cap of "
           "1000000 nodes (raise it with --max-yaml-nodes, up to 100000000 nodes)");
    pxos::RoadmapLimits raised;
    raised.yaml.max_nodes = 20'000'000;
    auto roadmap = parse(alias_bomb(7), raised);
    REQUIRE_FALSE(roadmap.ok()); // the description is not a string, but the document was read
    CHECK(roadmap.error().message() == "r.yaml:4:5: error: metadata.description must be a string, found a map");
}

TEST_CASE("aliases of a long string count its bytes each time", "[roadmap][malformed]")
{
    std::string text = "steps:\n  - step: init_background\n    description: &d " + std::string(1000, 'x') + "\n";
    for (int i = 0; i < 20; ++i)
        text += "  - {step: init_background, description: *d}\n";
    pxos::RoadmapLimits limits;
    limits.yaml.max_bytes = 16 * 1024;
    auto roadmap = parse(text, limits);
    REQUIRE_FALSE(roadmap.ok());
    CHECK(roadmap.error().message()
        == "r.yaml:18:42: error: alias '*d' expands the document to 16485 bytes of text, over the YAML expanded size "
           "cap of 16384 bytes (raise it with --max-yaml-mib, up to 1024 MiB)");
    limits.yaml.max_bytes = 32 * 1024;
    CHECK(parse(text, limits).ok());
}

TEST_CASE("nesting deeper than the YAML depth cap is refused where it crosses it", "[roadmap][malformed]")
{
    std::string deep = "metadata:\n  description: " + std::string(100000, '[') + "\nsteps: []\n";
    CHECK(only_error(deep)
        == "r.yaml:2:47: error: lists and maps nested 65 deep, over the YAML depth cap of 64 levels (raise it with "
           "--max-yaml-depth, up to 1000 levels)");
    std::string dashes = "steps:\n";
    for (int i = 0; i < 100; ++i)
        dashes += "- ";
    CHECK(only_error(dashes + "x\n").rfind("r.yaml:2:127: error: lists and maps nested 65 deep", 0) == 0);
}

TEST_CASE("an alias to the node that contains it is refused", "[roadmap][malformed]")
{
    CHECK(only_error("metadata:\n  description: &a [x, *a]\nsteps: []\n")
        == "r.yaml:2:23: error: alias '*a' refers to a node that contains it; pxos reads no cycles");
}

TEST_CASE("a second YAML document is an error, not ignored", "[roadmap][malformed]")
{
    CHECK(only_error("steps:\n  - step: init_background\n---\nsteps: []\n")
        == "r.yaml:3:1: error: a second YAML document starts here; a roadmap or reply is one document (remove the "
           "'---' and what follows)");
    CHECK(parse("---\nsteps:\n  - step: init_background\n...\n").ok());
}

TEST_CASE("tags outside YAML's core schema, or naming the wrong type, are errors", "[roadmap][malformed]")
{
    CHECK(only_error("steps:\n  - step: init_background\n    params: {background_color: !foo [1, 2, 3]}\n")
        == "r.yaml:3:32: error: unknown tag '!foo'; pxos reads only the core tags !!str, !!int, !!float, !!bool, "
           "!!null, !!seq and !!map");
    CHECK(only_error("steps:\n  - step: write_hello_program\n    params: {program_source: !!binary SEFMVA==}\n")
        == "r.yaml:3:30: error: unknown tag '!!binary'; pxos reads only the core tags !!str, !!int, !!float, "
           "!!bool, !!null, !!seq and !!map");
    CHECK(only_error("steps: !!map [1]\n") == "r.yaml:1:8: error: tag '!!map' on a list");
    CHECK(only_error("metadata:\n  vram_width: !!str 256\nsteps: []\n")
        == "r.yaml:2:15: error: metadata.vram_width must be an integer, found '256' tagged !!str");
    CHECK(only_error("metadata:\n  name: !!int 5\nsteps: []\n")
        == "r.yaml:2:9: error: metadata.name must be a string, found '5' tagged !!int");
    auto tagged = parse("metadata:\n  name: !!str 5\n  vram_width: !!int 256\nsteps: []\n");
    REQUIRE(tagged.ok());
    CHECK(tagged->metadata.name == "5");
    CHECK(tagged->metadata.vram_width == 256);
}

TEST_CASE("a roadmap diagnostic keeps its file, line and column as fields", "[roadmap][diagnostics]")
{
    auto unknown = parse("steps:\n  - step: layout_region\n");
    REQUIRE_FALSE(unknown.ok());
    const pxos::Diagnostic& step = unknown.error().diagnostics().front();
    CHECK(step.where == "r.yaml:2:11");
    CHECK(step.location.file == "r.yaml");
    CHECK(step.location.line == 2);
    CHECK(step.location.column == 11);
    CHECK(step.message == "unknown step 'layout_region'; did you mean 'layout_regions'?");
    // yaml-cpp's syntax errors keep their place as fields too.
    auto syntax = parse("steps:\n  - step: [layout_regions\n");
    REQUIRE_FALSE(syntax.ok());
    const pxos::Diagnostic& unclosed = syntax.error().diagnostics().front();
    CHECK(unclosed.where == "r.yaml:3:1");
    CHECK(unclosed.location.line == 3);
    CHECK(unclosed.location.column == 1);
    // An error about the file as a whole has no line.
    auto empty = parse("");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().diagnostics().front().where == "r.yaml");
    CHECK_FALSE(empty.error().diagnostics().front().has_text_position());
}
