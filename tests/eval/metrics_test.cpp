// The metrics (pxos/eval/metrics.hpp), the cascade's second stage: the
// default image measures each row's baseline (ratio 1.0, combined_score
// 1.0); a faster kernel raises the score and a lost test lowers it; the
// metrics are skipped, and say why, when a gate fails; the count of
// usertests is the evaluator's own; the JSON, the text and docs/EVAL.md.
#include "pxos/eval/evaluator.hpp"
#include "pxos/eval/metrics.hpp"
#include "pxos/eval/rubric.hpp"

#include "builtin_steps.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/asm/program_file.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/store/store.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace {

pxos::SimulatedVRAM build_file(const std::string& path)
{
    auto roadmap = pxos::load_roadmap(pxos::test::files(), path, pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    if (!built.ok())
        FAIL(built.error().message());
    return std::move(built->vram);
}

const pxos::SimulatedVRAM& default_image()
{
    static const pxos::SimulatedVRAM image = build_file(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));
    return image;
}

const pxos::EvalResult& default_result()
{
    static const pxos::EvalResult result = pxos::evaluate(default_image(), "os.png");
    return result;
}

// The default roadmap built from a copy of roadmaps/ whose kernel.pxasm has
// `from` replaced by `to`.
pxos::SimulatedVRAM with_kernel_change(const std::string& from, const std::string& to)
{
    namespace fs = std::filesystem;
    fs::path folder = fs::temp_directory_path() / fmt::format("pxos_metrics_test_{}", std::hash<std::string> {}(to));
    fs::remove_all(folder);
    fs::copy(pxos::test::source_path("roadmaps"), folder, fs::copy_options::recursive);
    std::string kernel = pxos::test::read_text((folder / "kernel.pxasm").string());
    auto at = kernel.find(from);
    REQUIRE(at != std::string::npos);
    kernel.replace(at, from.size(), to);
    std::ofstream((folder / "kernel.pxasm").string(), std::ios::binary | std::ios::trunc) << kernel;
    pxos::SimulatedVRAM image = build_file((folder / "ROADMAP_VRAM_OS.yaml").string());
    fs::remove_all(folder);
    return image;
}

const pxos::MetricValue& value_of(const pxos::EvalResult& result, const std::string& key)
{
    for (const pxos::MetricValue& value : result.metrics.values)
        if (value.key == key)
            return value;
    FAIL("no metric " << key);
    throw;
}

const std::string kGetpid = "sys_getpid:\n    LOAD r1, r14, current\n    ADDI r1, r1, FIRST_PID\n    JMP return_r1\n";

} // namespace

TEST_CASE("the default image measures every metric at its baseline: ratio 1.0, combined_score 1.0", "[metrics]")
{
    const pxos::EvalResult& result = default_result();
    REQUIRE(result.score == result.max_score);
    REQUIRE(result.metrics.measured);
    CHECK(result.metrics.skipped.empty());
    REQUIRE(result.metrics.values.size() == pxos::metric_table().size());
    for (std::size_t i = 0; i < pxos::metric_table().size(); ++i) {
        const pxos::MetricRow& row = pxos::metric_table()[i];
        const pxos::MetricValue& value = result.metrics.values[i];
        INFO(row.key << ": " << value.value << " (" << value.message << ")");
        CHECK(value.key == row.key);
        CHECK(value.measured);
        CHECK(row.baseline > 0);
        CHECK(value.value == Approx(row.baseline));
        CHECK(value.ratio == Approx(1.0));
    }
    CHECK(result.metrics.combined_score == Approx(1.0).margin(0.001));
    CHECK(result.metrics.steps > 0);
    // Every test of the evaluator's usertests is a capability of the image.
    std::size_t tests = 0;
    for (const std::string& capability : result.metrics.capabilities)
        tests += capability.rfind("usertests.", 0) == 0;
    CHECK(double(tests) == value_of(result, "usertests_passed").value);
    CHECK(std::find(result.metrics.capabilities.begin(), result.metrics.capabilities.end(), "usertests.getpid")
        != result.metrics.capabilities.end());
}

TEST_CASE("the efficiency probes count exact instructions: the same for the same image", "[metrics]")
{
    pxos::EvalResult again = pxos::evaluate(default_image(), "os.png");
    CHECK(pxos::eval_result_to_json(again) == pxos::eval_result_to_json(default_result()));
    // getpid's round trip: SYSCALL, the handler (LOAD, ADDI, JMP) and return_r1 (USET, LI, SYSRET).
    CHECK(value_of(again, "syscall_round_trip").value == 7);
}

