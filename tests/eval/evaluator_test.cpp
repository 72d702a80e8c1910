#include "pxos/eval/evaluator.hpp"

#include "builtin_steps.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

using pxos::RGBA;

namespace {

pxos::SimulatedVRAM build_file(const std::string& path)
{
    auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path(path), pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    REQUIRE(built.ok());
    return std::move(built->vram);
}

const pxos::SimulatedVRAM& default_image()
{
    static const pxos::SimulatedVRAM image = build_file("roadmaps/ROADMAP_VRAM_OS.yaml");
    return image;
}

// Evaluates a changed copy of the default image.
pxos::EvalResult evaluate_changed(const std::function<void(pxos::SimulatedVRAM&)>& change)
{
    pxos::SimulatedVRAM image = default_image();
    change(image);
    return pxos::evaluate(image, "changed.png");
}

void set_word(pxos::SimulatedVRAM& image, std::uint32_t address, std::uint32_t word)
{
    REQUIRE(image.write_pixel(int(address % 512), int(address / 512), RGBA::from_word(word)).ok());
}

const char* kExitThree = "main:\n    LI r1, 3\n    SYSCALL SYS_EXIT\n";
const char* kFault = "main:\n    LI r1, 0\n    DIV r1, r1, r1\n";

} // namespace

TEST_CASE("the default image scores full marks", "[eval]")
{
    pxos::EvalResult result = pxos::evaluate(default_image(), "os.png");
    for (const pxos::Check& check : result.checks) {
        INFO(check.id << ": " << check.message);
        CHECK(check.passed);
    }
    CHECK(result.score == result.max_score);
    CHECK(result.max_score == 22);
    CHECK(result.score_pct == 100.0);
    CHECK(result.seed.regions_ok == 4);
}

TEST_CASE("the seed's image scores full marks on the seed group and low elsewhere, saying why", "[eval]")
{
    pxos::EvalResult result = pxos::evaluate(build_file("roadmaps/seed_stage1.yaml"), "seed.png");
    int seed_points = 0;
    for (const pxos::Check& check : result.checks)
        if (check.group == "seed")
            seed_points += check.points;
    CHECK(seed_points == 4);
    CHECK(result.seed.metadata_initialized);
    CHECK(result.seed.opcode_palette_unique_colors == 8);
    CHECK(result.seed.hello_program_pixels == 64);
    CHECK(result.seed.all_regions_ok);
    CHECK(result.max_score == 22);
    CHECK(result.score == 5);
    CHECK(pxos::test::check_of(result, "structure.header").message
        == "seed.png@(0,4): not a bootable pxOS image: no header magic 'PXOS' (found (64,128,192,255))");
    CHECK(pxos::test::check_of(result, "execution.hello").message == "skipped: the image does not boot (see kernel.boots)");
    CHECK(pxos::test::check_of(result, "structure.palette").message
        == "45 of 46 palette cells differ from the opcode table and colours repeat; first (8,16): HALT expected "
           "(255,0,0,255), found (0,0,0,255)");
}

TEST_CASE("each seed check fails on a purpose-made image, naming the place", "[eval]")
{
    auto blank_banner = evaluate_changed([](auto& image) { image.fill_rect({ 0, 0, 512, 4 }, RGBA { 0, 0, 0, 255 }); });
    CHECK(pxos::test::check_of(blank_banner, "seed.metadata_initialized").message
        == "pixel (10,2) is (0,0,0,255): expected a non-zero R, G or B (the boot banner)");
    auto flat_palette = evaluate_changed([](auto& image) { image.fill_rect({ 0, 16, 512, 16 }, RGBA { 5, 5, 5, 255 }); });
    CHECK(pxos::test::check_of(flat_palette, "seed.opcode_palette_sufficient").message
        == "only 1 distinct colours among the 16 samples of row 24 at x = 0, 32, ...; at least 4 needed (paint the "
           "ISA palette: write_isa_palette)");
    CHECK_FALSE(flat_palette.seed.opcode_palette_sufficient);
    CHECK_FALSE(pxos::test::check_of(flat_palette, "structure.palette").passed);
    CHECK_FALSE(pxos::test::check_of(flat_palette, "kernel.boots").passed); // colours repeat: the machine refuses it
    auto no_hello = evaluate_changed([](auto& image) { image.fill_rect({ 32, 232, 32, 8 }, RGBA { 20, 20, 20, 255 }); });
    CHECK(pxos::test::check_of(no_hello, "seed.hello_program_exists").message
        == "every pixel of the 32x8 block at (32,232) is the program area colour (20,20,20): no hello program there");
    auto kernel_centre = evaluate_changed([](auto& image) { REQUIRE(image.write_pixel(256, 80, RGBA { 200, 0, 0, 255 }).ok()); });
    CHECK(pxos::test::check_of(kernel_centre, "seed.all_regions_ok").message
        == "1 of 4 regions off: kernel centre (256,80) is (200,0,0,255), expected within 10 of (40,40,60,255)");
    CHECK(kernel_centre.seed.regions_ok == 3);
}