TEST_CASE("a shorter system call path raises combined_score, a kernel that loses a test lowers it", "[metrics]")
{
    pxos::SimulatedVRAM faster
        = with_kernel_change(kGetpid, "sys_getpid:\n    MFS r1, PID\n    USET r14, r1\n    SYSRET\n");
    pxos::EvalResult fast = pxos::evaluate(faster, "faster.png");
    REQUIRE(fast.score == fast.max_score);
    INFO(pxos::eval_result_to_text(fast, &default_result()));
    CHECK(value_of(fast, "syscall_round_trip").value < value_of(default_result(), "syscall_round_trip").value);
    CHECK(value_of(fast, "syscall_round_trip").ratio > 1.0);
    CHECK(value_of(fast, "usertests_passed").value == value_of(default_result(), "usertests_passed").value);
    CHECK(fast.metrics.combined_score > default_result().metrics.combined_score);

    pxos::SimulatedVRAM wrong
        = with_kernel_change(kGetpid, "sys_getpid:\n    LOAD r1, r14, current\n    ADDI r1, r1, FIRST_PID + 7\n"
                                      "    JMP return_r1\n");
    pxos::EvalResult lost = pxos::evaluate(wrong, "wrong_pid.png");
    REQUIRE(lost.score == lost.max_score);
    CHECK(value_of(lost, "usertests_passed").value < value_of(default_result(), "usertests_passed").value);
    // The tests it lost are capabilities the default image has and it lacks.
    std::vector<std::string> missing;
    for (const std::string& capability : default_result().metrics.capabilities)
        if (std::find(lost.metrics.capabilities.begin(), lost.metrics.capabilities.end(), capability)
            == lost.metrics.capabilities.end())
            missing.push_back(capability);
    CHECK(missing.size() == std::size_t(value_of(default_result(), "usertests_passed").value
                                - value_of(lost, "usertests_passed").value));
    CHECK(lost.metrics.combined_score < default_result().metrics.combined_score);
}

TEST_CASE("usertests_passed counts the evaluator's own usertests, not the image's", "[metrics]")
{
    // A candidate's /bin/usertests that only prints `ok` lines gains nothing.
    pxos::SimulatedVRAM image = default_image();
    std::string cheat = "main:\n    LI r1, 1\n    LI r2, text\n    LI r3, 60\n    SYSCALL SYS_WRITE\n"
                        "    LI r1, 0\n    SYSCALL SYS_EXIT\ntext: .string \"ok a\\nok b\\nok c\\nok d\\nok e\\n\"\n"
                        "    .fill 40, 10\n";
    pxos::AssembleOptions options;
    options.vram_width = image.width();
    options.vram_height = image.height();
    options.relocatable = true;
    auto program = pxos::assemble(cheat, "cheat.pxasm", options);
    REQUIRE(program.ok());
    auto words = pxos::program_file_words(*program);
    REQUIRE(words.ok());
    auto store = pxos::store::read_store(image, "os.png");
    REQUIRE(store.ok());
    auto opened = pxos::store::Store::open(store->words, "os.png");
    REQUIRE(opened.ok());
    REQUIRE(opened->write_file("/bin/usertests", *words, pxos::store::Parents::Create).ok());
    REQUIRE(pxos::store::write_store(image, *store).ok());
    pxos::EvalResult result = pxos::evaluate(image, "cheat.png");
    REQUIRE(result.metrics.measured);
    CHECK(value_of(result, "usertests_passed").value == value_of(default_result(), "usertests_passed").value);
}

TEST_CASE("the metrics are skipped, and say why, when a gate fails, with --only, or when off", "[metrics]")
{
    pxos::EvalResult broken = pxos::evaluate(pxos::SimulatedVRAM::create(64, 64).value(), "blank.png");
    CHECK_FALSE(broken.metrics.measured);
    CHECK(broken.metrics.skipped.find("gates 0/") == 0);
    CHECK(broken.metrics.combined_score == 0);
    REQUIRE(broken.metrics.values.size() == pxos::metric_table().size());
    for (const pxos::MetricValue& value : broken.metrics.values) {
        CHECK_FALSE(value.measured);
        CHECK(value.ratio == 0);
    }
    pxos::EvalOptions options;
    options.only_group = "seed";
    CHECK(pxos::evaluate(default_image(), "os.png", options).metrics.skipped
        == "--only seed: the metrics need every gate");
    options = {};
    options.metrics = false;
    pxos::EvalResult gates_only = pxos::evaluate(default_image(), "os.png", options);
    CHECK(gates_only.metrics.skipped == "metrics off: gates only");
    CHECK(gates_only.score == gates_only.max_score);
    std::string text = pxos::eval_result_to_text(gates_only);
    CHECK(text.find("metrics skipped: metrics off: gates only\n") != std::string::npos);
}