TEST_CASE("structure and kernel checks fail on purpose-made images", "[eval]")
{
    auto no_magic = evaluate_changed([](auto& image) { set_word(image, 4 * 512, 0); });
    CHECK(pxos::test::check_of(no_magic, "structure.header").message
        == "changed.png@(0,4): not a bootable pxOS image: no header magic 'PXOS' (found (0,0,0,0))");
    CHECK(pxos::test::check_of(no_magic, "structure.header_pointers").message == "skipped: no valid boot header (see structure.header)");

    auto entry_elsewhere = evaluate_changed([](auto& image) { set_word(image, 4 * 512 + 2, 300 * 512); });
    CHECK(pxos::test::check_of(entry_elsewhere, "structure.header_pointers").message
        == "kernel entry (0,300) is not inside the kernel region");

    auto repainted = evaluate_changed([](auto& image) { image.fill_rect({ 0, 128, 512, 32 }, RGBA { 1, 1, 1, 255 }); });
    CHECK(pxos::test::check_of(repainted, "structure.regions").message
        == "regions not laid out as the layout table says (at least half their pixels in the band colour): "
           "syscall_table (512x32 at (0,128)): 0 of 16384 pixels are (60,40,80,255)");

    auto one_cell = evaluate_changed([](auto& image) { image.fill_rect({ 80, 16, 8, 16 }, RGBA { 1, 2, 3, 255 }); });
    CHECK(pxos::test::check_of(one_cell, "structure.palette").message
        == "1 of 46 palette cells differ from the opcode table; first (80,16): ADDI expected (0,128,255,255), found "
           "(1,2,3,255)");

    auto bad_syscall = evaluate_changed([](auto& image) { set_word(image, 128 * 512 + 1, 300 * 512); });
    CHECK(pxos::test::check_of(bad_syscall, "kernel.syscall_table").message
        == "entry 1 (write) at (1,128) points at (0,300), outside the kernel region");

    auto bad_pid = evaluate_changed([](auto& image) { set_word(image, 160 * 512 + pxos::isa::kPcbWords + 1, 9); });
    CHECK(pxos::test::check_of(bad_pid, "kernel.process_table").message == "slot 1 at (64,160): pid 9 (expected 2)");
}

TEST_CASE("execution checks fail on images that misbehave", "[eval]")
{
    auto image = pxos::test::build_os({ { kExitThree }, { kFault } });
    pxos::EvalResult result = pxos::evaluate(image.vram, "bad.png");
    CHECK(pxos::test::check_of(result, "execution.clean_exit").message == "pid 1 exited with 3; pid 2 faulted (DivideByZero)");
    CHECK(pxos::test::check_of(result, "execution.hello").message == "the console output (0 bytes) lacks \"Hello from pxOS!\"");
    CHECK(pxos::test::check_of(result, "execution.display_changed").message
        == "no pixel of the display area (512x128 at (0,384)) changed: no process drew anything");
    CHECK(pxos::test::check_of(result, "execution.no_faults").message
        == "pid 2 at (3,248): DivideByZero (DIV or MOD by zero)");
    CHECK(pxos::test::check_of(result, "execution.deterministic").passed);
    CHECK(pxos::test::check_of(result, "isolation.kernel_write").passed);
}