TEST_CASE("the run figures hold the image's own console and processes", "[metrics]")
{
    const pxos::RunFigures& run = default_result().run;
    CHECK(run.ran);
    CHECK(run.halt_code == 0);
    CHECK(run.steps > 0);
    CHECK(run.syscalls > 0);
    CHECK(run.console_head.find("Hello from pxOS!") != std::string::npos);
    REQUIRE(run.processes.size() >= 4);
    CHECK(run.processes[0].pid == 1);
    CHECK(run.processes[0].name == "pid 1");
    CHECK(run.processes[0].state == "exited 0");
}

TEST_CASE("the JSON keeps the gates' keys and adds gates and metrics, --baseline adds the deltas", "[metrics]")
{
    auto json = nlohmann::ordered_json::parse(pxos::eval_result_to_json(default_result()));
    CHECK(json["gates"] == nlohmann::ordered_json::parse(R"({"score":22,"max_score":22,"passed":true})"));
    const auto& metrics = json["metrics"];
    std::vector<std::string> keys;
    for (const auto& item : metrics.items())
        keys.push_back(item.key());
    CHECK(keys == std::vector<std::string> { "measured", "skipped", "combined_score", "values", "capabilities" });
    REQUIRE(metrics["values"].size() == pxos::metric_table().size());
    std::vector<std::string> value_keys;
    for (const auto& item : metrics["values"][0].items())
        value_keys.push_back(item.key());
    CHECK(value_keys
        == std::vector<std::string> { "key", "value", "unit", "direction", "weight", "ratio", "baseline", "message" });
    CHECK(metrics["values"][0]["key"] == "usertests_passed");
    CHECK(metrics["values"][0]["direction"] == "higher");
    CHECK(metrics["combined_score"] == 1);

    pxos::SimulatedVRAM faster
        = with_kernel_change(kGetpid, "sys_getpid:\n    MFS r1, PID\n    USET r14, r1\n    SYSRET\n");
    pxos::EvalResult fast = pxos::evaluate(faster, "faster.png");
    auto compared = nlohmann::ordered_json::parse(pxos::eval_result_to_json(fast, &default_result()));
    const auto& row = compared["metrics"]["values"][2];
    CHECK(row["key"] == "syscall_round_trip");
    CHECK(row["delta"] == row["value"].get<double>() - value_of(default_result(), "syscall_round_trip").value);
    CHECK(row["delta"].get<double>() < 0);
    CHECK(compared["metrics"]["compared_to"]["image"] == "os.png");
    CHECK(compared["metrics"]["compared_to"]["delta"].get<double>() > 0);
    std::string text = pxos::eval_result_to_text(fast, &default_result());
    CHECK(text.find("delta") != std::string::npos);
    CHECK(text.find("against os.png") != std::string::npos);
}

TEST_CASE("the text shows the gates, then the metrics table, then combined_score", "[metrics]")
{
    std::string text = pxos::eval_result_to_text(default_result());
    std::size_t gates = text.find("score 22/22 (100.0%)\n");
    std::size_t table = text.find("\nmetric ");
    std::size_t combined = text.find("combined_score 1.000\n");
    REQUIRE(gates != std::string::npos);
    REQUIRE(table != std::string::npos);
    REQUIRE(combined != std::string::npos);
    CHECK(gates < table);
    CHECK(table < combined);
    for (const pxos::MetricRow& row : pxos::metric_table())
        CHECK(text.find("\n" + std::string(row.key) + " ") != std::string::npos);
}

TEST_CASE("docs/EVAL.md holds the metric table as pxos eval --markdown prints it", "[metrics][docs]")
{
    std::string doc = pxos::test::read_text(pxos::test::source_path("docs/EVAL.md"));
    INFO("regenerate the tables with: pxos eval --markdown");
    std::string section = pxos::metrics_markdown();
    CHECK(doc.find(section) != std::string::npos);
    for (const pxos::MetricRow& row : pxos::metric_table())
        CHECK(section.find(fmt::format("| `{}` |", row.key)) != std::string::npos);
}