TEST_CASE("isolation fails when the kernel does not protect memory, or there is no room to probe", "[eval]")
{
    // A kernel that gives every process the whole memory.
    std::string kernel = pxos::test::read_text(pxos::test::source_path("roadmaps/kernel.pxasm"));
    auto replace = [&](const std::string& from, const std::string& to) {
        auto at = kernel.find(from);
        REQUIRE(at != std::string::npos);
        kernel.replace(at, from.size(), to);
    };
    replace("    LOAD r1, r10, PCB_BASE\n    MTS r1, UBASE\n", "    LI r1, 0\n    MTS r1, UBASE\n");
    replace("    LOAD r1, r10, PCB_LIMIT\n    MTS r1, ULIMIT\n", "    LI r1, 262144\n    MTS r1, ULIMIT\n");
    pxos::test::ScratchDirectory scratch;
    std::string kernel_path = scratch.write_kernel("weak_kernel.pxasm", kernel);
    std::string hello = pxos::test::source_path("roadmaps/programs/hello.pxasm");
    auto roadmap = pxos::parse_roadmap("steps:\n  - step: init_background\n  - step: layout_regions\n"
                                       "  - step: write_isa_palette\n  - step: install_kernel\n    params: {kernel_file: '"
            + kernel_path + "'}\n  - step: add_process\n    params: {program_file: '" + hello + "'}\n",
        "weak.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    REQUIRE(built.ok());
    pxos::EvalResult weak = pxos::evaluate(built->vram, "weak.png");
    CHECK(pxos::test::check_of(weak, "execution.hello").passed);
    const pxos::Check& kernel_write = pxos::test::check_of(weak, "isolation.kernel_write");
    CHECK_FALSE(kernel_write.passed);
    CHECK(kernel_write.message == "kernel-write probe: the probe (pid 2) was not stopped by a MemoryViolation fault");

    std::vector<pxos::test::ProgramSpec> full(16, pxos::test::ProgramSpec { "main:\n    LI r1, 0\n    SYSCALL SYS_EXIT\n",
                                                     true, 7 });
    auto crowded = pxos::evaluate(pxos::test::build_os(full).vram, "full.png");
    CHECK(pxos::test::check_of(crowded, "isolation.privileged").message == "cannot inject the privileged-instruction probe: no free process slot");
}

TEST_CASE("odd images are evaluated without a crash, and max_score never changes", "[eval][hostile]")
{
    std::mt19937 random(7);
    std::vector<pxos::SimulatedVRAM> images;
    images.push_back(pxos::SimulatedVRAM::create(1, 1).value());
    images.push_back(pxos::SimulatedVRAM::create(512, 512).value());
    auto noise = pxos::SimulatedVRAM::create(300, 40).value();
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 300; ++x)
            REQUIRE(noise.write_pixel(x, y, RGBA::from_word(random())).ok());
    images.push_back(noise);
    pxos::SimulatedVRAM scrambled = default_image();
    for (int i = 0; i < 5000; ++i)
        REQUIRE(scrambled.write_pixel(int(random() % 512), int(random() % 512), RGBA::from_word(random())).ok());
    images.push_back(scrambled);
    for (const auto& image : images) {
        auto result = pxos::evaluate(image, "odd.png");
        CHECK(result.max_score == 22);
        CHECK(result.checks.size() == 20);
        CHECK(result.score <= result.max_score);
    }
}

TEST_CASE("eval --only runs one group, the JSON has the seed's keys first, then the checks, the gates and the metrics", "[eval]")
{
    pxos::EvalOptions options;
    options.only_group = "seed";
    auto seed_only = pxos::evaluate(default_image(), "os.png", options);
    CHECK(seed_only.max_score == 4);
    CHECK(seed_only.checks.size() == 4);
    options.only_group = "isolation";
    auto isolation_only = pxos::evaluate(default_image(), "os.png", options);
    CHECK(isolation_only.max_score == 4);
    CHECK(isolation_only.score == 4);

    auto json = nlohmann::ordered_json::parse(pxos::eval_result_to_json(pxos::evaluate(default_image(), "os.png")));
    std::vector<std::string> keys;
    for (const auto& item : json.items())
        keys.push_back(item.key());
    CHECK(keys
        == std::vector<std::string> { "schema", "metadata_initialized", "opcode_palette_unique_colors", "opcode_palette_sufficient",
            "hello_program_pixels", "hello_program_exists", "regions_checked", "regions_ok", "all_regions_ok", "score",
            "max_score", "score_pct", "checks", "gates", "metrics" });
    std::vector<std::string> check_keys;
    for (const auto& item : json["checks"][0].items())
        check_keys.push_back(item.key());
    CHECK(check_keys
        == std::vector<std::string> { "id", "group", "passed", "points", "max_points", "message", "evidence" });
    CHECK(json["checks"][0]["evidence"]["pixel"] == nlohmann::json::array({ 10, 2 }));
    CHECK(json["score_pct"] == 100.0);
    CHECK(json["schema"] == 1);
}

TEST_CASE("the evaluation is the same with its runs one after the other and on threads", "[eval][executor]")
{
    std::vector<pxos::SimulatedVRAM> images { default_image(), build_file("roadmaps/seed_stage1.yaml"),
        pxos::test::build_os({ { kExitThree }, { kFault } }).vram, pxos::SimulatedVRAM::create(64, 64).value() };
    pxos::SerialExecutor serial;
    pxos::ThreadExecutor threads;
    for (std::size_t i = 0; i < images.size(); ++i) {
        INFO("image " << i);
        pxos::EvalOptions options;
        options.executor = &serial;
        std::string one_by_one = pxos::eval_result_to_json(pxos::evaluate(images[i], "os.png", options));
        options.executor = &threads;
        CHECK(pxos::eval_result_to_json(pxos::evaluate(images[i], "os.png", options)) == one_by_one);
        CHECK(pxos::eval_result_to_json(pxos::evaluate(images[i], "os.png")) == one_by_one);
    }
}
